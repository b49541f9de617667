#!/usr/bin/env bash
# Insights benchmark: `arrears bench insights` (the month tables over a synthetic history of
# LOANS loans and MONTHS stored month ends) on a scratch SQLite database and a scratch
# PostgreSQL database.
# Usage: bench/insights.sh [LOANS] [MONTHS]   (defaults 1000000 and 12)
set -euo pipefail
loans="${1:-1000000}"
months="${2:-12}"
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
echo "== SQLite ($loans loans, $months month ends)"
env -u DATABASE_URL ARREARS_DATA_DIR="$scratch/sqlite" "$arrears" bench insights \
  --loans "$loans" --months "$months"

db="arrears_bench_insights_$$"
if ! psql "$pg_url_base/postgres" -qc "CREATE DATABASE $db" 2>/dev/null; then
  echo "== PostgreSQL not reachable at $pg_url_base: skipped"
  exit 0
fi
echo "== PostgreSQL ($loans loans, $months month ends)"
DATABASE_URL="$pg_url_base/$db" ARREARS_DATA_DIR="$scratch/pg" \
  "$arrears" bench insights --loans "$loans" --months "$months" || true
psql "$pg_url_base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
