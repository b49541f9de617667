"""Post-write-off recoveries (核销后回收): money received in a month on loans written off
before it arrived, by loan, with what each loan had written off and recovered in all.

A payment counts when its ``paid_on`` is after the loan's ``written_off_on`` (a payment on
the write-off day itself was already in the balance written off). Set-based: one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from arrears.core.money import format_yuan
from arrears.core.sql import table
from arrears.insights.calculations.months import month_end, month_first, month_label
from arrears.insights.kpis_history import fetch
from arrears.portfolio.models import Creditor, Loan, Payment, WriteOff


def writeoff_recoveries(
    month: date, *, creditor_ids: Sequence[int] | None = None
) -> dict[str, Any]:
    """The recoveries of ``month`` (any day in it) on written-off loans, JSON-ready: one
    row per loan that received money that month (yuan strings) and the month's total."""
    first = month_first(month)
    params: dict[str, Any] = {"first": first, "end": month_end(first)}
    scope = ""
    if creditor_ids is not None:
        marks = ", ".join(f"%(creditor{index})s" for index in range(len(creditor_ids)))
        params.update({f"creditor{index}": cid for index, cid in enumerate(creditor_ids)})
        scope = f"AND l.creditor_id IN ({marks or 'NULL'})"
    rows = fetch(
        f"""
        SELECT cr.name, l.loan_id, w.written_off_on,
               w.principal + w.interest + w.fees + w.penalty,
               SUM(CASE WHEN p.paid_on >= %(first)s THEN p.amount ELSE 0 END),
               SUM(p.amount)
        FROM {table(WriteOff)} AS w
        JOIN {table(Loan)} AS l ON l.id = w.loan_id
        JOIN {table(Creditor)} AS cr ON cr.id = l.creditor_id
        JOIN {table(Payment)} AS p ON p.loan_id = w.loan_id
          AND p.paid_on > w.written_off_on AND p.paid_on <= %(end)s
        WHERE w.written_off_on <= %(end)s {scope}
        GROUP BY cr.name, l.loan_id, w.written_off_on,
                 w.principal + w.interest + w.fees + w.penalty
        HAVING SUM(CASE WHEN p.paid_on >= %(first)s THEN p.amount ELSE 0 END) > 0
        ORDER BY cr.name, l.loan_id
        """,
        params,
    )
    loans = [
        {
            "creditor": creditor,
            "loan": loan_id,
            "written_off_on": str(written_off_on),
            "written_off": format_yuan(int(written_off)),
            "recovered_in_month": format_yuan(int(month_amount)),
            "recovered_to_date": format_yuan(int(to_date)),
        }
        for creditor, loan_id, written_off_on, written_off, month_amount, to_date in rows
    ]
    total = sum(int(row[4]) for row in rows)
    return {"month": month_label(first), "loans": loans, "total": format_yuan(total)}
