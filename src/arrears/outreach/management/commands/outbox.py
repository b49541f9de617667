"""``arrears outbox [--json]``: messages by channel and status."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from arrears.outreach.selectors import outbox_counts


class Command(BaseCommand):
    help = "Count the outbox's messages by channel and status."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = outbox_counts()
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
            return
        if not counts:
            self.stdout.write("The outbox is empty.")
        for channel, statuses in counts.items():
            shown = ", ".join(f"{status} {n:,}" for status, n in statuses.items())
            self.stdout.write(f"{channel:<7} {shown}")
