"""``bench/steady`` (``make bench``): the cycle's steady state, built once, timed per step,
guarded against regressions.

For each engine the synthetic book is built once and snapshotted (SQLite: the data
directory copied after a WAL checkpoint; PostgreSQL: ``CREATE DATABASE … TEMPLATE``);
every run (SQLite with 1 worker, PostgreSQL with each ``--workers``) then closes the first
day and the following days on a fresh copy, after timing the calibration workload on it.
The guard (``bench_guard``) compares each step with ``bench/baseline.json`` scaled by the
calibration; ``--save`` stores the run as the new baseline and its section in
docs/benchmarks.md. Each build and run is a separate process (``arrears.cycle.bench``), as
the settings pick the database at start-up; this module itself never imports Django.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from arrears.cycle.bench_guard import (
    FLOOR_SECONDS,
    THRESHOLD,
    compare,
    guard_report,
    run_key,
    run_label,
    scale,
    slower,
    summarise,
)
from arrears.cycle.bench_report import (
    day_table,
    docs_section,
    docs_update,
    pages_lines,
    pages_summary,
)

ROOT = Path(__file__).resolve().parents[3]
_SETUP = (
    "import os, sys, json\n"
    "from pathlib import Path\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'arrears.config.settings')\n"
    "import django\n"
    "django.setup()\n"
)
_BUILD = _SETUP + (
    "from django.core.management import call_command\n"
    "from arrears.cycle.bench import snapshot_build\n"
    "call_command('migrate', verbosity=0)\n"
    "a = json.loads(sys.argv[1])\n"
    "snapshot_build(loans=a['loans'], first_day=a['first_day'], days=a['days'],"
    " seed=a['seed'], state=Path(a['state']))\n"
)
_DAYS = _SETUP + (
    "from arrears.cycle.bench import snapshot_days\n"
    "a = json.loads(sys.argv[1])\n"
    "figures = snapshot_days(state=Path(a['state']), workers=a['workers'])\n"
    "Path(a['out']).write_text(json.dumps(figures))\n"
)
# The pages bench (the workbench's, consumed as is) builds its own book; here it is handed
# the snapshot's instead, so the pages are timed on the very book the cycle was timed on.
_PAGES = _SETUP + (
    "import arrears.workbench.bench as pages\n"
    "from datetime import date\n"
    "from arrears.cycle.bench import snapshot_portfolio\n"
    "a = json.loads(sys.argv[1])\n"
    "built = snapshot_portfolio(Path(a['state']))\n"
    "pages.build_bench_portfolio = lambda **_: built\n"
    "figures = pages.bench_workbench(loans=built.loans, users=a['users'], rounds=a['rounds'],"
    " on=date.fromisoformat(a['first_day']), server_workers=3, server_threads=4,"
    " cycle_workers=2, think_ms=(0,))\n"
    "Path(a['out']).write_text(json.dumps(figures))\n"
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/steady",
        description="The cycle's steady state: the book built once per engine, the first day"
        " and following days timed per step and compared with bench/baseline.json"
        " (docs/benchmarks.md).",
    )
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=2, help="following days after the first")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--workers", default="1,2", help="PostgreSQL runs, comma-separated")
    parser.add_argument("--date", default="2026-06-30", help="the first cycle date")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pages", action="store_true", help="also time the pages, 1 and 16 users")
    parser.add_argument("--rounds", type=int, default=30, help="pages: queue+case per user")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-guard", action="store_true", help="compare and print, never fail")
    parser.add_argument("--save", action="store_true", help="store as the new baseline")
    parser.add_argument("--label", default="", help="--save: what the baseline is")
    parser.add_argument("--baseline", type=Path, default=ROOT / "bench" / "baseline.json")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="the PostgreSQL server (no database name); its scratch databases are dropped",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build, run, print, guard, save; 1 when the guard found a slower step, 3 when there
    was nothing stored to compare with (both only without ``--no-guard``)."""
    args = parse(argv)
    say = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json else _print
    scratch = Path(tempfile.mkdtemp(prefix="bench_steady_"))
    figures: dict[str, Any] = {
        "loans": args.loans,
        "date": date.today().isoformat(),
        "machine": machine(),
        "commit": commit(),
        "builds": {},
        "runs": {},
    }
    try:
        for engine in args.engines.split(","):
            workers = [1] if engine == "sqlite" else [int(w) for w in args.workers.split(",")]
            runner = _sqlite if engine == "sqlite" else _postgresql
            runner(args, scratch, figures, workers, say)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summaries = {
        key: summarise(run["days"], run["calibration"]["seconds"])
        for key, run in figures["runs"].items()
    }
    record = baseline_record(figures, summaries, label=args.label)
    stored = _stored(args.baseline).get(str(args.loans))
    lines, status = guard_verdict(summaries, stored, no_guard=args.no_guard)
    figures["guard"] = lines
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for engine, built in figures["builds"].items():
            say(
                f"built on {engine}: {built['loans']:,} loans, {built['installments']:,} "
                f"installments, {built['payments']:,} payments in {built['build_seconds']} s"
            )
        say("steps: seconds summed over partitions (all workers); total: the day's wall clock")
        for key, run in figures["runs"].items():
            say(
                f"\n== {run_label(key)}: {args.loans:,} loans, calibration "
                f"{run['calibration']['seconds']:.3f} s (tries {run['calibration']['tries']})"
            )
            for line in day_table(run):
                say(line)
        for users, summary in figures.get("pages", {}).items():
            say(f"\n== pages, {users} (PostgreSQL snapshot after its first day)")
            for line in pages_lines(summary):
                say(f"  {line}")
        say("")
    for line in lines:
        say(line)
    if args.save:
        save(record, baseline=args.baseline, docs=args.docs)
        say(f"saved: {args.baseline} ({args.loans:,} loans) and a section of {args.docs}")
        return 0
    return status


