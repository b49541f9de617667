#!/usr/bin/env bash
# Bulk assignment benchmark: `arrears assign --loans FILE` over a synthetic portfolio of
# LOANS loans (the cycle bench's builder, one closed day, a phone per borrower), on a
# scratch PostgreSQL database and a scratch SQLite one.
# Usage: bench/assign.sh [LOANS]   (default 100000)
set -euo pipefail
loans="${1:-100000}"
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
first_day=2026-03-01

run() {
  "$arrears" migrate -v 0
  "$arrears" shell -c "
from datetime import date
from pathlib import Path
from arrears.transfers.bench import bench_assign_build
name = bench_assign_build(loans=$loans, first_day=date.fromisoformat('$first_day'),
                          out=Path('$scratch/loans.txt'))
Path('$scratch/creditor.txt').write_text(name, encoding='utf-8')
"
  "$arrears" cycle --date "$first_day" >/dev/null
  echo "closed $first_day (the overdue loans have cases)"
  local started ended
  started=$(date +%s.%N)
  "$arrears" assign --loans "$scratch/loans.txt" --from "$(cat "$scratch/creditor.txt")" \
    --to "bench assignee" --on "$first_day" --price 1000000 --json
  ended=$(date +%s.%N)
  echo "assign: $(echo "$ended - $started" | bc) s for $loans loans"
}

db="arrears_bench_assign_$$"
if psql "$pg_url_base/postgres" -qc "CREATE DATABASE $db" 2>/dev/null; then
  echo "== PostgreSQL ($loans loans)"
  DATABASE_URL="$pg_url_base/$db" ARREARS_DATA_DIR="$scratch/pg" run || true
  psql "$pg_url_base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
else
  echo "== PostgreSQL not reachable at $pg_url_base: skipped"
fi
if [ "${BENCH_SQLITE:-1}" = 1 ]; then
  echo "== SQLite ($loans loans)"
  (unset DATABASE_URL; ARREARS_DATA_DIR="$scratch/sqlite" run)
fi
