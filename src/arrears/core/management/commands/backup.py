"""``arrears backup --out PATH``: a consistent copy of the database and its sidecar
(docs/security.md, "Backups")."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from arrears.core.backup import backup_write
from arrears.core.commands import DataCommand
from arrears.core.errors import ArrearsError


class Command(DataCommand):
    help = (
        "Back up the configured database while the application runs (SQLite: online backup "
        "API; PostgreSQL: pg_dump --format=custom), with a sidecar PATH.meta.json recording "
        "the Arrears version, the audit head and the migrations. Keys are not included."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--out", required=True, help="the backup file to write (must not exist)"
        )
        parser.add_argument("--json", action="store_true", help="print the sidecar as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup_write(out=Path(options["out"]))
        except ArrearsError as error:
            raise CommandError(str(error), returncode=2) from error
        if options["json"]:
            self.stdout.write(json.dumps(done.meta, sort_keys=True))
            return
        audit = done.meta["audit"]
        self.stdout.write(
            f"Backed up the {done.meta['database']} database to {done.path} "
            f"({done.meta['size']:,} bytes); audit head #{audit['count']} "
            f"{audit['hash'][:16]}…; sidecar {done.sidecar}.\n"
            "Keys are not in the backup: keep ARREARS_AUDIT_KEY, ARREARS_FIELD_KEYS, "
            "ARREARS_INDEX_KEY (or the key files of the data directory) safe with it, or the "
            "restored data cannot be read or checked."
        )