def _print(line: str) -> None:
    print(line, flush=True)


def guard_verdict(
    summaries: dict[str, Any], stored: dict[str, Any] | None, *, no_guard: bool
) -> tuple[list[str], int]:
    """The guard's lines and the exit status: 1 when a step is slower, 3 when nothing is
    stored for this book size, else 0 (always 0 with ``no_guard``)."""
    if not stored:
        return ["guard: nothing stored for this many loans: nothing compared"], 0 if no_guard else 3
    comparisons = compare(summaries, stored["runs"])
    factors = {
        run: scale(
            summaries[run]["calibration_seconds"], stored["runs"][run]["calibration_seconds"]
        )
        for run in summaries
        if run in stored["runs"]
    }
    lines = [
        f"guard: against {stored['date']} ({stored['label'] or 'no label'}, "
        f"commit {stored['commit']})"
    ]
    lines += guard_report(comparisons, factors, threshold=THRESHOLD, floor_seconds=FLOOR_SECONDS)
    return lines, 1 if slower(comparisons) and not no_guard else 0


def _sqlite(
    args: argparse.Namespace, scratch: Path, figures: dict[str, Any], workers: list[int], say: Any
) -> None:
    snapshot, state = scratch / "sqlite-snapshot", scratch / "sqlite-state.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    say(f"building {args.loans:,} loans on sqlite …")
    _child(_BUILD, _build_args(args, state), {**env, "ARREARS_DATA_DIR": str(snapshot)})
    figures["builds"]["sqlite"] = _build_figures(state)
    for count in workers:
        copy = scratch / f"sqlite-run-{count}"
        shutil.copytree(snapshot, copy)
        say(f"closing days on sqlite, {count} worker(s) …")
        out = scratch / f"sqlite-{count}.json"
        days_args = {"state": str(state), "workers": count, "out": str(out)}
        _child(_DAYS, days_args, {**env, "ARREARS_DATA_DIR": str(copy)})
        figures["runs"][run_key("sqlite", count)] = json.loads(out.read_text())
        shutil.rmtree(copy)


