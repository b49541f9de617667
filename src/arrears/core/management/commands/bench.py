"""``arrears bench import|cycle|outreach|workbench``: time the import, the daily cycle,
sending, or the collector's pages.

Point it at a scratch database (``ARREARS_DATA_DIR`` for SQLite, ``DATABASE_URL`` for
PostgreSQL): it loads a fresh creditor's portfolio. ``bench/import.sh`` does both.
"""

from __future__ import annotations

import gc
import json
import resource
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from arrears.portfolio.models import Installment, Loan
from arrears.portfolio.services import creditor_get_or_create, tape_ingest
from arrears.portfolio.synthetic import write_bench_tape


class Command(BaseCommand):
    help = "Benchmarks that print figures (never asserted in tests)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="bench", required=True)
        imports = sub.add_parser("import", help="time `ingest loans` on a synthetic tape")
        imports.add_argument("--loans", type=int, default=100_000)
        imports.add_argument("--seed", type=int, default=7)
        imports.add_argument("--json", action="store_true")
        cycle = sub.add_parser("cycle", help="time cycle days on a synthetic portfolio")
        cycle.add_argument("--loans", type=int, default=100_000)
        cycle.add_argument("--days", type=int, default=1, help="following days to time")
        cycle.add_argument("--workers", type=int, default=1)
        cycle.add_argument("--date", default="2026-06-30", help="the first cycle date")
        cycle.add_argument("--seed", type=int, default=11)
        cycle.add_argument("--json", action="store_true")
        outreach = sub.add_parser("outreach", help="time the worker sending queued messages")
        outreach.add_argument("--messages", type=int, default=100_000)
        outreach.add_argument("--workers", type=int, default=1)
        outreach.add_argument("--channel", choices=["sms", "email"], default="sms")
        outreach.add_argument("--json", action="store_true")
        workbench = sub.add_parser(
            "workbench", help="time the queue and case pages under concurrent collectors"
        )
        workbench.add_argument("--loans", type=int, default=1_000_000)
        workbench.add_argument("--users", type=int, default=16, help="concurrent collectors")
        workbench.add_argument("--rounds", type=int, default=30, help="queue+case per user")
        workbench.add_argument("--date", default="2026-06-30", help="the business date")
        workbench.add_argument("--server-workers", type=int, default=3)
        workbench.add_argument("--server-threads", type=int, default=4)
        workbench.add_argument("--cycle-workers", type=int, default=2)
        workbench.add_argument(
            "--think-ms",
            type=int,
            nargs="+",
            default=[0, 1000],
            help="pause between one user's pages; one load phase per value",
        )
        workbench.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bench"] == "outreach":
            from arrears.outreach.bench import bench_outreach

            call_command("migrate", verbosity=0)
            figures = bench_outreach(
                messages=options["messages"],
                workers=options["workers"],
                channel=options["channel"],
            )
            if options["json"]:
                self.stdout.write(json.dumps(figures, ensure_ascii=False))
            else:
                for key, value in figures.items():
                    self.stdout.write(f"{key:>20}: {value}")
            return
        if options["bench"] == "workbench":
            from datetime import date

            from arrears.cases.bench import bench_workbench

            call_command("migrate", verbosity=0)
            figures = bench_workbench(
                loans=options["loans"],
                users=options["users"],
                rounds=options["rounds"],
                on=date.fromisoformat(options["date"]),
                server_workers=options["server_workers"],
                server_threads=options["server_threads"],
                cycle_workers=options["cycle_workers"],
                think_ms=tuple(options["think_ms"]),
            )
            if options["json"]:
                self.stdout.write(json.dumps(figures, ensure_ascii=False))
            else:
                for key, value in figures.items():
                    self.stdout.write(f"{key:>20}: {value}")
            return
        if options["bench"] == "cycle":
            self._bench_cycle(options)
            return
        self._bench_import(options)

    def _bench_cycle(self, options: dict[str, Any]) -> None:
        from datetime import date, timedelta

        from arrears.cases.models import CollectionCase
        from arrears.cycle.runner import cycle_run
        from arrears.cycle.selectors import run_steps
        from arrears.cycle.synthetic import build_bench_portfolio, post_bench_payments
        from arrears.strategy.models import PlannedAction

        call_command("migrate", verbosity=0)
        first = date.fromisoformat(options["date"])
        started = time.perf_counter()
        built = build_bench_portfolio(
            loans=options["loans"], first_day=first, days=options["days"], seed=options["seed"]
        )
        figures: dict[str, Any] = {
            "database": connection.vendor,
            "loans": built.loans,
            "installments": built.installments,
            "payments": built.payments,
            "build_seconds": round(time.perf_counter() - started, 1),
            "workers": options["workers"],
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
        for offset in range(options["days"] + 1):
            day = first + timedelta(days=offset)
            posted = 0
            if offset:
                posted = post_bench_payments(
                    built.creditor_id, built.later_payments.get(day, []), day
                )
            started = time.perf_counter()
            run = cycle_run(on=day, workers=options["workers"])
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
                    "plan_seconds": next(
                        s["seconds"] for s in run_steps(run) if s["name"] == "plan"
                    ),
                    "steps": {s["name"]: s["seconds"] for s in run_steps(run)},
                }
            )
        figures["reference_replay_10k"] = self._replay_sample(first + timedelta(days=offset))
        figures["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        # The largest worker process the run started (0 with one worker); the database
        # server's own memory is not counted in either figure.
        figures["worker_peak_memory_mb"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        )
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        for key, value in figures.items():
            if key != "days":
                self.stdout.write(f"{key:>24}: {value}")
        for day_figures in figures["days"]:
            self.stdout.write(
                f"  {day_figures['date']}: {day_figures['seconds']} s "
                f"({day_figures['loans_per_second']:,} loans/s), "
                f"{day_figures['payments_posted']:,} payments posted before it, "
                f"{day_figures['overdue']:,} overdue, +{day_figures['cases_opened']:,}"
                f"/-{day_figures['cases_closed']:,} cases, {day_figures['open_cases']:,} open,"
                f" {day_figures['planned_actions']:,} actions planned in"
                f" {day_figures['plan_seconds']} s (plan step, summed over partitions)"
            )
            steps = ", ".join(f"{k} {v}" for k, v in day_figures["steps"].items())
            self.stdout.write(f"      steps (s, summed over partitions): {steps}")

    def _replay_sample(self, on: Any) -> dict[str, float]:
        """The plain reference replay on 10,000 loans: reading their inputs, replaying."""
        from arrears.cycle.refresh import read_inputs
        from arrears.portfolio.calculations.allocation import replay

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

    def _bench_import(self, options: dict[str, Any]) -> None:
        call_command("migrate", verbosity=0)
        count = options["loans"]
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            tape = write_bench_tape(Path(tmp) / "bench_loans.csv", count, seed=options["seed"])
            generated = time.perf_counter() - started
            creditor = creditor_get_or_create(name=f"bench {timezone.now():%Y-%m-%d %H:%M:%S}")
            started = time.perf_counter()
            result = tape_ingest(creditor=creditor, kind="loans", path=tape)
            seconds = time.perf_counter() - started
        installments = Installment.objects.filter(loan__creditor=creditor).count()
        figures = {
            "database": connection.vendor,
            "loans": Loan.objects.filter(creditor=creditor).count(),
            "installments": installments,
            "rejected": result.rejected,
            "tape_seconds": round(generated, 2),
            "import_seconds": round(seconds, 2),
            "loans_per_second": round(count / seconds),
            "installments_per_second": round(installments / seconds),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key:>24}: {value}")
