"""``arrears bench cycle``: a synthetic portfolio's first day and following days closed and
timed, step by step, with the reference replay's speed on a sample for scale."""

from __future__ import annotations

import gc
import resource
import time
from datetime import date, timedelta
from typing import Any

from django.db import connection

from arrears.cases.models import CollectionCase
from arrears.cycle.runner import cycle_run
from arrears.cycle.selectors import run_steps
from arrears.portfolio.batch.replay import read_inputs
from arrears.portfolio.bench_portfolio import build_bench_portfolio, post_bench_payments
from arrears.portfolio.calculations.allocation import replay
from arrears.portfolio.models import Loan
from arrears.strategy.models import PlannedAction


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
        "days": [],
    }
    # Start the clock from a quiet database and process, as a nightly run would: the
    # build's write-ahead log checkpointed, and its objects (the later days' payments
    # among them) kept out of the garbage collector's way.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    gc.collect()
    gc.freeze()
    for offset in range(days + 1):
        day = first + timedelta(days=offset)
        posted = 0
        if offset:
            posted = post_bench_payments(built.creditor_id, built.later_payments.get(day, []), day)
        started = time.perf_counter()
        run = cycle_run(on=day, workers=workers)
        seconds = time.perf_counter() - started
        figures["days"].append(
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
                "plan_seconds": next(s["seconds"] for s in run_steps(run) if s["name"] == "plan"),
                "steps": {s["name"]: s["seconds"] for s in run_steps(run)},
            }
        )
    figures["reference_replay_10k"] = _replay_sample(first + timedelta(days=offset))
    figures["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    # The largest worker process the run started (0 with one worker); the database
    # server's own memory is not counted in either figure.
    figures["worker_peak_memory_mb"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    )
    return figures


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
