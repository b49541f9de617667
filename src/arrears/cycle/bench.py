"""``arrears bench cycle``: a synthetic portfolio's first day and following days closed and
timed, step by step, with the reference replay's speed on a sample for scale.

``bench/steady`` uses the same pieces in separate processes: ``snapshot_build`` builds the
book once and writes what the days need (the later payments) next to the database's
snapshot, ``snapshot_days`` closes the days on a fresh copy of it, and ``calibrate`` times
the fixed workload that scales stored figures to the machine of the day."""

from __future__ import annotations

import gc
import json
import resource
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum

from arrears.cases.models import CollectionCase
from arrears.cycle.models import CycleStep
from arrears.cycle.runner import cycle_run
from arrears.cycle.selectors import run_steps
from arrears.portfolio.batch.replay import read_inputs
from arrears.portfolio.bench_portfolio import (
    BenchPortfolio,
    build_bench_portfolio,
    post_bench_payments,
)
from arrears.portfolio.calculations.allocation import replay
from arrears.portfolio.models import Loan
from arrears.strategy.models import PlannedAction

# The calibration workload: a table of this many generated rows written, indexed, grouped
# and summed (about 0.5-1 s on the 2-core development machine). Never change it without
# storing a new baseline: stored figures are only comparable at the same workload.
CALIBRATION_ROWS = 100_000
CALIBRATION_REPEATS = 3


def bench_cycle(
    *, loans: int, days: int, workers: int, first_day: str, seed: int
) -> dict[str, Any]:
    """Build the synthetic portfolio, then close its first day and ``days`` following days;
    the figures as a dict (``arrears bench cycle`` prints them)."""
    first = date.fromisoformat(first_day)
    started = time.perf_counter()
    built = build_bench_portfolio(loans=loans, first_day=first, days=days, seed=seed)
    figures: dict[str, Any] = {
        "database": connection.vendor,
        "loans": built.loans,
        "installments": built.installments,
        "payments": built.payments,
        "build_seconds": round(time.perf_counter() - started, 1),
        "workers": workers,
    }
    quiet_down()
    figures["days"] = close_days(built, first=first, days=days, workers=workers)
    figures["reference_replay_10k"] = _replay_sample(first + timedelta(days=days))
    figures.update(_memory())
    return figures


def quiet_down() -> None:
    """Start the clock from a quiet database and process, as a nightly run would: the
    build's write-ahead log checkpointed, and its objects (the later days' payments among
    them) kept out of the garbage collector's way."""
    _checkpoint()
    gc.collect()
    gc.freeze()


def close_days(
    built: BenchPortfolio, *, first: date, days: int, workers: int
) -> list[dict[str, Any]]:
    """Close the first day and ``days`` following days (each following day after posting
    that day's payments, untimed); the figures of each day."""
    closed = []
    for offset in range(days + 1):
        day = first + timedelta(days=offset)
        posted = 0
        if offset:
            posted = post_bench_payments(built.creditor_id, built.later_payments.get(day, []), day)
        started = time.perf_counter()
        run = cycle_run(on=day, workers=workers)
        seconds = time.perf_counter() - started
        steps = {s["name"]: s["seconds"] for s in run_steps(run)}
        # Each partition's seconds, all steps (docs/scaling.md works from them).
        by_partition = (
            CycleStep.objects.filter(run=run)
            .values("partition")
            .annotate(seconds=Sum("seconds"))
            .order_by("partition")
        )
        closed.append(
            {
                "date": day.isoformat(),
                "payments_posted": posted,
                "seconds": round(seconds, 2),
                "loans_per_second": round(built.loans / seconds),
                "overdue": run.overdue,
                "cases_opened": run.cases_opened,
                "cases_closed": run.cases_closed,
                "open_cases": CollectionCase.objects.filter(status="open").count(),
                "planned_actions": PlannedAction.objects.filter(business_date=day).count(),
                # Summed over partitions: the step's whole work, whatever the workers.
                "plan_seconds": steps.get("plan", 0.0),
                "steps": steps,
                "partition_seconds": [round(p["seconds"], 2) for p in by_partition],
            }
        )
    return closed


