#!/usr/bin/env bash
# Cycle benchmark: bench/steady without its guard — the book built once per engine, the
# first day and DAYS following days on SQLite and on PostgreSQL with 1 and 2 workers.
# Usage: bench/cycle.sh [LOANS] [DAYS]   (defaults 1000000 and 2; docs/benchmarks.md)
set -euo pipefail
loans="${1:-1000000}"
days="${2:-2}"
exec "$(dirname "$0")/steady" --loans "$loans" --days "$days" --no-guard
