"""The propensity model's features, read in SQL: one statement gives a row per case and
snapshot day, the same statement for training (month-end snapshots from the stored
history) and for scoring (today's open cases from the loan positions).

Everything a row says is known on its snapshot day: the loan's DPD and amounts on that
day, payments on or before it (the last one, and those of the 90 days before), promises
made and resolved by then, contacts of the 90 days before. The training rows add the
label: the cash received in the 30 days after the snapshot, and the amount that counts as
"the overdue instalment" (the smaller of the overdue total and the last instalment due).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection

from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.core.sql import date_of_day, day_number, table
from arrears.portfolio.models import (
    Installment,
    Loan,
    LoanHistory,
    LoanPosition,
    Payment,
    Product,
)

LOOKBACK_DAYS = 90
LABEL_DAYS = 30
# Outcomes that say the borrower will not (or cannot) pay soon.
NEGATIVE_OUTCOMES = ("refused", "dispute", "hardship", "wrong_number", "number_invalid", "deceased")

# The statement's columns, in order (``FeatureRow``'s fields).
COLUMNS = (
    "case_id",
    "loan_id",
    "day_no",
    "dpd",
    "overdue_total",
    "principal_outstanding",
    "age_days",
    "product",
    "segment",
    "days_since_payment",
    "payments_90d",
    "paid_90d",
    "promises_kept",
    "promises_broken",
    "promise_open",
    "contacts_90d",
    "right_party_90d",
    "negative_90d",
)
LABEL_COLUMNS = ("paid_next_30d", "instalment_due")


@dataclass(frozen=True)
class Snapshots:
    """A SELECT of the snapshots to read features for, with its parameters. It yields
    ``case_id, loan_id, day, day_no, since, next_day, dpd, overdue_total,
    principal_outstanding, last_paid`` (``since``: the first day excluded from the 90-day
    look-back; ``next_day``: the day after the snapshot; ``last_paid``: the last payment
    date on or before the snapshot)."""

    sql: str
    params: dict[str, Any]


def open_case_snapshots(*, first: int, last: int, on: date) -> Snapshots:
    """Today's open cases of loans ``first``–``last``, as the loan positions state them."""
    cases, position = table(CollectionCase), table(LoanPosition)
    overdue = "lp.overdue_principal + lp.overdue_interest + lp.overdue_fees + lp.overdue_penalty"
    sql = f"""
        SELECT c.id AS case_id, c.loan_id AS loan_id, %(on)s AS day, %(day_no)s AS day_no,
               %(since)s AS since, %(next_day)s AS next_day, lp.dpd AS dpd,
               {overdue} AS overdue_total, lp.principal_outstanding AS principal_outstanding,
               lp.last_paid_on AS last_paid
        FROM {cases} AS c JOIN {position} AS lp ON lp.loan_id = c.loan_id
        WHERE c.status = 'open' AND c.loan_id BETWEEN %(first)s AND %(last)s
    """
    params = {
        "first": first,
        "last": last,
        "on": on,
        "day_no": on.toordinal(),
        "since": on - timedelta(days=LOOKBACK_DAYS),
        "next_day": on + timedelta(days=1),
    }
    return Snapshots(sql, params)


def history_snapshots(days: list[date]) -> Snapshots:
    """The cases open on each of ``days`` (month ends) whose loan was overdue that day, as
    the cycle's history stored the loan then."""
    if not days:
        raise ValueError("history_snapshots needs at least one day")
    history, cases, payment = table(LoanHistory), table(CollectionCase), table(Payment)
    marks = ", ".join(f"%(day{n})s" for n in range(len(days)))
    number = day_number("h.business_date")
    sql = f"""
        SELECT c.id AS case_id, h.loan_id AS loan_id, h.business_date AS day,
               {number} AS day_no, {date_of_day(f"{number} - {LOOKBACK_DAYS}")} AS since,
               {date_of_day(f"{number} + 1")} AS next_day, h.dpd AS dpd,
               h.overdue_total AS overdue_total,
               h.principal_outstanding AS principal_outstanding,
               (SELECT MAX(p.paid_on) FROM {payment} AS p
                WHERE p.loan_id = h.loan_id AND p.paid_on <= h.business_date) AS last_paid
        FROM {history} AS h
        JOIN {cases} AS c ON c.loan_id = h.loan_id AND c.opened_on <= h.business_date
             AND (c.closed_on IS NULL OR c.closed_on > h.business_date)
        WHERE h.business_date IN ({marks}) AND h.dpd > 0
    """
    return Snapshots(sql, {f"day{n}": day for n, day in enumerate(days)})


def _branch(source: str, **values: str) -> str:
    """One branch of the events union: the ``_EVENT_COLUMNS`` with ``values`` set and the
    rest empty, over ``source`` (a FROM clause)."""
    select = ", ".join(
        f"{values.get(name, '0' if name in _SUMS else 'NULL')} AS {name}" for name in _EVENTS
    )
    return f"SELECT f.case_id AS case_id, f.day_no AS day_no, {select} FROM {source}"


