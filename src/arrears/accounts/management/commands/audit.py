"""``arrears audit verify [--json]``: check that the audit log's hash chain is unbroken."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exits 1 at the first entry that breaks it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        count, found = audit_verify()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "entries": count,
                        "intact": found is None,
                        "broken_at": found.number if found else None,
                        "problem": found.problem if found else None,
                    }
                )
            )
        elif found is None:
            self.stdout.write(f"Audit chain intact: {count} entries.")
        if found is not None:
            raise CommandError(f"audit chain broken at entry {found.number}: {found.problem}")
