"""Looking up many keys at once for an import: plain SQL ``IN`` lists.

The ORM prepares every value of an ``__in`` filter through its field and lookup machinery,
which costs more than the query once the values are many: a 100,000-loan tape looks up
every loan id and every ID number (about 220,000 keys). The import writes these lookups
itself, as the SQL the ORM writes for the same filter (on PostgreSQL with the keys as one
array), so the same indexes serve them (the ``NOT (column = value)`` term of a partial index
included).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, models

from arrears.core.bulk import chunked

# Keys per query: under SQLite's historical limit of 999 bound variables.
KEYS_PER_QUERY = 900


def rows_with_keys(
    model: type[models.Model],
    columns: Sequence[str],
    *,
    key: str,
    keys: Sequence[Any],
    equal: Sequence[tuple[str, Any]] = (),
    not_equal: Sequence[tuple[str, Any]] = (),
) -> Iterator[tuple[Any, ...]]:
    """The ``columns`` of ``model``'s rows whose ``key`` is one of ``keys`` and whose
    ``equal`` columns hold the given values and ``not_equal`` ones do not (columns by their
    database names; values as the database stores them)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)

    def column(name: str) -> str:
        return f"{table}.{quote(name)}"

    select = ", ".join(column(name) for name in columns)
    head = [f"{column(name)} = %s" for name, _ in equal]
    tail = [f"NOT ({column(name)} = %s)" for name, _ in not_equal]
    head_values: list[Any] = [value for _, value in equal]
    tail_values: list[Any] = [value for _, value in not_equal]
    if not keys:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The keys as one array: one query whatever their number, and no statement of
            # thousands of placeholders for the driver to parse (an index serves ``= ANY``
            # as it serves ``IN``).
            where = " AND ".join([*head, f"{column(key)} = ANY(%s)", *tail])
            cursor.execute(
                f"SELECT {select} FROM {table} WHERE ({where})",
                [*head_values, list(keys), *tail_values],
            )
            yield from cursor.fetchall()
            return
        for batch in chunked(keys, KEYS_PER_QUERY):
            listed = f"{column(key)} IN ({', '.join(['%s'] * len(batch))})"
            where = " AND ".join([*head, listed, *tail])
            cursor.execute(
                f"SELECT {select} FROM {table} WHERE ({where})",
                [*head_values, *batch, *tail_values],
            )
            yield from cursor.fetchall()
