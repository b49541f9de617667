"""Free space left in each page of tables the cycle rewrites every day (PostgreSQL).

A PostgreSQL UPDATE that changes no indexed column can write the new row version into the
same page (a heap-only tuple: no index entry, no new page) only if the page has room.
Tables filled to 100 % (the default) have none, so each daily rewrite of an overdue loan's
position, its installments' accrual and its case's DPD went to another page with new
entries in every index. Leaving a fifth of each page free keeps most of them in place.
SQLite has no such setting: the operation does nothing there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# Percent of each page filled by INSERTs; the rest is kept for updates.
CYCLE_FILLFACTOR = 80


def fillfactor(table: str, percent: int = CYCLE_FILLFACTOR) -> migrations.RunPython:
    """A reversible migration operation setting ``table``'s fillfactor on PostgreSQL."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            name = schema_editor.quote_name(table)
            schema_editor.execute(f"ALTER TABLE {name} SET (fillfactor = {int(percent)})")

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(table)} RESET (fillfactor)"
            )

    return migrations.RunPython(forward, backward, elidable=False)
