"""Raw SQL shared by every app's set-based steps: table names, the fragments that differ
between SQLite and PostgreSQL (so each statement is written once), and the statement
runner. Day numbers are ``date.toordinal()``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection


def table(model: Any) -> str:
    """The quoted table name of ``model``."""
    return connection.ops.quote_name(model._meta.db_table)


def execute(sql: str, params: dict[str, Any] | list[Any] | None = None) -> int:
    """Run one statement on the default connection; the rows it wrote (0 when unknown)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def execute_all(statements: Iterable[str], params: dict[str, Any]) -> int:
    """Run statements in order with the same parameters; the rows they wrote together."""
    return sum(execute(sql, params) for sql in statements)


def emptied(name: str) -> str:
    """SQL that empties the per-connection temporary table ``name`` before it is refilled.

    PostgreSQL: ``TRUNCATE``. Nothing vacuums temporary tables, so a ``DELETE`` left every
    row of every earlier partition behind as dead space that each later scan, index probe
    and ``ANALYZE`` walked again: a run's steps grew slower partition by partition, and a
    process closing several days (``cycle run --through``, the bench) doubled a following
    day's ``post_payments``. SQLite's ``DELETE`` without ``WHERE`` is its truncate.
    """
    if connection.vendor == "postgresql":
        return f"TRUNCATE {name}"
    return f"DELETE FROM {name}"


def day_number(column: str) -> str:
    """SQL for ``date.toordinal()`` of a date column, on either database."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"


def least(a: str, b: str) -> str:
    """The smaller of two non-null SQL expressions (LEAST is not SQLite)."""
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


def years_later(column: str, years: int) -> str:
    """SQL for ``core.dates.add_months(column, 12 * years)``: 29 February becomes 28
    February when the later year has none, as PostgreSQL's interval arithmetic does.
    SQLite rolls over to 1 March instead, so that case steps back to the month's end.
    For statements with parameters (``%%`` is a literal percent sign there)."""
    if connection.vendor == "postgresql":
        return f"CAST({column} + INTERVAL '{int(years)} years' AS DATE)"
    later = f"date({column}, '+{int(years)} years')"
    return (
        f"(CASE WHEN strftime('%%d', {later}) = strftime('%%d', {column}) THEN {later}"
        f" ELSE date({later}, 'start of month', '-1 day') END)"
    )


def date_of_day(expression: str) -> str:
    """SQL for ``date.fromordinal()`` of a day-number expression."""
    if connection.vendor == "postgresql":
        return f"(DATE '0001-01-01' + CAST(({expression}) - 1 AS INTEGER))"
    return f"date(({expression}) + 1721424.5)"
