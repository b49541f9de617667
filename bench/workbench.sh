#!/usr/bin/env bash
# Workbench benchmark: `arrears bench workbench` on a scratch PostgreSQL database — the
# queue and case pages under concurrent collectors at a million loans.
# Usage: bench/workbench.sh [LOANS] [USERS]   (defaults 1000000 and 16)
set -euo pipefail
loans="${1:-1000000}"
users="${2:-16}"
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
db="arrears_bench_workbench_$$"
if ! psql "$pg_url_base/postgres" -qc "CREATE DATABASE $db" 2>/dev/null; then
  echo "PostgreSQL not reachable at $pg_url_base" >&2
  exit 1
fi
trap 'rm -rf "$scratch"; psql "$pg_url_base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null' EXIT
echo "== PostgreSQL ($loans loans, $users concurrent collectors)"
DATABASE_URL="$pg_url_base/$db" ARREARS_DATA_DIR="$scratch/pg" \
  "$arrears" bench workbench --loans "$loans" --users "$users"
