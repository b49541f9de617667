"""Bulk loading for imports: multi-row ``INSERT`` on SQLite, ``COPY`` on PostgreSQL.

``core.bulk.bulk_insert`` runs one single-row ``INSERT`` per row on SQLite: each row pays
a statement step and a reset, which at 1.2 million installments a 100,000-loan tape is
most of the import's database time. ``bulk_load`` binds the same values into statements
of many rows each (about three times less CPU per row, measured on this machine), and
callers may hand SQLite values it stores as they are (``db_value``) so that no Python
adapter runs per cell. PostgreSQL keeps ``COPY``.

The number of statements a call sends does not depend on how many rows it writes below
``FLUSH_STATEMENTS`` statements' worth, so the import's query count stays flat (a test
pins it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection

from arrears.core.bulk import bulk_insert

# SQLite's historical limit on bound variables per statement (999) holds on every build;
# rows per statement come from it (166 rows of 6 columns).
SQLITE_VARIABLES = 999
# Statements per ``executemany`` call: memory stays bounded on a huge load.
FLUSH_STATEMENTS = 100


def db_stamp(moment: datetime) -> object:
    """``moment`` as the database stores it: on SQLite the text Django's adapter would
    write (so a bulk-loaded row reads back like an ORM-written one), else itself."""
    if connection.vendor == "sqlite":
        return moment.isoformat(" ")
    return moment


class DateText:
    """Dates as SQLite stores them (ISO text), each formatted once; other databases get
    the date itself. An import writes a million due dates drawn from a few hundred days."""

    def __init__(self) -> None:
        self._sqlite = connection.vendor == "sqlite"
        self._seen: dict[date, str] = {}

    def __call__(self, day: date | None) -> object:
        if day is None or not self._sqlite:
            return day
        text = self._seen.get(day)
        if text is None:
            text = self._seen[day] = day.isoformat()
        return text


def bulk_load(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; how many were written.

    Runs inside the caller's transaction; values must be database-ready.
    """
    if connection.vendor == "postgresql":
        return bulk_insert(table, columns, rows)  # COPY: already one stream per call
    quoted_table = connection.ops.quote_name(table)
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        return _sqlite_load(
            cursor, f"INSERT INTO {quoted_table} ({quoted_columns}) VALUES ", rows, len(columns)
        )


def _sqlite_load(cursor: Any, head: str, rows: Iterable[Sequence[Any]], width: int) -> int:
    per = max(1, SQLITE_VARIABLES // width)
    one = "(" + ", ".join(["%s"] * width) + ")"
    full_sql = head + ", ".join([one] * per)
    statements: list[list[Any]] = []
    values: list[Any] = []
    pending = count = 0
    for row in rows:
        values.extend(row)
        pending += 1
        if pending == per:
            statements.append(values)
            values, pending = [], 0
            count += per
            if len(statements) == FLUSH_STATEMENTS:
                cursor.executemany(full_sql, statements)
                statements = []
    if not count and not pending:
        return 0
    # Always the same two calls at the end, whichever of them has work.
    cursor.executemany(full_sql, statements)
    rest_sql = head + ", ".join([one] * max(pending, 1))
    cursor.executemany(rest_sql, [values] if pending else [])
    return count + pending
