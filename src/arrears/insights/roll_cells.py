"""The roll-rate matrix kept as cells (``MonthRoll``), written once when the cycle closes a
month end and summed by the report.

The cells hold exactly what ``roll_rates`` would compute from the two month ends' history
rows, grouped further by creditor so a manager's scope is a filter on the cells: pairing
each loan's rows once, when the month end is closed, replaces pairing them on every read.
A month closed before the cells existed has none, and the report pairs the rows then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from arrears.core.sql import execute, table
from arrears.insights.calculations.months import month_end, month_first, months_later
from arrears.insights.kpis_history import fetch, history
from arrears.insights.models import MonthRoll
from arrears.portfolio.models import Loan

CLOSED = "closed"


def month_before_end(day: date) -> date:
    """The last day of the month before ``day``'s."""
    return month_end(months_later(month_first(day), -1))


def rolls_record(*, first: int, last: int, on: date) -> int:
    """On a month end, the roll-rate cells of loans ``first``–``last`` from the previous
    month end to ``on``; nothing on other days. Idempotent for the date: the partition's
    cells are replaced."""
    if month_end(on) != on:
        return 0
    cells = table(MonthRoll)
    # The partition's range is repeated on every table of the join: without it PostgreSQL
    # plans a scan of the whole month end (and every loan) for each partition.
    params: dict[str, Any] = {
        "on": on,
        "start": month_before_end(on),
        "first": first,
        "last": last,
        "closed": CLOSED,
    }
    execute(
        f"DELETE FROM {cells} WHERE month_end = %(on)s"
        " AND first_loan_id BETWEEN %(first)s AND %(last)s",
        params,
    )
    return execute(
        f"""
        INSERT INTO {cells} (month_end, first_loan_id, last_loan_id, creditor_id,
                             from_bucket, to_bucket, loans, balance)
        SELECT %(on)s, %(first)s, %(last)s, l.creditor_id, s.bucket,
               CASE WHEN e.principal_outstanding > 0 THEN e.bucket ELSE %(closed)s END,
               COUNT(*), SUM(s.principal_outstanding)
        FROM {history()} AS s
        JOIN {table(Loan)} AS l ON l.id = s.loan_id AND l.id BETWEEN %(first)s AND %(last)s
        LEFT JOIN {history()} AS e ON e.loan_id = s.loan_id AND e.business_date = %(on)s
          AND e.loan_id BETWEEN %(first)s AND %(last)s
        WHERE s.business_date = %(start)s AND s.loan_id BETWEEN %(first)s AND %(last)s
          AND s.principal_outstanding > 0
        GROUP BY l.creditor_id, s.bucket,
                 CASE WHEN e.principal_outstanding > 0 THEN e.bucket ELSE %(closed)s END
        """,
        params,
    )


def month_cells(
    end: date, creditor_ids: Sequence[int] | None
) -> list[tuple[str, str, int, int]] | None:
    """``(from, to, loans, balance)`` summed over the cells of the month ending ``end``
    (the creditors' only, when given); None when the cycle kept no cells for that month."""
    cells = table(MonthRoll)
    if not fetch(f"SELECT 1 FROM {cells} WHERE month_end = %(end)s LIMIT 1", {"end": end}):
        return None
    params: dict[str, Any] = {"end": end}
    scope = ""
    if creditor_ids is not None:
        names = []
        for index, creditor_id in enumerate(creditor_ids):
            params[f"creditor{index}"] = int(creditor_id)
            names.append(f"%(creditor{index})s")
        scope = f" AND creditor_id IN ({', '.join(names) or 'NULL'})"
    found = fetch(
        f"SELECT from_bucket, to_bucket, SUM(loans), SUM(balance) FROM {cells}"
        f" WHERE month_end = %(end)s{scope} GROUP BY from_bucket, to_bucket",
        params,
    )
    return [(source, target, int(loans), int(balance)) for source, target, loans, balance in found]