def _postgresql(
    args: argparse.Namespace, scratch: Path, figures: dict[str, Any], workers: list[int], say: Any
) -> None:
    base = args.pg_url.rstrip("/")
    prefix = f"bench_steady_{os.getpid()}"
    snapshot, state = f"{prefix}_snapshot", scratch / "pg-state.json"
    # One data directory for the build and every run: the secrets it holds seal the data.
    env = {**os.environ, "ARREARS_DATA_DIR": str(scratch / "pg-data")}
    made = [snapshot]
    try:
        _psql(base, f"CREATE DATABASE {snapshot}")
        say(f"building {args.loans:,} loans on postgresql …")
        _child(_BUILD, _build_args(args, state), {**env, "DATABASE_URL": f"{base}/{snapshot}"})
        figures["builds"]["postgresql"] = _build_figures(state)
        # FILE_COPY (PostgreSQL 15+) copies the files after a checkpoint, much faster than
        # the default page-by-page WAL copy for a database of gigabytes.
        strategy = " STRATEGY FILE_COPY" if _pg_version(base) >= 150000 else ""
        for count in workers:
            run_db = f"{prefix}_w{count}"
            made.append(run_db)
            _psql(base, f"CREATE DATABASE {run_db} TEMPLATE {snapshot}{strategy}")
            say(f"closing days on postgresql, {count} worker(s) …")
            out = scratch / f"pg-{count}.json"
            days_args = {"state": str(state), "workers": count, "out": str(out)}
            _child(_DAYS, days_args, {**env, "DATABASE_URL": f"{base}/{run_db}"})
            figures["runs"][run_key("postgresql", count)] = json.loads(out.read_text())
            _psql(base, f"DROP DATABASE {run_db} WITH (FORCE)")
        if args.pages:
            figures["pages"] = {}
            for users in (1, 16):
                page_db = f"{prefix}_pages{users}"
                made.append(page_db)
                _psql(base, f"CREATE DATABASE {page_db} TEMPLATE {snapshot}{strategy}")
                say(f"timing the pages on postgresql, {users} user(s) …")
                out = scratch / f"pages-{users}.json"
                page_args = {
                    "state": str(state),
                    "users": users,
                    "rounds": args.rounds,
                    "first_day": args.date,
                    "out": str(out),
                }
                label = f"{users} user" + ("s" if users > 1 else "")
                try:
                    _child(_PAGES, page_args, {**env, "DATABASE_URL": f"{base}/{page_db}"})
                except subprocess.CalledProcessError as error:
                    # The pages bench is another module's: its failure must not cost the
                    # cycle's figures, only be reported.
                    figures["pages"][label] = {"error": str(error)}
                else:
                    figures["pages"][label] = pages_summary(json.loads(out.read_text()))
                _psql(base, f"DROP DATABASE {page_db} WITH (FORCE)")
    finally:
        for name in made:
            _psql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)


def _build_args(args: argparse.Namespace, state: Path) -> dict[str, Any]:
    return {
        "loans": args.loans,
        "first_day": args.date,
        "days": args.days,
        "seed": args.seed,
        "state": str(state),
    }


def _build_figures(state: Path) -> dict[str, Any]:
    saved = json.loads(state.read_text())
    return {k: saved[k] for k in ("loans", "installments", "payments", "build_seconds")}


def _child(code: str, arguments: dict[str, Any], env: dict[str, str]) -> None:
    """One build or run in its own process (the settings read the database at start-up)."""
    # Its figures come back in a file; what it (and the cycle's worker processes) print is
    # progress, kept off stdout so that ``--json`` prints nothing but the JSON.
    subprocess.run(
        [sys.executable, "-c", code, json.dumps(arguments)], env=env, check=True, stdout=sys.stderr
    )


def _psql(base: str, sql: str, *, check: bool = True) -> str:
    done = subprocess.run(
        ["psql", f"{base}/postgres", "-XAtqc", sql], capture_output=True, text=True, check=False
    )
    if check and done.returncode:
        raise SystemExit(f"psql failed: {sql}: {done.stderr.strip()}")
    return done.stdout.strip()


def _pg_version(base: str) -> int:
    return int(_psql(base, "SHOW server_version_num") or 0)


def _stored(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    books: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["books"]
    return books


def baseline_record(
    figures: dict[str, Any], summaries: dict[str, Any], *, label: str
) -> dict[str, Any]:
    """What ``--save`` stores for this book size."""
    record = {k: figures[k] for k in ("loans", "date", "machine", "commit", "builds")}
    record.update(label=label, runs=summaries)
    if figures.get("pages"):
        record["pages"] = figures["pages"]
    return record


def save(record: dict[str, Any], *, baseline: Path, docs: Path) -> None:
    """The record as the baseline of its book size, and its dated section in the docs."""
    stored = json.loads(baseline.read_text(encoding="utf-8")) if baseline.exists() else {}
    stored.setdefault("books", {})[str(record["loans"])] = record
    baseline.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    heading = f"{record['date']}: {record['loans']:,} loans" + (
        f" ({record['label']})" if record["label"] else ""
    )
    key = f"{record['loans']} {record['date']}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Benchmarks\n"
    docs.write_text(docs_update(text, key, docs_section(record, heading=heading)), encoding="utf-8")


def machine() -> str:
    """CPU model, CPUs and memory, from /proc (Linux), as the docs record them."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = " ".join(line.split(":", 1)[1].split())
                break
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown memory"
    return f"{model}, {os.cpu_count()} CPUs, {memory}"


def commit() -> str:
    """The checked-out commit, short, read from .git without running git."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            path = git / ref
            if path.exists():
                return path.read_text().strip()[:9]
            for line in (git / "packed-refs").read_text().splitlines():
                if line.endswith(" " + ref):
                    return line[:9]
            return "unknown"
        return head[:9]
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
