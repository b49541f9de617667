"""``arrears insights``: the collection manager's tables from the command line.

arrears insights kpis --month YYYY-MM [--creditor NAME] [--json]
arrears insights roll-rates --from YYYY-MM --to YYYY-MM [--json]
arrears insights vintages --metric ever30|ever90 [--json]
arrears insights recovery [--json]
arrears insights experiment NAME [--json] [--promote ...]

Each subcommand lives in a module of ``arrears.insights.cli`` with an ``add_to(actions)``
that adds its parser and sets ``run``; this command finds them and only dispatches, so a new
table is a new module.
"""

from __future__ import annotations

import pkgutil
from argparse import ArgumentParser
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.core.errors import ArrearsError
from arrears.insights import cli


def subcommand_modules() -> list[str]:
    """The modules of ``arrears.insights.cli``, in name order."""
    return sorted(info.name for info in pkgutil.iter_modules(cli.__path__))


class Command(BaseCommand):
    help = (
        "Insights: aging and KPIs for a month, roll rates, vintages, recovery curves and"
        " experiment results."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name in subcommand_modules():
            import_module(f"arrears.insights.cli.{name}").add_to(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code = options["run"](options, self.stdout)
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if code:
            raise SystemExit(code)
