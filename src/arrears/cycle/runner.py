"""Running a cycle day: partitions, the steps in order, resumption, workers.

A run for business date D splits the active loans into dense id ranges (partitions). A
worker claims a pending partition and takes it through every step in order, each step in
its own transaction together with its journal row (``CycleStep``). After a crash the
same command resumes: finished partitions and steps are skipped, and because every step is
idempotent for D, one that ran but was not journalled can run again harmlessly.

On PostgreSQL ``workers`` > 1 starts extra worker processes (``arrears worker``) that
claim partitions with ``FOR UPDATE SKIP LOCKED``; workers on other machines pointed at the
same database can join the same way. SQLite runs in one process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from arrears.agencies.batch import placements_expire
from arrears.cases.batch import cases_assign, cases_maintain, commitments_judge
from arrears.cases.models import CaseBucketSpell, CollectionCase, WorkItem
from arrears.core.bulk import refresh_stale_statistics
from arrears.core.errors import InvalidInput
from arrears.cycle.choices import STEPS, PartitionStatus, RunStatus
from arrears.cycle.lock import cycle_lock
from arrears.cycle.models import CyclePartition, CycleRun, CycleStep
from arrears.field.reachability import unreachable_refresh
from arrears.insights.batch import cases_score
from arrears.insights.roll_cells import rolls_record
from arrears.outreach.batch import outbox_fill
from arrears.outreach.models import OutboxMessage
from arrears.portfolio import batch as ledger
from arrears.portfolio.choices import LoanStatus
from arrears.portfolio.models import InstallmentPosition, Loan, LoanHistory, LoanPosition
from arrears.strategy.batch import actions_plan
from arrears.strategy.models import CaseStrategy, PlannedAction, StrategyEvent

PARTITION_LOANS = 50_000

# Told the name of each step a partition finishes (or finds finished): a progress bar.
OnProgress = Callable[[str], object]


class Step(Protocol):
    """A set-based step an app owns: ``<noun>_<verb>(*, first, last, on) -> rows written``."""

    def __call__(self, *, first: int, last: int, on: date) -> int: ...


# Each app's steps, in the order a partition runs them (docs/architecture.md).
STEP_FUNCTIONS: dict[str, Step] = {
    "post_payments": ledger.payments_post,
    "accrue": ledger.penalty_accrue,
    "loan_state": ledger.positions_update,
    "classify": ledger.loans_classify,
    "limitation": ledger.limitation_watch,
    "cases": cases_maintain,
    "commitments": commitments_judge,
    "score": cases_score,
    # Before the plan: a case whose last number a call found wrong is unreachable today, so
    # ``when: unreachable`` rules and the skip-trace queue see it the same day.
    "unreachable": unreachable_refresh,
    "plan": actions_plan,
    "outbox": outbox_fill,
    "history": ledger.history_record,
    "rolls": rolls_record,
    # Last: a placement whose term ended goes back to its team's pool before assignment.
    "placements": placements_expire,
}
assert tuple(STEP_FUNCTIONS) == STEPS
# The tables the steps write in bulk: their statistics are refreshed after a run when they
# changed by more than a tenth (``refresh_stale_statistics``).
CYCLE_WRITES = (
    LoanPosition,
    InstallmentPosition,
    LoanHistory,
    CollectionCase,
    CaseBucketSpell,
    WorkItem,
    CaseStrategy,
    StrategyEvent,
    PlannedAction,
    OutboxMessage,
)


@dataclass(frozen=True)
class Claimed:
    """A partition a worker holds."""

    run_id: int
    number: int
    first_loan: int
    last_loan: int
    business_date: date


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(run_id: int | None) -> Claimed | None:
    """Take the next pending partition (of ``run_id``, or of any running run)."""
    partition, run = (
        connection.ops.quote_name(CyclePartition._meta.db_table),
        connection.ops.quote_name(CycleRun._meta.db_table),
    )
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    of_run = "AND pa.run_id = %(run)s" if run_id is not None else ""
    sql = f"""
        UPDATE {partition} SET status = 'claimed', claimed_by = %(who)s, claimed_at = %(now)s
        WHERE id = (
            SELECT pa.id FROM {partition} AS pa JOIN {run} AS r ON r.id = pa.run_id
            WHERE pa.status = 'pending' AND r.status = 'running' {of_run}
            ORDER BY pa.run_id, pa.number LIMIT 1{skip_locked}
        )
        RETURNING run_id, number, first_loan, last_loan
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"who": worker_name(), "now": timezone.now(), "run": run_id})
        row = cursor.fetchone()
    if row is None:
        return None
    business_date = CycleRun.objects.values_list("business_date", flat=True).get(pk=row[0])
    return Claimed(row[0], row[1], row[2], row[3], business_date)


