"""``arrears bench import|cycle|outreach|workbench|insights|score``: time the import, the
daily cycle, sending, the collector's pages, the manager's month tables, or scoring.

Point it at a scratch database (``ARREARS_DATA_DIR`` for SQLite, ``DATABASE_URL`` for
PostgreSQL): it loads a fresh creditor's portfolio. ``bench/import.sh`` does both.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import IO, Any, cast

from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError
from arrears.cycle.bench import bench_cycle
from arrears.insights.bench import bench_insights
from arrears.outreach.bench import bench_outreach
from arrears.portfolio.bench_portfolio import bench_import
from arrears.workbench.bench import bench_workbench


class Command(DataCommand):
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
        outreach.add_argument(
            "--sms-url",
            metavar="URL",
            help="a generic JSON SMS gateway to send to (default: start the local fake "
            "gateway, tests/fakes/sms_gateway.py, from the source checkout)",
        )
        outreach.add_argument(
            "--sms-token", metavar="TOKEN", help="its bearer token (default: bench-secret)"
        )
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
        insights = sub.add_parser(
            "insights",
            help="time the month tables (KPIs, roll rates, vintages, recovery) on a synthetic"
            " history",
        )
        insights.add_argument("--loans", type=int, default=1_000_000)
        insights.add_argument("--months", type=int, default=12, help="stored month ends")
        insights.add_argument("--json", action="store_true")
        score = sub.add_parser("score", help="time the cycle's scoring of open cases")
        score.add_argument("--cases", type=int, default=150_000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        kind = options["bench"]
        if kind == "score":
            # Imported here: the scoring bench builds its own cases and prints as it goes.
            from arrears.insights.bench_score import score_bench

            # OutputWrapper writes like a text stream without declaring itself one.
            score_bench(options["cases"], cast("IO[str]", self.stdout))
            return
        if kind == "insights":
            try:
                figures = bench_insights(loans=options["loans"], months=options["months"])
            except ArrearsError as exc:
                raise CommandError(str(exc), returncode=2) from exc
        elif kind == "outreach":
            figures = bench_outreach(
                messages=options["messages"],
                workers=options["workers"],
                channel=options["channel"],
                sms_url=options["sms_url"],
                sms_token=options["sms_token"],
            )
        elif kind == "workbench":
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
        elif kind == "cycle":
            figures = bench_cycle(
                loans=options["loans"],
                days=options["days"],
                workers=options["workers"],
                first_day=options["date"],
                seed=options["seed"],
            )
        else:
            figures = bench_import(loans=options["loans"], seed=options["seed"])
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        elif kind == "cycle":
            self._print_cycle(figures)
        else:
            width = 20 if kind in ("outreach", "workbench") else 24
            width = 26 if kind == "insights" else width
            for key, value in figures.items():
                self.stdout.write(f"{key:>{width}}: {value}")

    def _print_cycle(self, figures: dict[str, Any]) -> None:
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