def snapshot_build(*, loans: int, first_day: str, days: int, seed: int, state: Path) -> None:
    """Build the book for a snapshot and write, to ``state`` (JSON), what closing its days
    needs besides the database: the creditor, the counts and the later payments."""
    first = date.fromisoformat(first_day)
    started = time.perf_counter()
    built = build_bench_portfolio(loans=loans, first_day=first, days=days, seed=seed)
    seconds = time.perf_counter() - started
    _checkpoint()  # the SQLite snapshot is a copy of the database file: all must be in it
    state.write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "creditor_id": built.creditor_id,
                "loans": built.loans,
                "installments": built.installments,
                "payments": built.payments,
                "first_day": first_day,
                "days": days,
                "seed": seed,
                "build_seconds": round(seconds, 1),
                "later_payments": {
                    day.isoformat(): rows for day, rows in built.later_payments.items()
                },
            }
        ),
        encoding="utf-8",
    )


def snapshot_days(*, state: Path, workers: int) -> dict[str, Any]:
    """Close the snapshot's first day and following days (the database is a fresh copy of
    the snapshot); the calibration is timed first, on the same database."""
    saved = json.loads(state.read_text(encoding="utf-8"))
    built = snapshot_portfolio(state)
    calibration = calibrate()
    quiet_down()
    closed = close_days(
        built, first=date.fromisoformat(saved["first_day"]), days=saved["days"], workers=workers
    )
    return {
        "database": connection.vendor,
        "workers": workers,
        "loans": built.loans,
        "calibration": calibration,
        "days": closed,
        **_memory(),
    }


def snapshot_portfolio(state: Path) -> BenchPortfolio:
    """The snapshot's book as ``build_bench_portfolio`` returned it."""
    saved = json.loads(state.read_text(encoding="utf-8"))
    return BenchPortfolio(
        creditor_id=saved["creditor_id"],
        loans=saved["loans"],
        installments=saved["installments"],
        payments=saved["payments"],
        later_payments={
            date.fromisoformat(day): [(pk, key, amount) for pk, key, amount in rows]
            for day, rows in saved["later_payments"].items()
        },
    )


def calibrate(rows: int = CALIBRATION_ROWS, repeats: int = CALIBRATION_REPEATS) -> dict[str, Any]:
    """Time a fixed, deterministic workload on this database: ``rows`` generated rows
    written to a table, indexed, grouped and summed, the table dropped; and the same
    number of rows summed in Python (the steps are part SQL, part Python). Best of
    ``repeats``, with every try kept; the sums are returned so a changed workload shows."""
    tries = []
    checksum = 0
    for _ in range(repeats):
        started = time.perf_counter()
        checksum = _calibration_workload(rows)
        tries.append(time.perf_counter() - started)
    return {
        "seconds": round(min(tries), 4),
        "tries": [round(t, 4) for t in tries],
        "rows": rows,
        "checksum": checksum,
    }


def _calibration_workload(rows: int) -> int:
    if connection.vendor == "sqlite":
        generate = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            "INSERT INTO bench_calibration SELECT i, i %% 1009, (i * 7919) %% 100003 FROM n"
        )
    else:
        generate = (
            "INSERT INTO bench_calibration "
            "SELECT i, i %% 1009, (i * 7919) %% 100003 FROM generate_series(1, %s) AS i"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_calibration")
        cursor.execute(
            "CREATE TABLE bench_calibration (id integer PRIMARY KEY, k integer, v integer)"
        )
        cursor.execute(generate, [rows])
        cursor.execute("CREATE INDEX bench_calibration_k ON bench_calibration (k, v)")
        cursor.execute(
            "SELECT k, SUM(v), COUNT(*) FROM bench_calibration GROUP BY k ORDER BY SUM(v) DESC"
        )
        grouped = cursor.fetchall()
        cursor.execute("DROP TABLE bench_calibration")
    python_sum = sum((i * 7919) % 100003 for i in range(1, rows + 1) if i % 1009)
    return int(sum(total for _, total, _ in grouped)) + python_sum


def _checkpoint() -> None:
    """SQLite: the write-ahead log written back into the database file and emptied. Not
    within a transaction (a test's), where SQLite refuses and nothing is committed yet."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _memory() -> dict[str, int]:
    return {
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # The largest worker process the run started (0 with one worker); the database
        # server's own memory is not counted in either figure.
        "worker_peak_memory_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ),
    }


def _replay_sample(on: date) -> dict[str, float]:
    """The plain reference replay on 10,000 loans: reading their inputs, replaying."""
    ids = list(Loan.objects.order_by("-id").values_list("id", flat=True)[:10_000])
    started = time.perf_counter()
    inputs = list(read_inputs(ids, on))
    read = time.perf_counter() - started
    started = time.perf_counter()
    for _, data in inputs:
        replay(
            installments=data["schedule"],
            payments=data["payments"],
            terms=data["terms"],
            as_of=on,
        )
    replayed = time.perf_counter() - started
    return {"read_seconds": round(read, 2), "replay_seconds": round(replayed, 2)}
