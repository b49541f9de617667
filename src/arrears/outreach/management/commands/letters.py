"""``arrears letters batch --date D [--duplex] [--json]``: the day's letters in one PDF.

Merges every letter filed for business date ``D`` (``DATA_DIR/letters/D/``) into
``batch.pdf`` for one print job and prints its path and counts:

    {"date": "2026-07-01", "letters": 2, "pages": 3,
     "batch_pdf": ".../letters/2026-07-01/batch.pdf", "manifest": ".../manifest.csv"}

A day without letters answers ``"letters": 0`` and null paths. On a terminal a progress
bar (letters merged, rate, ETA) runs on standard error.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from arrears.core.commands import DataCommand
from arrears.core.progress import progress
from arrears.outreach.letters import LetterError, print_batch_build, read_manifest
from arrears.portfolio.management.cli import parse_business_date


class Command(DataCommand):
    help = "Build the print batch of a business date's letters."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        batch = actions.add_parser("batch", help="merge a day's letters into batch.pdf")
        batch.add_argument("--date", required=True, metavar="DATE", help="the business date")
        batch.add_argument(
            "--duplex", action="store_true", help="pad letters to even pages (two-sided print)"
        )
        batch.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_business_date(options["date"], "--date")
        try:
            total = len(read_manifest(day))
            with progress(total=total or None, desc="letters", unit="letter") as bar:
                batch = print_batch_build(day, duplex=options["duplex"], on_progress=bar.update)
        except LetterError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        summary = {
            "date": day.isoformat(),
            "letters": batch.letters,
            "pages": batch.pages,
            "batch_pdf": str(batch.batch_pdf) if batch.batch_pdf else None,
            "manifest": str(batch.manifest) if batch.manifest else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        if batch.batch_pdf is None:
            self.stdout.write(f"No letters for {day.isoformat()}.")
            return
        self.stdout.write(str(batch.batch_pdf))
        self.stdout.write(
            f"{batch.letters:,} letters, {batch.pages:,} pages (manifest: {batch.manifest})"
        )
