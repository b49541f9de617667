"""One command, many subcommands: the base of ``arrears legal``, ``arrears insights`` and
``arrears guarantee``.

Each subcommand lives in a module of the command's ``cli`` package with ``add_to(actions)``,
which adds its parser and sets ``run`` (``run(options, stdout) -> int | None``); the command
only finds the modules and dispatches. An ``ArrearsError`` becomes a one-line refusal with
exit code 2; a subcommand that returns a code has already said what is wrong.
"""

from __future__ import annotations

import pkgutil
from argparse import ArgumentParser
from importlib import import_module
from typing import Any

from django.core.management.base import CommandError

from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError


class SubcommandsCommand(DataCommand):
    """A management command dispatching to the modules of ``cli_package``."""

    # The package of the subcommand modules, e.g. "arrears.legal.cli".
    cli_package = ""
    # The modules in the order ``--help`` lists them; empty: every module, by name.
    subcommands: tuple[str, ...] = ()

    def subcommand_modules(self) -> list[str]:
        """The module names of the subcommands, in order."""
        if self.subcommands:
            return list(self.subcommands)
        package = import_module(self.cli_package)
        return sorted(info.name for info in pkgutil.iter_modules(package.__path__))

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name in self.subcommand_modules():
            import_module(f"{self.cli_package}.{name}").add_to(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code = options["run"](options, self.stdout)
        except ArrearsError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if code:
            # The subcommand has said what is wrong (bundle-verify names each file); a
            # CommandError would add an empty "CommandError:" line to stderr.
            raise SystemExit(code)
