"""``arrears guarantee``: a guarantee company's pay-outs (代偿) and recourse (追偿).

arrears guarantee payout LOAN --on D --amount YUAN [--by CREDITOR] [--penalty-rate R]
                             [--evidence TEXT | --file PATH] [--creditor NAME] [--json]
arrears guarantee recover CLAIM --on D --amount YUAN --payment-id ID [--payer PARTY] [--json]
arrears guarantee report [--creditor NAME] [--as-of D] [--json]

Each subcommand lives in ``arrears.guarantee.cli.<name>``, which adds its parser and the
function that runs it; this command only dispatches.
"""

from __future__ import annotations

from argparse import ArgumentParser
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.core.errors import ArrearsError

SUBCOMMAND_MODULES = ("payout", "recover", "report")


class Command(BaseCommand):
    help = (
        "Guarantee companies: record a pay-out (代偿) and its recourse claim, recoveries on"
        " claims, and the pay-out and recovery report."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name in SUBCOMMAND_MODULES:
            import_module(f"arrears.guarantee.cli.{name}").add_to(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            options["run"](options, self.stdout)
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
