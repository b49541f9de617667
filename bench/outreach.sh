#!/usr/bin/env bash
# Outreach benchmark: `arrears bench outreach` — WORKERS worker processes sending MESSAGES
# queued SMS to the local fake gateway (tests/fakes/sms_gateway.py, generic JSON protocol)
# and MESSAGES emails to a local SMTP sink, on scratch SQLite and PostgreSQL databases.
# Usage: bench/outreach.sh [MESSAGES] [WORKERS]   (defaults 100000 and 2)
set -euo pipefail
messages="${1:-100000}"
workers="${2:-2}"
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
python=.venv/bin/python
fake=""
databases=()
cleanup() {
  if [ -n "$fake" ]; then kill "$fake" 2>/dev/null || true; fi
  for db in "${databases[@]}"; do
    psql "$pg_url_base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT

# The fake gateway is a test double that never ships in the package: it runs here as a
# program of its own from the checkout, and each bench run is given its URL.
"$python" -m tests.fakes.sms_gateway --port 0 --token bench-secret >"$scratch/sms.log" 2>&1 &
fake=$!
for _ in $(seq 100); do
  grep -q "listening on" "$scratch/sms.log" && break
  sleep 0.1
done
base=$(sed -n 's/.*listening on //p' "$scratch/sms.log")
if [ -z "$base" ]; then
  echo "the fake SMS gateway did not start:" >&2
  cat "$scratch/sms.log" >&2
  exit 1
fi

run() {  # run DATABASE CHANNEL [env assignments...]
  local database=$1 channel=$2
  shift 2
  local args=(--channel email)
  if [ "$channel" = sms ]; then
    args=(--channel sms --sms-url "$base/generic/messages" --sms-token bench-secret)
    # Forget what the previous run sent, so the fake's memory does not grow run after run.
    "$python" -c "import sys, urllib.request as r; r.urlopen(r.Request(sys.argv[1], method='POST'))" \
      "$base/_reset"
  fi
  echo "== $database ($messages messages, $channel, $workers workers)"
  env "$@" "$arrears" bench outreach --messages "$messages" --workers "$workers" "${args[@]}"
}

for channel in sms email; do
  run SQLite "$channel" -u DATABASE_URL ARREARS_DATA_DIR="$scratch/sqlite-$channel"
done
for channel in sms email; do
  db="arrears_bench_outreach_$$_$channel"
  if ! psql "$pg_url_base/postgres" -qc "CREATE DATABASE $db" 2>/dev/null; then
    echo "== PostgreSQL not reachable at $pg_url_base: skipped"
    break
  fi
  databases+=("$db")
  run PostgreSQL "$channel" DATABASE_URL="$pg_url_base/$db" ARREARS_DATA_DIR="$scratch/pg"
done
