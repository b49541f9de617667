"""Recovery curves (``arrears insights recovery``): of what was owed when cases entered a
bucket, or when legal matters were opened, how much came back by each month since.

A cohort is the entries of one kind in one calendar month: ``bucket`` — the case bucket
spells (``cases.CaseBucketSpell``) entering bucket ``bucket`` that month; ``legal`` — the
legal matters (``legal.Matter``) opened that month, each with every loan it covers
(``legal.MatterLoan``). Per entry:

- ``balance``: the principal outstanding of its loan(s) in the latest history row on or
  before the entry day (the day's own row when the cycle closed it);
- collected by month k: the payments on its loan(s) dated from the entry day to the end of
  the k-th month after the entry month (k = 0: the entry month's own end), and no later
  than the case's or matter's closing day while it was closed;
- ``rate`` = cumulative collected ÷ balance at entry, summed over the cohort.

Rows run from k = 0 to the last month end the cycle closed. Each kind is one statement for
the balances and one for the collections, grouped by cohort and payment month; a new kind
(agencies, once placements are kept) is one more pair of statements in ``_KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from arrears.cases.models import CaseBucketSpell, CollectionCase
from arrears.core.money import format_yuan
from arrears.core.sql import table
from arrears.insights.calculations.months import month_end, month_ends, month_label
from arrears.insights.kpis_history import (
    fetch,
    history,
    history_span,
    month_sql,
    ratio,
    stored_month_ends,
)
from arrears.insights.kpis_holders import case_scope
from arrears.legal.models import Matter, MatterLoan
from arrears.portfolio.models import Payment

# One entry = (balance SQL selecting cohort, bucket, entries, balance) and (collections SQL
# selecting cohort, bucket, payment month, amount); each takes the creditor scope fragment.
Statements = tuple[str, str]


def _balance_at(loan_column: str, day_column: str) -> str:
    return (
        f"COALESCE((SELECT h.principal_outstanding FROM {history()} AS h"
        f" WHERE h.loan_id = {loan_column} AND h.business_date <= {day_column}"
        f" ORDER BY h.business_date DESC LIMIT 1), 0)"
    )


def _bucket_statements(scope: str) -> Statements:
    spell, case, payment = table(CaseBucketSpell), table(CollectionCase), table(Payment)
    cohort = month_sql("s.entered_on")
    balances = f"""
        SELECT {cohort}, s.bucket, COUNT(*), SUM({_balance_at("c.loan_id", "s.entered_on")})
        FROM {spell} AS s JOIN {case} AS c ON c.id = s.case_id
        WHERE s.entered_on <= %(last)s {scope}
        GROUP BY 1, 2
    """
    collections = f"""
        SELECT {cohort}, s.bucket, {month_sql("p.paid_on")}, SUM(p.amount)
        FROM {spell} AS s JOIN {case} AS c ON c.id = s.case_id
        JOIN {payment} AS p ON p.loan_id = c.loan_id AND p.paid_on >= s.entered_on
          AND p.paid_on <= %(last)s AND (c.closed_on IS NULL OR p.paid_on <= c.closed_on)
        WHERE s.entered_on <= %(last)s {scope}
        GROUP BY 1, 2, 3
    """
    return balances, collections


def _legal_statements(scope: str) -> Statements:
    matter, covered = table(Matter), table(MatterLoan)
    payment = table(Payment)
    cohort = month_sql("c.opened_on")
    balances = f"""
        SELECT {cohort}, '', COUNT(DISTINCT c.id), SUM({_balance_at("ml.loan_id", "c.opened_on")})
        FROM {matter} AS c JOIN {covered} AS ml ON ml.matter_id = c.id
        WHERE c.opened_on <= %(last)s {scope}
        GROUP BY 1, 2
    """
    collections = f"""
        SELECT {cohort}, '', {month_sql("p.paid_on")}, SUM(p.amount)
        FROM {matter} AS c JOIN {covered} AS ml ON ml.matter_id = c.id
        JOIN {payment} AS p ON p.loan_id = ml.loan_id AND p.paid_on >= c.opened_on
          AND p.paid_on <= %(last)s AND (c.closed_on IS NULL OR p.paid_on <= c.closed_on)
        WHERE c.opened_on <= %(last)s {scope}
        GROUP BY 1, 2, 3
    """
    return balances, collections


# kind → its statements. Agencies join here once placements with an agency are recorded.
_KINDS: dict[str, Callable[[str], Statements]] = {
    "bucket": _bucket_statements,
    "legal": _legal_statements,
}


def recovery_curves(*, creditor_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """Cumulative recovery by months since entry for each cohort: ``{"rows": [{"kind",
    "cohort", "bucket", "months", "cases", "balance", "collected", "rate"}]}`` (money in
    yuan; ``bucket`` is "" for legal matters), by kind, cohort, bucket and month. Empty
    before the cycle closed a month end."""
    last = _last_month_end()
    if last is None:
        return {"rows": []}
    rows: list[dict[str, Any]] = []
    for kind, statements in _KINDS.items():
        params: dict[str, Any] = {"last": last}
        balances_sql, collections_sql = statements(case_scope("c", creditor_ids, params))
        collected: dict[tuple[str, str], dict[str, int]] = {}
        for cohort, bucket, paid_month, amount in fetch(collections_sql, params):
            collected.setdefault((cohort, bucket), {})[paid_month] = int(amount)
        for cohort, bucket, cases, balance in sorted(fetch(balances_sql, params)):
            by_month = collected.get((cohort, bucket), {})
            running = 0
            entry_end = month_end(date.fromisoformat(f"{cohort}-01"))
            for months, end in enumerate(month_ends(entry_end, last)):
                running += by_month.get(month_label(end), 0)
                rows.append(
                    {
                        "kind": kind,
                        "cohort": cohort,
                        "bucket": bucket,
                        "months": months,
                        "cases": int(cases),
                        "balance": format_yuan(int(balance or 0)),
                        "collected": format_yuan(running),
                        "rate": ratio(running, int(balance or 0)),
                    }
                )
    return {"rows": rows}


def _last_month_end() -> date | None:
    """The last month end the cycle closed (None before any)."""
    span = history_span()
    if span is None:
        return None
    stored = stored_month_ends(day for day in month_ends(span[0], span[1]) if day <= span[1])
    return max(stored) if stored else None
