"""A month's aging and collection KPIs (``arrears insights kpis``): what sits in each bucket
at the month end, how much of the month's opening delinquency cured and was collected, how
promises and contacts went, and who collected what.

Definitions (docs/insights.md keeps the same words): the month's *end* E is its last day,
its *start* S the previous month's end; both must have been closed by the cycle.

- aging: loans with principal outstanding > 0 in the history row of E, by stored bucket;
  a loan written off on or before E is off the active book and not counted (核销).
- cure rate: of the loans with DPD > 0 at S, those with DPD 0 at E (paid off included).
- recovery: money received during the month (payments dated from the 1st to E) on the
  loans with an overdue balance at S ÷ the sum of those overdue balances at S.
- promise kept rate: of the promises due in the month that the cycle has judged, the kept.
- RPC rate: contacts recorded in the month that reached the borrower or a co-borrower or
  guarantor ÷ every contact recorded in the month.
- collected: payments dated in the month on a loan while its case was open (from the day
  it opened to the day it closed), credited to the team and collector that held the case
  on the payment's date (its latest assignment dated on or before that day).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.core.money import format_yuan
from arrears.core.sql import table
from arrears.insights.calculations.months import month_end, month_first, month_label, months_later
from arrears.insights.kpis_collectors import collectors_and_teams
from arrears.insights.kpis_history import (
    creditor_join,
    fetch,
    history,
    month_ends_require,
    ratio,
)
from arrears.insights.kpis_holders import case_scope, holder_at_sql, holder_sql, month_instants
from arrears.portfolio.models import Payment, WriteOff

BUCKETS = tuple(f"M{index}" for index in range(8))
# Whom a contact reaches when it is a right-party contact: a party liable for the debt.
RIGHT_PARTIES = ("borrower", "co_party")


def month_kpis(
    month: date,
    *,
    creditor_ids: Sequence[int] | None = None,
    team_id: int | None = None,
) -> dict[str, Any]:
    """Aging at the end of ``month`` (its first day) and the month's KPIs, as JSON-ready
    values: rates rounded to 4 decimals (None when nothing was there to count), money in
    yuan strings. ``creditor_ids`` narrows everything to those creditors' loans;
    ``team_id`` narrows the contacts, promises and collections to the cases that team held.
    ``InvalidInput`` when the month's end or the previous month's end was not closed."""
    first = month_first(month)
    end, start = month_end(first), month_end(months_later(first, -1))
    month_ends_require([start, end])
    params: dict[str, Any] = {"first": first, "end": end, "start": start, "team": team_id}
    report: dict[str, Any] = {"month": month_label(first), "as_of": end.isoformat()}
    report["start"] = start.isoformat()
    report["aging"] = _aging(params, creditor_ids)
    report.update(_cure_and_recovery(params, creditor_ids))
    report.update(_promises(params, creditor_ids))
    report.update(_contacts(params, creditor_ids))
    report.update(collectors_and_teams(params, creditor_ids))
    return report


def _aging(params: dict[str, Any], creditor_ids: Sequence[int] | None) -> dict[str, Any]:
    params = dict(params)
    scope = creditor_join("h.loan_id", creditor_ids, params)
    rows = fetch(
        f"""
        SELECT h.bucket, COUNT(*), SUM(h.principal_outstanding)
        FROM {history()} AS h {scope}
        WHERE h.business_date = %(end)s AND h.principal_outstanding > 0
          AND NOT EXISTS (
            SELECT 1 FROM {table(WriteOff)} AS w
            WHERE w.loan_id = h.loan_id AND w.written_off_on <= %(end)s
          )
        GROUP BY h.bucket
        """,
        params,
    )
    found = {bucket: (int(loans), int(principal or 0)) for bucket, loans, principal in rows}
    aging: dict[str, Any] = {}
    # Every bucket appears, in order, even when empty; a bucket outside M0-M7 (none is
    # stored today) is kept rather than dropped.
    for bucket in [*BUCKETS, *sorted(set(found) - set(BUCKETS))]:
        loans, principal = found.get(bucket, (0, 0))
        aging[bucket] = {"loans": loans, "principal": format_yuan(principal)}
    return aging


def _cure_and_recovery(
    params: dict[str, Any], creditor_ids: Sequence[int] | None
) -> dict[str, Any]:
    params = dict(params)
    scope = creditor_join("s.loan_id", creditor_ids, params)
    # Loans overdue at the start, each with its state at the end (LEFT JOIN: a loan without
    # a row at the end has no position left, so nothing is past due).
    (row,) = fetch(
        f"""
        SELECT
          COALESCE(SUM(CASE WHEN s.dpd > 0 THEN 1 ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN s.dpd > 0 THEN s.principal_outstanding ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN s.dpd > 0 AND COALESCE(e.dpd, 0) = 0 THEN 1 ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN s.dpd > 0 AND COALESCE(e.dpd, 0) = 0
                            THEN s.principal_outstanding ELSE 0 END), 0),
          COALESCE(SUM(s.overdue_total), 0)
        FROM {history()} AS s {scope}
        LEFT JOIN {history()} AS e ON e.loan_id = s.loan_id AND e.business_date = %(end)s
        WHERE s.business_date = %(start)s AND (s.dpd > 0 OR s.overdue_total > 0)
        """,
        params,
    )
    base, base_principal, cured, cured_principal, overdue = (int(value) for value in row)
    (collected_row,) = fetch(
        f"""
        SELECT COALESCE(SUM(p.amount), 0)
        FROM {history()} AS s {scope}
        JOIN {table(Payment)} AS p ON p.loan_id = s.loan_id
          AND p.paid_on >= %(first)s AND p.paid_on <= %(end)s
        WHERE s.business_date = %(start)s AND s.overdue_total > 0
        """,
        params,
    )
    recovered = int(collected_row[0])
    return {
        "cure_rate": ratio(cured, base),
        "cure_balance_rate": ratio(cured_principal, base_principal),
        "delinquent_at_start": {"loans": base, "principal": format_yuan(base_principal)},
        "cured": {"loans": cured, "principal": format_yuan(cured_principal)},
        "recovery": ratio(recovered, overdue),
        "overdue_at_start": format_yuan(overdue),
        "recovered": format_yuan(recovered),
    }


def _promises(params: dict[str, Any], creditor_ids: Sequence[int] | None) -> dict[str, Any]:
    params = dict(params)
    scope = case_scope("c", creditor_ids, params)
    team = ""
    if params["team"] is not None:
        team = f" AND {holder_sql('pr.case_id', 'pr.made_on', 'team_id')} = %(team)s"
    (row,) = fetch(
        f"""
        SELECT COALESCE(SUM(CASE WHEN pr.status = 'kept' THEN 1 ELSE 0 END), 0), COUNT(*)
        FROM {table(Promise)} AS pr JOIN {table(CollectionCase)} AS c ON c.id = pr.case_id
        WHERE pr.due_on >= %(first)s AND pr.due_on <= %(end)s
          AND pr.status IN ('kept', 'broken') {scope} {team}
        """,
        params,
    )
    kept, judged = int(row[0]), int(row[1])
    return {"promise_kept_rate": ratio(kept, judged), "promises_due": judged, "promises_kept": kept}


def _contacts(params: dict[str, Any], creditor_ids: Sequence[int] | None) -> dict[str, Any]:
    params = dict(params)
    params.update(month_instants(params["first"], params["end"]))
    scope = case_scope("c", creditor_ids, params)
    team = ""
    if params["team"] is not None:
        team = f" AND {holder_at_sql('act.case_id', 'act.at', 'team_id')} = %(team)s"
    right = ", ".join(f"'{party}'" for party in RIGHT_PARTIES)
    (row,) = fetch(
        f"""
        SELECT COUNT(*),
               COALESCE(SUM(CASE WHEN act.party_reached IN ({right}) THEN 1 ELSE 0 END), 0)
        FROM {table(Activity)} AS act JOIN {table(CollectionCase)} AS c ON c.id = act.case_id
        WHERE act.at >= %(from_at)s AND act.at < %(to_at)s {scope} {team}
        """,
        params,
    )
    contacts, right_party = int(row[0]), int(row[1])
    return {
        "rpc_rate": ratio(right_party, contacts),
        "contacts": contacts,
        "right_party_contacts": right_party,
    }
