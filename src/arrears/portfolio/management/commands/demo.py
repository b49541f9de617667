"""``arrears demo [--loans N]``: load the demo portfolio and a demo login."""

from __future__ import annotations

import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from arrears.accounts.models import User
from arrears.portfolio.demo import PRODUCTS, build_demo_tapes
from arrears.portfolio.models import Loan, Product
from arrears.portfolio.services import creditor_get_or_create, tape_ingest

DEMO_CREDITOR = "示范小额贷款有限公司"
DEMO_USERNAME = "demo"
# The one fixed password in Arrears, and only on the demo account the demo creates.
DEMO_PASSWORD = "arrears-demo"


class Command(BaseCommand):
    help = "Build a realistic demo portfolio through the tape importer, and a demo login."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loans", type=int, default=1000, help="how many loans (1000)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when loans are already loaded"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Loan.objects.exists():
            self.stdout.write("Portfolio already loaded; demo data not added.")
            self._ensure_login()
            return
        creditor = creditor_get_or_create(name=DEMO_CREDITOR)
        for profile in PRODUCTS:
            Product.objects.get_or_create(
                creditor=creditor,
                code=profile.code,
                defaults={"name": profile.name, "grace_days": profile.grace_days},
            )
        today = timezone.localdate()
        with tempfile.TemporaryDirectory() as tmp:
            tapes = build_demo_tapes(
                Path(tmp), loans=options["loans"], today=today, seed=options["seed"]
            )
            for kind, path in (
                ("loans", tapes.loans),
                ("payments", tapes.payments),
                ("parties", tapes.parties),
            ):
                result = tape_ingest(
                    creditor=creditor, kind=kind, path=path, rejects_path=Path(tmp) / "rejects.csv"
                )
                self.stdout.write(
                    f"demo {kind}: {result.created:,} created, {result.unchanged:,} unchanged, "
                    f"{result.rejected:,} rejected ({result.seconds:.1f} s)"
                )
                if result.rejected:
                    self.stderr.write((Path(tmp) / "rejects.csv").read_text(encoding="utf-8-sig"))
        self._ensure_login()

    @transaction.atomic
    def _ensure_login(self) -> None:
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        self.stdout.write(f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
