#!/usr/bin/env bash
# Cycle benchmark: `arrears bench cycle` on a scratch SQLite database and a scratch
# PostgreSQL database (with 1 and 2 workers there).
# Usage: bench/cycle.sh [LOANS] [DAYS]   (defaults 1000000 and 2)
set -euo pipefail
loans="${1:-1000000}"
days="${2:-2}"
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
echo "== SQLite ($loans loans, $days following days)"
env -u DATABASE_URL ARREARS_DATA_DIR="$scratch/sqlite" "$arrears" bench cycle --loans "$loans" --days "$days"

for workers in 1 2; do
  db="arrears_bench_cycle_$$_$workers"
  if ! psql "$pg_url_base/postgres" -qc "CREATE DATABASE $db" 2>/dev/null; then
    echo "== PostgreSQL not reachable at $pg_url_base: skipped"
    break
  fi
  echo "== PostgreSQL ($loans loans, $days following days, $workers workers)"
  DATABASE_URL="$pg_url_base/$db" ARREARS_DATA_DIR="$scratch/pg" \
    "$arrears" bench cycle --loans "$loans" --days "$days" --workers "$workers" || true
  psql "$pg_url_base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done
