"""``arrears worker``: take work from the database queue (cycle partitions for now).

Start it on any machine that can reach the database; it claims pending partitions of a
running cycle (``SKIP LOCKED`` on PostgreSQL) until none is left.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from arrears.cycle.runner import work_until_empty


class Command(BaseCommand):
    help = "Process queued work: partitions of running cycles."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--cycle-only", action="store_true", help="only cycle partitions, then exit"
        )
        parser.add_argument(
            "--until-empty", action="store_true", help="exit when nothing is left to do"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = work_until_empty()
        if options["verbosity"] > 1:
            self.stdout.write(f"{done} partitions processed")
