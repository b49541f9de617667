"""``arrears blacklist export --by USER [--reveal] [--json]``: the listed parties (黑名单)
for the credit and guarantee side, ID numbers masked unless ``--reveal`` and the user's
role may see them (that export is audited with the parties it showed)."""

from __future__ import annotations

import csv
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from arrears.accounts.models import User
from arrears.cases.blacklist_services import EXPORT_COLUMNS, blacklist_export
from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError


class Command(DataCommand):
    help = "The party blacklist: export the listed parties (ID numbers masked by default)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="print the listed parties as CSV or JSON")
        export.add_argument("--by", required=True, metavar="USER", help="who exports (audited)")
        export.add_argument(
            "--reveal", action="store_true", help="full ID numbers (roles that may reveal them)"
        )
        export.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["by"], is_active=True).first()
        if user is None:
            raise CommandError(f"--by: no active user called '{options['by']}'", returncode=2)
        try:
            rows = blacklist_export(by=user, reveal=options["reveal"])
        except ArrearsError as error:
            raise CommandError(str(error), returncode=2) from error
        if options["json"]:
            self.stdout.write(json.dumps({"parties": rows}, ensure_ascii=False, indent=2))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
