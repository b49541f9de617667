"""Vintages (``arrears insights vintages``): how soon each disbursement month's loans went bad.

``vintage`` = the month a loan was disbursed; MOB k = the k-th month end after the vintage
month's own end (k ≥ 1); ``loans`` = the loans disbursed that month; ``bad`` = those with
DPD ≥ 30 (``ever30``) or ≥ 90 (``ever90``) in the history row of any stored month end up to
MOB k ("ever" delinquency: a loan once bad stays counted); ``rate`` = bad ÷ loans;
``balance_rate`` = the disbursed principal of the bad loans ÷ that of the vintage. A row is
given for each MOB whose month end lies within the stored month ends (the first to the last
month end the cycle closed); a month end missing between those two is an error.

Two statements whatever the size: the vintages' sizes from the loans, and each bad loan's
first bad month end from the history, grouped by vintage and that month end; the running
totals per MOB are then summed over those few groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan
from arrears.core.sql import table
from arrears.insights.calculations.months import month_end, month_ends
from arrears.insights.kpis_history import (
    creditor_join,
    fetch,
    history,
    history_span,
    month_ends_require,
    month_sql,
    ratio,
    stored_month_ends,
)
from arrears.portfolio.models import Loan

METRICS = {"ever30": 30, "ever90": 90}


def vintages(metric: str, *, creditor_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """The vintage table for ``metric`` (``ever30`` or ``ever90``): ``{"rows": [{"vintage",
    "mob", "loans", "bad", "rate", "balance_rate", "principal", "bad_principal"}]}``, by
    vintage then MOB. ``InvalidInput`` for another metric or a month end missing between
    the first and the last stored."""
    if metric not in METRICS:
        raise InvalidInput(
            _("Unknown metric '%(metric)s': use ever30 or ever90.") % {"metric": metric},
            field="metric",
        )
    observed = _stored_ends()
    if not observed:
        return {"rows": []}
    sizes = _vintage_sizes(creditor_ids)
    bad = _first_bad(observed, METRICS[metric], creditor_ids)
    rows = []
    for vintage in sorted(sizes):
        loans, principal = sizes[vintage]
        vintage_end = month_end(date.fromisoformat(f"{vintage}-01"))
        firsts = bad.get(vintage, {})
        for mob, mob_end in enumerate(month_ends(vintage_end, observed[-1])):
            if mob == 0 or mob_end < observed[0]:
                continue
            bad_loans = sum(count for day, (count, _p) in firsts.items() if day <= mob_end)
            bad_principal = sum(amount for day, (_c, amount) in firsts.items() if day <= mob_end)
            rows.append(
                {
                    "vintage": vintage,
                    "mob": mob,
                    "loans": loans,
                    "bad": bad_loans,
                    "rate": ratio(bad_loans, loans),
                    "balance_rate": ratio(bad_principal, principal),
                    "principal": format_yuan(principal),
                    "bad_principal": format_yuan(bad_principal),
                }
            )
    return {"rows": rows}


def _stored_ends() -> list[date]:
    """The month ends from the first to the last the cycle stored, in order; refuses a gap."""
    span = history_span()
    if span is None:
        return []
    candidates = [day for day in month_ends(span[0], span[1]) if day <= span[1]]
    stored = sorted(stored_month_ends(candidates))
    if not stored:
        return []
    between = [day for day in candidates if stored[0] <= day <= stored[-1]]
    month_ends_require(between)
    return between


def _vintage_sizes(creditor_ids: Sequence[int] | None) -> dict[str, tuple[int, int]]:
    params: dict[str, Any] = {}
    creditors = ""
    if creditor_ids is not None:
        creditors = creditor_join("l.id", creditor_ids, params)
    vintage = month_sql("l.disbursed_on")
    rows = fetch(
        f"SELECT {vintage}, COUNT(*), SUM(l.principal) FROM {table(Loan)} AS l {creditors}"
        " GROUP BY 1",
        params,
    )
    return {label: (int(count), int(principal or 0)) for label, count, principal in rows}


def _first_bad(
    observed: list[date], threshold: int, creditor_ids: Sequence[int] | None
) -> dict[str, dict[date, tuple[int, int]]]:
    """vintage → first bad month end → (loans, disbursed principal)."""
    params: dict[str, Any] = {"threshold": threshold}
    names = []
    for index, day in enumerate(observed):
        params[f"end{index}"] = day
        names.append(f"%(end{index})s")
    creditors = creditor_join("l.id", creditor_ids, params)
    vintage = month_sql("l.disbursed_on")
    rows = fetch(
        f"""
        SELECT {vintage}, b.first_bad, COUNT(*), SUM(l.principal)
        FROM (
          SELECT h.loan_id AS loan_id, MIN(h.business_date) AS first_bad
          FROM {history()} AS h
          WHERE h.business_date IN ({", ".join(names)}) AND h.dpd >= %(threshold)s
          GROUP BY h.loan_id
        ) AS b
        JOIN {table(Loan)} AS l ON l.id = b.loan_id {creditors}
        GROUP BY 1, 2
        """,
        params,
    )
    found: dict[str, dict[date, tuple[int, int]]] = {}
    for label, first_bad, count, principal in rows:
        day = first_bad if isinstance(first_bad, date) else date.fromisoformat(str(first_bad))
        found.setdefault(label, {})[day] = (int(count), int(principal or 0))
    return found
