"""``arrears playbook import FILE`` / ``export NAME [--version N]`` / ``list``.

A playbook's YAML round-trips exactly: exporting what was imported gives the same text.
Importing a changed file publishes the next version; an unchanged one changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError
from arrears.strategy.models import Playbook
from arrears.strategy.selectors import playbook_yaml
from arrears.strategy.services import playbook_import


class Command(DataCommand):
    help = "Import, export and list collection playbooks (YAML)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="publish a playbook from a YAML file")
        load.add_argument("file", metavar="FILE")
        load.add_argument("--note", default="", help="what changed")
        save = actions.add_parser("export", help="print a playbook's YAML")
        save.add_argument("name", metavar="NAME")
        save.add_argument("--version", type=int, help="an earlier version")
        save.add_argument("-o", "--output", metavar="FILE", help="write to FILE")
        actions.add_parser("list", help="the playbooks and their current versions")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            path = Path(options["file"])
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{path}: {exc}", returncode=2) from exc
            before = Playbook.objects.filter(version__gt=0).values_list("name", "version")
            known = dict(before)
            try:
                version = playbook_import(text=text, note=options["note"] or f"import {path.name}")
            except ArrearsError as exc:
                raise CommandError(f"{path}: {exc}", returncode=2) from exc
            name = version.playbook.name
            if known.get(name) == version.number:
                self.stdout.write(f"{name} v{version.number}: unchanged")
            else:
                self.stdout.write(f"{name} v{version.number} published")
        elif options["action"] == "export":
            exported = playbook_yaml(options["name"], options["version"])
            if exported is None:
                raise CommandError(
                    f"no playbook {options['name']!r}"
                    + (f" version {options['version']}" if options["version"] else ""),
                    returncode=2,
                )
            if options["output"]:
                Path(options["output"]).write_text(exported, encoding="utf-8")
            else:
                self.stdout.write(exported, ending="")
        else:
            for playbook in Playbook.objects.all():
                state = "" if playbook.active else " (inactive)"
                self.stdout.write(
                    f"{playbook.name:<24} v{playbook.version:<3} priority {playbook.priority:<4}"
                    f" {playbook.title}{state}"
                )
