"""Roll (flow) rates (``arrears insights roll-rates``): how the loans in each bucket at one
month end stood at the next.

For a month m: ``base`` = active loans (principal outstanding > 0) in bucket ``from`` in the
history row of the end of the month before m; ``loans`` = those of them in bucket ``to`` at
the end of m, where ``to`` is ``closed`` for a loan with no principal outstanding left (or no
row) at the end of m; ``rate`` = loans ÷ base; ``balance_rate`` = the principal outstanding
at the start of those loans ÷ that of the whole base. For each month every ``from`` observed
is crossed with every ``to`` observed that month (zero rows included), so the rows form the
full transition matrix. A month reads the cells the cycle's ``rolls`` step kept when it
closed the month end (``roll_cells``); a month closed before those existed pairs the two
month ends' rows in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan
from arrears.insights.calculations.months import (
    month_end,
    month_first,
    month_label,
    months_between,
    months_later,
)
from arrears.insights.kpis import BUCKETS
from arrears.insights.kpis_history import creditor_join, fetch, history, month_ends_require, ratio
from arrears.insights.roll_cells import CLOSED, month_cells


def roll_rates(
    first: date, last: date, *, creditor_ids: Sequence[int] | None = None
) -> dict[str, Any]:
    """The transition matrix of each month from ``first``'s to ``last``'s (inclusive):
    ``{"rows": [{"month", "from", "to", "base", "loans", "rate", "balance_rate", "balance",
    "base_balance"}]}`` (balances in yuan). ``InvalidInput`` when ``first`` is after
    ``last`` or a month end they need (from the end of the month before ``first``) was not
    closed by the cycle."""
    first, last = month_first(first), month_first(last)
    if first > last:
        raise InvalidInput(
            _("The first month (%(first)s) is after the last (%(last)s).")
            % {"first": month_label(first), "last": month_label(last)},
            field="from",
        )
    months = [months_later(first, k) for k in range(months_between(first, last) + 1)]
    month_ends_require([month_end(months_later(first, -1)), *map(month_end, months)])
    rows: list[dict[str, Any]] = []
    for month in months:
        rows.extend(_month_rows(month, creditor_ids))
    return {"rows": rows}


def _order(bucket: str) -> tuple[int, str]:
    if bucket in BUCKETS:
        return (BUCKETS.index(bucket), bucket)
    return (len(BUCKETS) + (1 if bucket == CLOSED else 0), bucket)


def _month_rows(month: date, creditor_ids: Sequence[int] | None) -> list[dict[str, Any]]:
    found = month_cells(month_end(month), creditor_ids)
    if found is None:
        found = _month_pairs(month, creditor_ids)
    cells = {
        (source, target): (int(loans), int(balance)) for source, target, loans, balance in found
    }
    sources = sorted({source for source, _target in cells}, key=_order)
    targets = sorted({target for _source, target in cells}, key=_order)
    rows = []
    for source in sources:
        base = sum(cells.get((source, target), (0, 0))[0] for target in targets)
        base_balance = sum(cells.get((source, target), (0, 0))[1] for target in targets)
        for target in targets:
            loans, balance = cells.get((source, target), (0, 0))
            rows.append(
                {
                    "month": month_label(month),
                    "from": source,
                    "to": target,
                    "base": base,
                    "loans": loans,
                    "rate": ratio(loans, base),
                    "balance_rate": ratio(balance, base_balance),
                    "balance": format_yuan(balance),
                    "base_balance": format_yuan(base_balance),
                }
            )
    return rows


def _month_pairs(month: date, creditor_ids: Sequence[int] | None) -> list[tuple[Any, ...]]:
    """The month's cells from the two month ends' history rows, for a month the cycle
    closed before it kept cells (``roll_cells.rolls_record`` writes the same grouping)."""
    params: dict[str, Any] = {
        "start": month_end(months_later(month, -1)),
        "end": month_end(month),
        "closed": CLOSED,
    }
    scope = creditor_join("s.loan_id", creditor_ids, params)
    return fetch(
        f"""
        SELECT s.bucket,
               CASE WHEN e.principal_outstanding > 0 THEN e.bucket ELSE %(closed)s END,
               COUNT(*), SUM(s.principal_outstanding)
        FROM {history()} AS s {scope}
        LEFT JOIN {history()} AS e ON e.loan_id = s.loan_id AND e.business_date = %(end)s
        WHERE s.business_date = %(start)s AND s.principal_outstanding > 0
        GROUP BY 1, 2
        """,
        params,
    )
