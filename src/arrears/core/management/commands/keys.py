"""``arrears keys``: the keys that encrypt personal identifiers at rest.

    arrears keys status [--json]     where the keys come from; per encrypted column, how
                                     many values each key sealed (exit 1 when a value is
                                     clear or under a key no longer configured)
    arrears keys rotate [--reindex] [--new-key]
                                     re-encrypt under the newest key every value sealed
                                     under an older one (batches, each committed: safe to
                                     interrupt and run again); --reindex also recomputes
                                     every blind index (after changing ARREARS_INDEX_KEY);
                                     --new-key first adds a key to the demo key file
    arrears keys generate            print a new ARREARS_FIELD_KEYS item and a new
                                     ARREARS_INDEX_KEY

Rotation with keys from the environment: put the new key first in ARREARS_FIELD_KEYS
(keep the old ones after it), restart every process, run ``arrears keys rotate``, and drop
the old key once ``keys status`` shows no value under it. docs/security.md.
"""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from arrears.core.commands import DataCommand
from arrears.core.crypto import (
    field_keys,
    index_key_fingerprint,
    new_field_key_item,
    new_index_key,
    write_field_keys_file,
)
from arrears.core.encryption_batches import BATCH_ROWS, Column, column_counts, column_rotate
from arrears.core.fields import encrypted_columns


def columns() -> list[Column]:
    """Every encrypted column with its blind index, as the batch passes take them."""
    found = []
    for model, field in encrypted_columns():
        index = field.blind_index_field()
        found.append(
            Column(
                model._meta.db_table,
                field.column,
                index=index.column if index else "",
                scheme=index.scheme if index else "",
                scheme_column=(
                    str(getattr(model._meta.get_field(index.scheme_field), "column", ""))
                    if index and index.scheme_field
                    else ""
                ),
            )
        )
    return sorted(found, key=lambda column: column.context)


class Command(DataCommand):
    help = "Show and rotate the keys that encrypt ID numbers, phones and emails at rest."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        status = actions.add_parser("status", help="keys in force and what each sealed")
        status.add_argument("--json", action="store_true", help="print JSON")
        rotate = actions.add_parser("rotate", help="re-encrypt everything under the newest key")
        rotate.add_argument(
            "--reindex", action="store_true", help="recompute every blind index too"
        )
        rotate.add_argument(
            "--new-key",
            action="store_true",
            help="add a new key first to the key file (keys not from the environment)",
        )
        rotate.add_argument("--batch", type=int, default=BATCH_ROWS, help="rows a batch")
        actions.add_parser("generate", help="print new keys for the environment")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self.stdout.write(f"ARREARS_FIELD_KEYS={new_field_key_item()}")
            self.stdout.write(f"ARREARS_INDEX_KEY={new_index_key()}")
            return
        if action == "status":
            self._status(as_json=options["json"])
            return
        if options["new_key"]:
            self._add_key()
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        keys = field_keys()
        total, started = 0, time.perf_counter()
        for column in columns():
            changed = column_rotate(column, reindex=options["reindex"], batch_rows=options["batch"])
            total += changed
            self.stdout.write(f"{column.context}: {changed} rewritten")
        self.stdout.write(
            f"{total} values now under key '{keys.current}' ({time.perf_counter() - started:.1f} s)"
        )

    def _add_key(self) -> None:
        keys = field_keys()
        if keys.source == "environment":
            raise CommandError(
                "the keys come from ARREARS_FIELD_KEYS: put a new key first there (make one "
                "with `arrears keys generate`), restart the processes, then run "
                "`arrears keys rotate`"
            )
        current = Path(keys.source).read_text().split()
        path = write_field_keys_file([new_field_key_item(), *current])
        self.stdout.write(f"new key '{field_keys().current}' added first to {path}")

    def _status(self, *, as_json: bool) -> None:
        keys = field_keys()
        report: dict[str, Any] = {
            "field_keys": {
                "source": keys.source,
                "current": keys.current,
                "keys": list(keys.keys),
            },
            "index_key_fingerprint": index_key_fingerprint(),
            "columns": {column.context: column_counts(column) for column in columns()},
        }
        trouble = [
            f"{context}: {counts['']} clear, {counts['other keys']} under unknown keys"
            for context, counts in report["columns"].items()
            if counts[""] or counts["other keys"]
        ]
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            where = (
                "ARREARS_FIELD_KEYS" if keys.source == "environment" else f"{keys.source} (demo)"
            )
            self.stdout.write(f"field keys from {where}; current '{keys.current}'")
            self.stdout.write(f"index key fingerprint {report['index_key_fingerprint']}")
            for context, counts in report["columns"].items():
                sealed = ", ".join(f"{kid}: {counts[kid]}" for kid in keys.keys if counts.get(kid))
                self.stdout.write(
                    f"  {context}: {sealed or 'nothing sealed'}; {counts['empty']} empty"
                    + (f"; {counts['']} CLEAR" if counts[""] else "")
                    + (
                        f"; {counts['other keys']} UNDER UNKNOWN KEYS"
                        if counts["other keys"]
                        else ""
                    )
                )
        if trouble:
            raise CommandError("values not readable or not encrypted: " + "; ".join(trouble))
