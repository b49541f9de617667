"""``arrears legal``: the legal desk from the command line.

arrears legal fees --claim 150000 [--json]
arrears legal claim LOAN --as-of 2026-12-01 [--accelerate] [--json]
arrears legal matter open LOAN --kind lawsuit --court NAME --on D [--json]
arrears legal matter event ID --kind served --on D
arrears legal deadlines [--within DAYS] [--json]
arrears legal document LOAN --kind complaint --format docx --out PATH [--as-of D]
arrears legal bundle LOAN --out DIR [--json]
arrears legal bundle-verify PATH

Each subcommand lives in ``arrears.legal.cli.<name>``, which adds its parser and the
function that runs it; this command only dispatches.
"""

from __future__ import annotations

from argparse import ArgumentParser
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.core.errors import ArrearsError

SUBCOMMAND_MODULES = ("fees", "claim", "matter", "deadlines", "document", "bundle")


class Command(BaseCommand):
    help = (
        "Legal recovery: court fees, the claim on a date, matters and their deadlines, court"
        " documents and evidence bundles."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name in SUBCOMMAND_MODULES:
            import_module(f"arrears.legal.cli.{name}").add_to(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code = options["run"](options, self.stdout)
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if code:
            # The subcommand has said what is wrong (bundle-verify names each file); a
            # CommandError would add an empty "CommandError:" line to stderr.
            raise SystemExit(code)
