#!/usr/bin/env bash
# Import benchmark: `arrears bench import` on a scratch SQLite database and a scratch
# PostgreSQL database. Usage: bench/import.sh [LOANS]   (default 100000)
set -euo pipefail
loans="${1:-100000}"
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
echo "== SQLite ($loans loans)"
env -u DATABASE_URL ARREARS_DATA_DIR="$scratch" "$arrears" bench import --loans "$loans"

db="arrears_bench_$$"
if psql "$pg_url_base/postgres" -qc "CREATE DATABASE $db" 2>/dev/null; then
  trap 'rm -rf "$scratch"; psql "$pg_url_base/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null' EXIT
  echo "== PostgreSQL ($loans loans)"
  DATABASE_URL="$pg_url_base/$db" ARREARS_DATA_DIR="$scratch" "$arrears" bench import --loans "$loans"
else
  echo "== PostgreSQL not reachable at $pg_url_base: skipped"
fi
