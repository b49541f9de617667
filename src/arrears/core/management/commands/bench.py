"""``arrears bench import --loans N``: time the loan-tape import on the configured database.

Point it at a scratch database (``ARREARS_DATA_DIR`` for SQLite, ``DATABASE_URL`` for
PostgreSQL): it loads a fresh creditor's portfolio. ``bench/import.sh`` does both.
"""

from __future__ import annotations

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

    def handle(self, *args: Any, **options: Any) -> None:
        self._bench_import(options)

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