class _AlreadyJournalled(Exception):
    """The step's journal row exists: another attempt finished it."""


def _failpoint(step: str) -> None:
    """Die like ``kill -9`` right after ``step`` committed, when the environment asks.

    ``ARREARS_CYCLE_KILL_AFTER=accrue`` makes the crash test's subprocess stop at exactly
    that point; it is never set in normal operation.
    """
    if os.environ.get("ARREARS_CYCLE_KILL_AFTER") == step:
        os.kill(os.getpid(), signal.SIGKILL)


def partition_process(claimed: Claimed, on_progress: OnProgress | None = None) -> None:
    """Take one claimed partition through every step not yet journalled; ``on_progress``
    is told each step's name once it is done (or was already)."""
    done = set(
        CycleStep.objects.filter(run_id=claimed.run_id, partition=claimed.number).values_list(
            "name", flat=True
        )
    )
    for name in STEPS:
        if name in done:
            if on_progress is not None:
                on_progress(name)
            continue
        started = time.perf_counter()
        try:
            with transaction.atomic():
                rows = STEP_FUNCTIONS[name](
                    first=claimed.first_loan, last=claimed.last_loan, on=claimed.business_date
                )
                try:
                    with transaction.atomic():
                        CycleStep.objects.create(
                            run_id=claimed.run_id,
                            partition=claimed.number,
                            name=name,
                            rows=rows,
                            seconds=time.perf_counter() - started,
                            finished_at=timezone.now(),
                        )
                except IntegrityError:
                    raise _AlreadyJournalled from None
        except _AlreadyJournalled:
            # Another worker of an earlier attempt journalled this step first: the work is
            # idempotent, so theirs stands and this transaction was rolled back. Only the
            # journal's own conflict is taken this way; any other error fails the partition.
            if on_progress is not None:
                on_progress(name)
            continue
        if on_progress is not None:
            on_progress(name)
        _failpoint(name)
    CyclePartition.objects.filter(run_id=claimed.run_id, number=claimed.number).update(
        status=PartitionStatus.DONE, finished_at=timezone.now()
    )


def work_until_empty(run_id: int | None = None, on_progress: OnProgress | None = None) -> int:
    """Process partitions until none is pending; return how many this process did."""
    count = 0
    while (claimed := _claim(run_id)) is not None:
        try:
            partition_process(claimed, on_progress)
        except Exception as error:
            CyclePartition.objects.filter(run_id=claimed.run_id, number=claimed.number).update(
                status=PartitionStatus.FAILED, error=f"{type(error).__name__}: {error}"
            )
            raise
        count += 1
    return count


def partitions_planned(size: int = PARTITION_LOANS) -> int:
    """How many partitions a run would have now (``_partitions``' count, one query): with
    the steps and the days, a progress bar's total."""
    bounds = Loan.objects.filter(status=LoanStatus.ACTIVE).aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return 0
    return len(range(low, high + 1, size))


def _partitions(run: CycleRun, size: int) -> None:
    """Split the active loans into id ranges of ``size`` (the last one open-ended)."""
    bounds = Loan.objects.filter(status=LoanStatus.ACTIVE).aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return
    rows = []
    for number, first in enumerate(range(low, high + 1, size)):
        rows.append(
            CyclePartition(run=run, number=number, first_loan=first, last_loan=first + size - 1)
        )
    CyclePartition.objects.bulk_create(rows)


