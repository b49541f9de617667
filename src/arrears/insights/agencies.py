"""Agency performance (委外机构业绩): by agency and month, what was placed and what came back.

Per agency and calendar month:

- ``placed``: placements made that month; ``balance``: their outstanding at placement;
- ``worked``: placements whose window overlaps the month; ``worked_balance``: their
  outstanding at placement (the book the agency worked that month);
- ``recovered``: payments on placed loans dated in the month within the placement's window
  (``agencies.selectors``: from the placement day up to, not including, its end);
- ``commission``: the month's commission by each contract (rounding: ``agencies.commission``);
- ``rate`` = recovered ÷ worked_balance (4 decimals, half up; None with nothing worked).

Amounts in the rows are yuan strings like the other insights; three queries a month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from arrears.agencies.selectors import placement_lines
from arrears.core.dates import add_months
from arrears.core.money import format_yuan
from arrears.insights.kpis_history import ratio


def agency_performance(
    *, month: date, months: int = 6, creditor_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Rows by agency (name order) and month, for the ``months`` months ending with the one
    ``month`` falls in, over the contracts of ``creditor_ids`` (None: every creditor).
    Months in which an agency worked nothing are left out."""
    last = month.replace(day=1)
    rows: list[dict[str, Any]] = []
    for back in range(months - 1, -1, -1):
        start = add_months(last, -back)
        end = add_months(start, 1)
        totals: dict[str, dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(
                ("placed", "balance", "worked", "worked_balance", "recovered", "commission"), 0
            )
        )
        for line in placement_lines(start=start, end=end, creditor_ids=creditor_ids):
            total = totals[line.agency]
            total["worked"] += 1
            total["worked_balance"] += line.balance
            total["recovered"] += line.recovered
            total["commission"] += line.commission
            if line.placed_on >= start:
                total["placed"] += 1
                total["balance"] += line.balance
        for agency, total in totals.items():
            rows.append(
                {
                    "agency": agency,
                    "month": f"{start:%Y-%m}",
                    "placed": total["placed"],
                    "balance": format_yuan(total["balance"]),
                    "worked": total["worked"],
                    "worked_balance": format_yuan(total["worked_balance"]),
                    "recovered": format_yuan(total["recovered"]),
                    "commission": format_yuan(total["commission"]),
                    "rate": ratio(total["recovered"], total["worked_balance"]),
                }
            )
    return sorted(rows, key=lambda row: (row["agency"], row["month"]))
