"""``arrears cycle --date D [--through D2] [--workers N] [--json]`` and ``--status``.

On a terminal a progress bar (steps of every partition of every date, with rate and ETA)
runs on standard error; standard output has one line per date, or the JSON.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError

from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError
from arrears.core.progress import progress
from arrears.cycle.models import CycleRun
from arrears.cycle.runner import (
    PARTITION_LOANS,
    STEP_FUNCTIONS,
    cycle_run_through,
    partitions_planned,
)
from arrears.cycle.selectors import position_mismatches, recent_runs, run_steps, state_digest
from arrears.portfolio.management.cli import parse_business_date
from arrears.portfolio.models import Loan


def run_summary(run: CycleRun) -> dict[str, Any]:
    """The ``--json`` contract: later issues add keys, never rename these."""
    return {
        "date": run.business_date.isoformat(),
        "loans": run.loans,
        "overdue": run.overdue,
        "cases_opened": run.cases_opened,
        "cases_closed": run.cases_closed,
        "seconds": run.seconds,
        "status": run.status,
        "attempts": run.attempts,
        "workers": run.workers,
        "worker_processes": sorted(
            set(run.partitions.exclude(claimed_by="").values_list("claimed_by", flat=True))
        ),
        "steps": run_steps(run),
    }


class Command(DataCommand):
    help = "Close business dates: positions, DPD, penalty, classification, cases, history."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--date", metavar="DATE", help="the business date to close")
        parser.add_argument("--through", metavar="DATE", help="close every date up to this one")
        parser.add_argument("--workers", type=int, default=1, help="processes (PostgreSQL)")
        parser.add_argument(
            "--partition-loans",
            type=int,
            default=PARTITION_LOANS,
            help="loan ids per partition (tuning and tests)",
        )
        parser.add_argument("--status", action="store_true", help="show the latest runs")
        parser.add_argument(
            "--digest",
            action="store_true",
            help="print a SHA-256 of the whole cycle state (to compare databases or reruns)",
        )
        parser.add_argument(
            "--verify",
            type=int,
            metavar="N",
            help="compare N loans' stored state with the reference replay",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self._status(options["json"])
            return
        if options["digest"]:
            self.stdout.write(state_digest())
            return
        if options["verify"]:
            self._verify(options["verify"])
            return
        if not options["date"]:
            raise CommandError("--date is required (or --status)", returncode=2)
        first = parse_business_date(options["date"], "--date")
        last = parse_business_date(options["through"], "--through") if options["through"] else first
        days = (last - first).days + 1
        steps = max(days, 0) * partitions_planned(options["partition_loans"]) * len(STEP_FUNCTIONS)
        try:
            with progress(total=steps or None, desc="cycle", unit="step") as bar:

                def step_done(step: str) -> None:
                    bar.update()
                    bar.set_postfix_str(step, refresh=False)

                runs = cycle_run_through(
                    first=first,
                    last=last,
                    workers=options["workers"],
                    partition_loans=options["partition_loans"],
                    on_progress=step_done,
                )
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except DatabaseError as exc:
            # The run is marked failed with this error; what finished stays finished.
            raise CommandError(
                f"the cycle failed: {type(exc).__name__}: {exc}. Fix the cause and run the"
                " same command again: it resumes where it stopped.",
                returncode=1,
            ) from exc
        summaries = [run_summary(run) for run in runs]
        if options["json"]:
            payload: Any = summaries[0] if len(summaries) == 1 else summaries
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        for summary in summaries:
            self._print(summary)

    def _print(self, summary: dict[str, Any]) -> None:
        self.stdout.write(
            f"{summary['date']}: {summary['loans']:,} loans, {summary['overdue']:,} overdue, "
            f"{summary['cases_opened']:,} cases opened, {summary['cases_closed']:,} closed "
            f"({summary['seconds']:.1f} s)"
        )

    def _verify(self, count: int) -> None:
        loans = list(Loan.objects.filter(position__isnull=False).order_by("?")[:count])
        problems = position_mismatches(loans)
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} differences between stored state and replay", returncode=1
            )
        self.stdout.write(f"{len(loans)} loans checked: stored state equals the replay")

    def _status(self, as_json: bool) -> None:
        runs = recent_runs()
        if as_json:
            self.stdout.write(json.dumps([run_summary(run) for run in runs], ensure_ascii=False))
            return
        if not runs:
            self.stdout.write("no cycle has run yet")
            return
        for run in runs:
            error = f" — {run.error}" if run.error else ""
            self.stdout.write(
                f"{run.business_date} {run.status:<9} {run.loans:>10,} loans "
                f"{run.overdue:>8,} overdue  +{run.cases_opened:,}/-{run.cases_closed:,} cases "
                f"{run.seconds:>8.1f} s  attempt {run.attempts}{error}"
            )
