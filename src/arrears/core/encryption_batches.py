"""Passes over a whole encrypted column in batches: encrypt clear values (the migrations
that introduced encryption), decrypt them back (those migrations reversed), re-encrypt
under the newest key and refresh the blind index (``arrears keys rotate``).

Keyset batches by id: each batch is one SELECT of the rows still to do and one pipelined
UPDATE (``executemany``), so a column of millions of rows is a few hundred statements on
SQLite and PostgreSQL alike. Encryption cannot run inside the database, so the values make
one round trip through Python; nothing is held beyond one batch. An UPDATE names the value
it replaces, so a row changed by the application meanwhile is left alone (and done on the
next run).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from arrears.core.crypto import FORMAT, blind_index, decrypt, encrypt, field_keys

BATCH_ROWS = 5_000
PREFIX = f"{FORMAT}:"


@dataclass(frozen=True)
class Column:
    """An encrypted column and its blind index (``index`` '' when it has none); the index
    scheme is ``scheme``, or the value of ``scheme_column`` on each row."""

    table: str
    column: str
    index: str = ""
    scheme: str = ""
    scheme_column: str = ""

    @property
    def context(self) -> str:
        return f"{self.table}.{self.column}"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _pass(
    target: Column,
    where: str,
    params: list[Any],
    rewrite: Callable[[str, str], tuple[str, str] | None],
    *,
    batch_rows: int,
    batch_atomic: bool,
) -> int:
    """Call ``rewrite(stored, scheme)`` for each row matching ``where``; it returns the new
    (stored value, index) or None to leave the row. Returns the rows changed."""
    table, column = _q(target.table), _q(target.column)
    scheme_sql = f", {_q(target.scheme_column)}" if target.scheme_column else ""
    select = (
        f"SELECT id, {column}{scheme_sql} FROM {table} WHERE id > %s AND ({where})"
        f" ORDER BY id LIMIT {int(batch_rows)}"
    )
    set_index = f", {_q(target.index)} = %s" if target.index else ""
    update = f"UPDATE {table} SET {column} = %s{set_index} WHERE id = %s AND {column} = %s"
    last, changed = 0, 0
    while True:
        with transaction.atomic() if batch_atomic else nullcontext(), connection.cursor() as cursor:
            cursor.execute(select, [last, *params])
            rows = cursor.fetchall()
            if not rows:
                return changed
            updates: list[tuple[Any, ...]] = []
            for row in rows:
                pk, stored = row[0], row[1]
                scheme = str(row[2]) if target.scheme_column else target.scheme
                result = rewrite(stored, scheme)
                if result is None:
                    continue
                value, index = result
                updates.append((value, index, pk, stored) if target.index else (value, pk, stored))
            if updates:
                cursor.executemany(update, updates)
                changed += len(updates)
            last = rows[-1][0]


def column_encrypt(target: Column, *, batch_rows: int = BATCH_ROWS) -> int:
    """Encrypt every clear value of the column and fill its index (inside the caller's
    transaction: a migration). Values already encrypted are left."""

    def rewrite(stored: str, scheme: str) -> tuple[str, str]:
        index = blind_index(stored, scheme=scheme) if target.index else ""
        return encrypt(stored, context=target.context), index

    return _pass(
        target,
        f"{_q(target.column)} <> '' AND {_q(target.column)} NOT LIKE %s",
        [PREFIX + "%"],
        rewrite,
        batch_rows=batch_rows,
        batch_atomic=False,
    )


def column_decrypt(target: Column, *, batch_rows: int = BATCH_ROWS) -> int:
    """Decrypt every value of the column back to clear text (a migration reversed)."""

    def rewrite(stored: str, scheme: str) -> tuple[str, str]:
        return decrypt(stored, context=target.context), ""

    return _pass(
        target,
        f"{_q(target.column)} LIKE %s",
        [PREFIX + "%"],
        rewrite,
        batch_rows=batch_rows,
        batch_atomic=False,
    )


def column_rotate(target: Column, *, reindex: bool = False, batch_rows: int = BATCH_ROWS) -> int:
    """Re-encrypt under the current key every value sealed under another, refreshing its
    index; with ``reindex`` also recompute the index of every other value (after a change
    of the index key). Each batch commits on its own, so an interrupted run keeps its
    progress and the next run continues."""
    current = field_keys().current

    def rewrite(stored: str, scheme: str) -> tuple[str, str] | None:
        under_current = stored.startswith(f"{PREFIX}{current}:")
        if under_current and not (reindex and target.index):
            return None
        clear = decrypt(stored, context=target.context)
        index = blind_index(clear, scheme=scheme) if target.index else ""
        if under_current:
            return stored, index
        return encrypt(clear, context=target.context), index

    column = _q(target.column)
    if reindex and target.index:
        where, params = f"{column} <> ''", []
    else:
        where, params = f"{column} <> '' AND {column} NOT LIKE %s", [f"{PREFIX}{current}:%"]
    return _pass(target, where, params, rewrite, batch_rows=batch_rows, batch_atomic=True)


def index_duplicates_separate(target: Column, group: list[str]) -> int:
    """Rows that share a blind index within ``group`` (values equal once normalised, e.g.
    ``138 0013 8000`` and ``13800138000`` on one party) would break the unique index: every
    such row after the first gets ``~<id>`` appended to its index, so it stays (evidence is
    never deleted) and its twin is the one an exact search finds. Returns rows changed."""
    table, index = _q(target.table), _q(target.index)
    columns = ", ".join(_q(name) for name in group)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, {index}, MIN(id) FROM {table} WHERE {index} <> ''"
            f" GROUP BY {columns}, {index} HAVING COUNT(*) > 1"
        )
        duplicates = cursor.fetchall()
        same = " AND ".join(f"{_q(name)} = %s" for name in [*group, target.index])
        for row in duplicates:
            cursor.execute(
                f"UPDATE {table} SET {index} = {index} || '~' || CAST(id AS VARCHAR(20))"
                f" WHERE {same} AND id > %s",
                list(row),
            )
    return len(duplicates)


def column_counts(target: Column) -> dict[str, int]:
    """How the column's values are stored: per key id, '' for clear (non-empty) values
    written around the application, and ``empty``."""
    table, column = _q(target.table), _q(target.column)
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = '' OR {column} IS NULL")
        counts["empty"] = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} <> '' AND {column} NOT LIKE %s",
            [PREFIX + "%"],
        )
        counts[""] = cursor.fetchone()[0]
        for kid in field_keys().keys:
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE %s", [f"{PREFIX}{kid}:%"]
            )
            counts[kid] = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE %s", [PREFIX + "%"])
        counts["other keys"] = cursor.fetchone()[0] - sum(counts[kid] for kid in field_keys().keys)
    return counts
