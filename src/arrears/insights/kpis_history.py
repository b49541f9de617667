"""What every month table shares: which month ends the cycle stored, the creditor filter,
month labels in SQL and the rounding of rates.

The month tables read ``cycle_loanhistory`` (``portfolio.LoanHistory``): one row per loan on
every month end the cycle closed (and one per overdue loan on other days). A month end
without rows was not closed, and a table that needs it refuses rather than report a
portfolio that looks empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from arrears.core.errors import InvalidInput
from arrears.core.sql import table
from arrears.portfolio.models import Loan, LoanHistory

RATE_PLACES = Decimal("0.0001")


def history() -> str:
    """The quoted name of the history table."""
    return table(LoanHistory)


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator ÷ denominator`` rounded half up to 4 decimals; None when the denominator
    is 0 (a rate of nothing is unknown, not zero)."""
    if not denominator:
        return None
    value = (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)
    return float(value)


def month_sql(column: str) -> str:
    """SQL for the ``YYYY-MM`` label of a date column, on either database."""
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {column})"


def stored_month_ends(days: Iterable[date]) -> set[date]:
    """Those of ``days`` on which the cycle stored history rows. One statement; each date is
    the first stored date on or after it, which the index on ``business_date`` answers at
    once on both databases (PostgreSQL planned an ``EXISTS`` probe as a scan of the table)."""
    wanted = sorted(set(days))
    if not wanted:
        return set()
    params: dict[str, Any] = {}
    parts = []
    for index, day in enumerate(wanted):
        params[f"d{index}"] = day
        parts.append(
            f"SELECT {index} AS k WHERE (SELECT MIN(business_date) FROM {history()}"
            f" WHERE business_date >= %(d{index})s) = %(d{index})s"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {wanted[row[0]] for row in cursor.fetchall()}


def month_ends_require(days: Iterable[date]) -> None:
    """Raise ``InvalidInput`` naming the earliest of ``days`` the cycle did not close."""
    wanted = sorted(set(days))
    missing = sorted(set(wanted) - stored_month_ends(wanted))
    if missing:
        raise InvalidInput(
            _("%(date)s was not closed by the cycle") % {"date": missing[0].isoformat()},
            field="month",
        )


def history_span() -> tuple[date, date] | None:
    """The first and last business dates with history rows, or None before any."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(business_date), MAX(business_date) FROM {history()}")
        low, high = cursor.fetchone()
    if low is None:
        return None
    return _as_date(low), _as_date(high)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def creditor_join(
    loan_column: str, creditor_ids: Sequence[int] | None, params: dict[str, Any]
) -> str:
    """A ``JOIN`` keeping rows whose loan (``loan_column``) belongs to one of
    ``creditor_ids``; empty when every creditor counts. Adds its parameters to ``params``."""
    if creditor_ids is None:
        return ""
    names = []
    for index, creditor_id in enumerate(creditor_ids):
        params[f"creditor{index}"] = int(creditor_id)
        names.append(f"%(creditor{index})s")
    # No creditor at all keeps nothing (a manager with no portfolio sees empty tables).
    listed = ", ".join(names) or "NULL"
    return (
        f" JOIN {table(Loan)} AS scope ON scope.id = {loan_column}"
        f" AND scope.creditor_id IN ({listed})"
    )


def fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run one read statement; its rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
