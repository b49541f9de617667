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
from itertools import chain, islice
from typing import Any

from django.db import connection

from arrears.core.bulk import bulk_insert

# Bound variables per statement: SQLite's default limit since 3.32 (5,461 rows of 6
# columns), lowered to what the build allows (999 on old ones). Few, large statements
# matter twice: each step lets go of the interpreter lock, and taking it back from the
# thread that validates the next chunk costs up to the switch interval (5 ms), which at
# 166 rows a statement was more than the inserting itself.
SQLITE_VARIABLES = 32_766
SQLITE_LIMIT_VARIABLE_NUMBER = 9  # sqlite3.h; the sqlite3 module names it from 3.11 on
# Statements per ``executemany`` call: memory stays bounded on a huge load.
FLUSH_STATEMENTS = 20


def db_stamp(moment: datetime) -> object:
    """``moment`` as text the database reads back as the same instant: on SQLite the text
    Django's adapter would write (so a bulk-loaded row reads back like an ORM-written one),
    on PostgreSQL ISO 8601 with its offset, formatted once rather than by the COPY for every
    row (an aware instant is the costliest value a row of the import carries)."""
    if connection.vendor == "sqlite":
        return moment.isoformat(" ")
    return moment.isoformat()


class DateText:
    """Dates as ISO text (how SQLite stores them, and what a COPY reads), each formatted
    once. An import writes a million due dates drawn from a few hundred days."""

    def __init__(self) -> None:
        self._seen: dict[date, str] = {}

    def __call__(self, day: date | None) -> str | None:
        if day is None:
            return None
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
    connection.ensure_connection()
    limit = connection.connection.getlimit(SQLITE_LIMIT_VARIABLE_NUMBER)
    with connection.cursor() as cursor:
        return _sqlite_load(
            cursor,
            f"INSERT INTO {quoted_table} ({quoted_columns}) VALUES ",
            rows,
            len(columns),
            min(SQLITE_VARIABLES, limit),
        )


def copy_text(table: str, columns: Sequence[str], text: str) -> None:
    """PostgreSQL: ``COPY`` ``text`` (lines in COPY's text format, ``columns`` order, values
    escaped by the caller) into ``table`` in one write. For rows a caller can format in
    bulk, or on another core: handing rows one by one to ``bulk_insert`` costs the writing
    process a few microseconds each in the driver."""
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted_columns}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(sql) as copy:
            copy.write(text)


def _sqlite_load(
    cursor: Any, head: str, rows: Iterable[Sequence[Any]], width: int, variables: int
) -> int:
    per = max(1, variables // width)
    # SQLite's own placeholder: Django's backend turns each ``%s`` into ``?`` with a regular
    # expression on every call, and a statement of 32,766 of them takes milliseconds to
    # rewrite; a query already in ``?`` form passes through unchanged.
    one = "(" + ", ".join(["?"] * width) + ")"
    full_sql = head + ", ".join([one] * per)
    statements: list[list[Any]] = []
    count = 0
    iterator = iter(rows)
    flat = chain.from_iterable
    full = per * width
    # Each statement's values are gathered by ``chain`` and ``islice`` in C: a Python loop
    # over 1.2 million installment rows would cost more than SQLite's inserting them.
    while len(values := list(flat(islice(iterator, per)))) == full:
        statements.append(values)
        count += per
        if len(statements) == FLUSH_STATEMENTS:
            cursor.executemany(full_sql, statements)
            statements = []
    pending = len(values) // width
    if not count and not pending:
        return 0
    # Always the same two calls at the end, whichever of them has work.
    cursor.executemany(full_sql, statements)
    rest_sql = head + ", ".join([one] * max(pending, 1))
    cursor.executemany(rest_sql, [values] if pending else [])
    return count + pending
