"""Fast bulk insertion: COPY on PostgreSQL, ``executemany`` on SQLite.

The ORM's ``bulk_create`` builds a Python object and compiles SQL per row; for the millions
of installment and allocation rows of a portfolio that costs several times the insert
itself. Callers pass plain tuples in column order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``table`` and return how many were written.

    Runs inside the caller's transaction. Values must already be database-ready (ints,
    strs, dates, Decimals, None).
    """
    quoted_table = connection.ops.quote_name(table)
    quoted_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quoted_table} ({quoted_columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quoted_table} ({quoted_columns}) VALUES ({placeholders})"
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 10_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def chunked(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """Slices of ``items`` of at most ``size``: keeps ``IN (…)`` lists under SQLite's limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