# The union's columns after (case_id, day_no): those taken from the snapshot row (MAX over
# the group, the other branches leave them NULL) and those summed over events.
_FIRSTS = (
    "loan_id",
    "dpd",
    "overdue_total",
    "principal_outstanding",
    "age_days",
    "product",
    "segment",
    "days_since_payment",
    "instalment_due",
)
_SUMS = (
    "payments_90d",
    "paid_90d",
    "promises_kept",
    "promises_broken",
    "promise_open",
    "contacts_90d",
    "right_party_90d",
    "negative_90d",
    "paid_next_30d",
)
_EVENTS = (*_FIRSTS, *_SUMS)


def feature_sql(snapshots: Snapshots, *, with_label: bool = False) -> tuple[str, dict[str, Any]]:
    """The one statement: a row of ``COLUMNS`` (and, ``with_label``, ``LABEL_COLUMNS``) per
    snapshot, ordered by day and case so the same inputs always give the same rows.

    Each source of events (payments, promises, contacts, and for labels the payments
    after the snapshot) is joined to the snapshots by index and the union is grouped once
    by snapshot: no join back of grouped subqueries, which SQLite's planner may scan.
    """
    loan, product, payment = table(Loan), table(Product), table(Payment)
    promise, activity, installment = table(Promise), table(Activity), table(Installment)
    negative = ", ".join(f"'{outcome}'" for outcome in NEGATIVE_OUTCOMES)
    last_paid = day_number("f.last_paid")
    instalment = "NULL"
    if with_label:
        instalment = f"""(SELECT i.principal + i.interest + i.fees FROM {installment} AS i
                WHERE i.loan_id = f.loan_id AND i.due_on <= f.day
                ORDER BY i.due_on DESC LIMIT 1)"""
    branches = [
        _branch(
            f"""snap AS f JOIN {loan} AS l ON l.id = f.loan_id
                LEFT JOIN {product} AS pr ON pr.id = l.product_id""",
            loan_id="f.loan_id",
            dpd="f.dpd",
            overdue_total="f.overdue_total",
            principal_outstanding="f.principal_outstanding",
            age_days=f"f.day_no - {day_number('l.disbursed_on')}",
            product="COALESCE(pr.code, '')",
            segment="l.guarantee_type",
            days_since_payment=f"f.day_no - COALESCE({last_paid}, {day_number('l.disbursed_on')})",
            instalment_due=instalment,
        ),
        _branch(
            f"""snap AS f JOIN {payment} AS p ON p.loan_id = f.loan_id
                AND p.paid_on > f.since AND p.paid_on <= f.day""",
            payments_90d="1",
            paid_90d="p.amount",
        ),
        _branch(
            f"snap AS f JOIN {promise} AS m ON m.case_id = f.case_id AND m.made_on <= f.day",
            promises_kept="CASE WHEN m.status = 'kept' AND m.resolved_on <= f.day"
            " THEN 1 ELSE 0 END",
            promises_broken="CASE WHEN m.status = 'broken' AND m.resolved_on <= f.day"
            " THEN 1 ELSE 0 END",
            promise_open="CASE WHEN m.status <> 'cancelled' AND (m.resolved_on IS NULL"
            " OR m.resolved_on > f.day) THEN 1 ELSE 0 END",
        ),
        _branch(
            f"""snap AS f JOIN {activity} AS a ON a.case_id = f.case_id
                AND a.at >= f.since AND a.at < f.next_day""",
            contacts_90d="1",
            right_party_90d="CASE WHEN a.party_reached = 'borrower' THEN 1 ELSE 0 END",
            negative_90d=f"CASE WHEN a.outcome IN ({negative}) THEN 1 ELSE 0 END",
        ),
    ]
    if with_label:
        later = date_of_day(f"f.day_no + {LABEL_DAYS}")
        branches.append(
            _branch(
                f"""snap AS f JOIN {payment} AS p ON p.loan_id = f.loan_id
                    AND p.paid_on > f.day AND p.paid_on <= {later}""",
                paid_next_30d="p.amount",
            )
        )
    union = "\n        UNION ALL\n        ".join(branches)
    # In COLUMNS order: the snapshot's own values, then the sums of its events.
    select = ", ".join(
        [
            "e.case_id",
            "MAX(e.loan_id) AS loan_id",
            "e.day_no",
            *(f"MAX(e.{name}) AS {name}" for name in _FIRSTS[1:-1]),
            *(f"SUM(e.{name}) AS {name}" for name in _SUMS[:-1]),
        ]
    )
    label = ""
    if with_label:
        label = (
            ", SUM(e.paid_next_30d) AS paid_next_30d,"
            " CASE WHEN MAX(e.instalment_due) < MAX(e.overdue_total)"
            " THEN MAX(e.instalment_due) ELSE MAX(e.overdue_total) END AS instalment_due"
        )
    sql = f"""
        WITH snap AS ({snapshots.sql})
        SELECT {select}{label}
        FROM (
        {union}
        ) AS e
        GROUP BY e.case_id, e.day_no
        ORDER BY e.day_no, e.case_id
    """
    return sql, snapshots.params


def feature_rows(snapshots: Snapshots, *, with_label: bool = False) -> list[tuple[Any, ...]]:
    """Run ``feature_sql`` (one query) and return its rows."""
    sql, params = feature_sql(snapshots, with_label=with_label)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
