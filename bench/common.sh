# Shared by the bench scripts: run from the project root with the venv's `arrears`,
# and give the run a scratch directory that is removed on exit.
cd "$(dirname "$0")/.."
arrears=.venv/bin/arrears
[ -x "$arrears" ] || make .venv/installed >/dev/null
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
pg_url_base="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