def _start_run(on: date, workers: int, size: int) -> CycleRun:
    """The run for ``on``: new, resumed after a crash, or repeated after completion."""
    latest = CycleRun.objects.filter(status=RunStatus.COMPLETED).order_by("-business_date").first()
    if latest is not None and latest.business_date > on:
        raise InvalidInput(
            f"the cycle already reached {latest.business_date}; a run for {on} would move"
            " loan positions back in time (replay a loan with `arrears loan --as-of` instead)",
            field="date",
        )
    now = timezone.now()
    with transaction.atomic():
        run, created = CycleRun.objects.select_for_update().get_or_create(
            business_date=on, defaults={"started_at": now, "workers": workers}
        )
        if created:
            _partitions(run, size)
            return run
        run.attempts += 1
        run.workers = workers
        run.error = ""
        if run.status == RunStatus.COMPLETED:
            # Running a finished date again re-executes every step (they change nothing).
            run.steps.all().delete()
            run.partitions.all().delete()
            _partitions(run, size)
        else:
            # Resume: partitions a dead worker held go back to the pool.
            run.partitions.exclude(status=PartitionStatus.DONE).update(
                status=PartitionStatus.PENDING, claimed_by="", error=""
            )
        run.status = RunStatus.RUNNING
        run.started_at = now
        run.finished_at = None
        run.save()
    return run


def _spawn_workers(count: int) -> list[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "arrears", "worker", "--cycle-only"]
    return [subprocess.Popen(command) for _ in range(count)]


def _summarise(run: CycleRun, seconds: float) -> None:
    on = run.business_date
    # One pass over the book's positions for both figures (two counts read it twice).
    counts = LoanPosition.objects.filter(loan__status=LoanStatus.ACTIVE).aggregate(
        loans=Count("pk"), overdue=Count("pk", filter=Q(dpd__gt=0))
    )
    run.loans, run.overdue = counts["loans"], counts["overdue"]
    run.cases_opened = CollectionCase.objects.filter(opened_on=on).count()
    run.cases_closed = CollectionCase.objects.filter(closed_on=on).count()
    run.status = RunStatus.COMPLETED
    run.finished_at = timezone.now()
    run.seconds = round(seconds, 3)  # of the attempt that finished
    run.save()


def cycle_run(
    *,
    on: date,
    workers: int = 1,
    partition_loans: int = PARTITION_LOANS,
    on_progress: OnProgress | None = None,
) -> CycleRun:
    """Close business date ``on`` for every active loan; resumable, idempotent.
    ``on_progress`` is told each step this process finishes, per partition."""
    if workers < 1:
        raise InvalidInput("--workers must be at least 1", field="workers")
    started = time.perf_counter()
    with cycle_lock():
        run = _start_run(on, workers, partition_loans)
        helpers: list[subprocess.Popen[bytes]] = []
        if workers > 1 and connection.vendor == "postgresql":
            helpers = _spawn_workers(workers - 1)
        try:
            work_until_empty(run.pk, on_progress)
        except Exception as error:
            CycleRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED, error=f"{type(error).__name__}: {error}"
            )
            raise
        finally:
            for helper in helpers:
                helper.wait()
        run.refresh_from_db()
        unfinished = run.partitions.exclude(status=PartitionStatus.DONE)
        if unfinished.exists():
            failed = unfinished.filter(status=PartitionStatus.FAILED).first()
            reason = failed.error if failed else "partitions left unfinished"
            run.status = RunStatus.FAILED
            run.error = reason
            run.save(update_fields=["status", "error", "updated_at"])
            raise InvalidInput(f"cycle for {on} failed: {reason}", field="date")
        # What the run wrote in bulk (all of it on a first day) seen by PostgreSQL's planner
        # before the assignment below and the next day plan their joins.
        refresh_stale_statistics([model._meta.db_table for model in CYCLE_WRITES])
        # Buckets are final only once every partition is done; then cases move between
        # teams and each team's pool is shared out. A failure leaves the run failed, and
        # running the date again assigns again (assignment is idempotent).
        try:
            cases_assign(on=on)
        except Exception as error:
            CycleRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED, error=f"assignment: {type(error).__name__}: {error}"
            )
            raise
        _summarise(run, time.perf_counter() - started)
    return run


def cycle_run_through(
    *,
    first: date,
    last: date,
    workers: int = 1,
    partition_loans: int = PARTITION_LOANS,
    on_progress: OnProgress | None = None,
) -> list[CycleRun]:
    """Close each business date from ``first`` to ``last`` in order."""
    if last < first:
        raise InvalidInput(f"--through {last} is before --date {first}", field="through")
    runs = []
    day = first
    while day <= last:
        runs.append(
            cycle_run(
                on=day, workers=workers, partition_loans=partition_loans, on_progress=on_progress
            )
        )
        day += timedelta(days=1)
    return runs
