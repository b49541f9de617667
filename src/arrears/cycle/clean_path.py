"""Positions of loans that never owed penalty, in one set-based pass (no replay).

When no installment of a loan was still unpaid at the end of the first day penalty could
accrue on it (due date + grace + 1), the replay reduces to a waterfall: by any day t the
money applied is min(payments through t, amounts due through t), the rest is credit, and
installments take it oldest first, each by its allocation order. Whether a loan is such a
*clean* loan is itself a windowed SQL pass over its payments and due dates. Clean loans
(most of a portfolio) are written here; the others go to the reference replay. Loans with
a non-default allocation order always take the replay.

Both passes run over the loans listed in the connection's ``cycle_work`` temporary table.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.expressions import RawSQL

from arrears.core.bulk import bulk_insert
from arrears.cycle.columns import LOAN_COLUMNS
from arrears.cycle.models import InstallmentPosition, LoanPosition
from arrears.cycle.steps import recompute_loans
from arrears.portfolio.calculations.limitation import limitation_expires_on
from arrears.portfolio.models import DEFAULT_ALLOCATION_ORDER, Installment, Loan, Payment

WORK_TABLE = "cycle_work"


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def work_table() -> str:
    """The per-connection temporary table of loan ids being refreshed (created on demand)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {WORK_TABLE}"
            " (loan_id BIGINT PRIMARY KEY, dirty SMALLINT NOT NULL)"
        )
    return WORK_TABLE


def refresh_work_statistics() -> None:
    """PostgreSQL plans joins with a temporary table from its statistics: give it some."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {WORK_TABLE}")


def day_number(column: str) -> str:
    """SQL for ``date.toordinal()`` of a date column, on either database."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"


def pending_payment_days(loan_ids: Any, on: date) -> dict[int, int]:
    """Per loan, the day number of its first payment on file dated after ``on``."""
    return {
        row["loan_id"]: row["first"].toordinal()
        for row in Payment.objects.filter(loan_id__in=loan_ids, paid_on__gt=on)
        .order_by()
        .values("loan_id")
        .annotate(first=Min("paid_on"))
    }


def _least(a: str, b: str) -> str:
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


def mark_dirty(first: int, last: int, on: date) -> int:
    """Flag work loans that owed penalty at some point through ``on``, or need the replay.

    For each installment k with cumulative amount C_k, let c = due + grace + 1 be the first
    day it could accrue. The loan is clean when, for every such c ≤ on, the payments through
    c (a running sum over payments and check days together, payments first within a day)
    reach C_k.
    """
    work, payment, installment, loan = (
        WORK_TABLE,
        _table(Payment),
        _table(Installment),
        _table(Loan),
    )
    sql = f"""
        UPDATE {work} SET dirty = 1 WHERE loan_id IN (
            SELECT loan_id FROM (
                SELECT e.loan_id, e.kind, e.day, e.need,
                    SUM(e.amount) OVER (
                        PARTITION BY e.loan_id ORDER BY e.day, e.kind
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                    ) AS paid
                FROM (
                    SELECT p.loan_id, {day_number("p.paid_on")} AS day, 0 AS kind,
                           p.amount AS amount, 0 AS need
                    FROM {payment} AS p JOIN {work} AS w ON w.loan_id = p.loan_id
                    WHERE p.paid_on <= %(on)s AND p.loan_id BETWEEN %(first)s AND %(last)s
                    UNION ALL
                    SELECT i.loan_id, {day_number("i.due_on")} + l.grace_days + 1, 1, 0,
                        SUM(i.principal + i.interest + i.fees) OVER (
                            PARTITION BY i.loan_id ORDER BY i.due_on, i.seq
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                        )
                    FROM {installment} AS i
                    JOIN {work} AS w ON w.loan_id = i.loan_id
                    JOIN {loan} AS l ON l.id = i.loan_id
                    WHERE i.loan_id BETWEEN %(first)s AND %(last)s
                      AND l.id BETWEEN %(first)s AND %(last)s
                ) AS e
            ) AS x
            WHERE x.kind = 1 AND x.day <= %(day)s AND x.paid < x.need
        )
        OR loan_id IN (
            SELECT l.id FROM {loan} AS l JOIN {work} AS w ON w.loan_id = l.id
            WHERE l.allocation_order <> %(order)s
        )
    """
    with connection.cursor() as cursor:
        params: dict[str, Any] = {"on": on, "day": on.toordinal(), "first": first, "last": last}
        cursor.execute(sql, {**params, "order": DEFAULT_ALLOCATION_ORDER})
        return max(cursor.rowcount, 0)


def _insert_clean_installments(first: int, last: int, on: date) -> int:
    """Installment positions of the clean work loans, by the waterfall, in one statement."""
    work, payment, installment, loan = (
        WORK_TABLE,
        _table(Payment),
        _table(Installment),
        _table(Loan),
    )
    clean = f"SELECT loan_id FROM {work} WHERE dirty = 0"
    # applied = min(payments through ``on``, amounts due through ``on``); installment k
    # takes min(its total, applied − the totals of the installments before it).
    remaining = "(CASE WHEN b.applied > b.before THEN b.applied - b.before ELSE 0 END)"
    taken = f"(CASE WHEN b.due_day > %(day)s THEN 0 ELSE {_least('b.total', remaining)} END)"
    sql = f"""
        INSERT INTO {_table(InstallmentPosition)} (
            installment_id, loan_id, seq, due_day, accrue_after_day, accrued_through_day,
            principal_unpaid, interest_unpaid, fees_unpaid, fen_days, penalty_accrued,
            penalty_paid)
        SELECT g.id, g.loan_id, g.seq, g.due_day, g.due_day + g.grace_days, %(day)s,
               g.principal - (g.taken - g.fees_paid - g.interest_paid),
               g.interest - g.interest_paid, g.fees - g.fees_paid, 0, 0, 0
        FROM (
            SELECT f.*, {_least("f.taken - f.fees_paid", "f.interest")} AS interest_paid
            FROM (
                SELECT t.*, {_least("t.taken", "t.fees")} AS fees_paid
                FROM (
                    SELECT b.*, {taken} AS taken
                    FROM (
                        SELECT i.id, i.loan_id, i.seq, {day_number("i.due_on")} AS due_day,
                               l.grace_days, i.principal, i.interest, i.fees,
                               i.principal + i.interest + i.fees AS total,
                               COALESCE(SUM(i.principal + i.interest + i.fees) OVER (
                                   PARTITION BY i.loan_id ORDER BY i.due_on, i.seq
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                               ), 0) AS before,
                               a.applied
                        FROM {installment} AS i
                        JOIN {loan} AS l ON l.id = i.loan_id
                        JOIN (
                            SELECT d.loan_id,
                                {_least("COALESCE(pp.total, 0)", "d.due_total")} AS applied
                            FROM (
                                SELECT loan_id, SUM(CASE WHEN due_on <= %(on)s
                                    THEN principal + interest + fees ELSE 0 END) AS due_total
                                FROM {installment}
                                WHERE loan_id BETWEEN %(first)s AND %(last)s
                                  AND loan_id IN ({clean})
                                GROUP BY loan_id
                            ) AS d
                            LEFT JOIN (
                                SELECT loan_id, SUM(amount) AS total FROM {payment}
                                WHERE loan_id BETWEEN %(first)s AND %(last)s
                                  AND loan_id IN ({clean}) AND paid_on <= %(on)s
                                GROUP BY loan_id
                            ) AS pp ON pp.loan_id = d.loan_id
                        ) AS a ON a.loan_id = i.loan_id
                        WHERE i.loan_id BETWEEN %(first)s AND %(last)s
                          AND l.id BETWEEN %(first)s AND %(last)s
                    ) AS b
                ) AS t
            ) AS f
        ) AS g
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"on": on, "day": on.toordinal(), "first": first, "last": last})
        return max(cursor.rowcount, 0)


def insert_clean_positions(first: int, last: int, on: date) -> int:
    """Write installment and loan positions of the clean work loans; return how many loans.

    Three grouped queries give each loan's terms, payments and amounts due (the ORM
    converts the rates and dates exactly); the loan rows are written in bulk and their
    aggregates (DPD, overdue, next due date …) come from the same SQL as every other day.
    """
    clean = RawSQL(f"SELECT loan_id FROM {WORK_TABLE} WHERE dirty = 0", [])
    # The loans first: a payment recorded while this runs then shows as a newer payments
    # version next time, never as a payment counted under an old version.
    loans = list(
        Loan.objects.filter(pk__in=clean)
        .order_by()
        .values_list("pk", "penalty_rate", "day_count", "updated_at", "payments_version")
    )
    _insert_clean_installments(first, last, on)
    payments = {
        row["loan_id"]: row
        for row in Payment.objects.filter(loan_id__in=clean, paid_on__lte=on)
        .order_by()
        .values("loan_id")
        .annotate(count=Count("id"), total=Sum("amount"), last=Max("paid_on"))
    }
    dues = {
        row["loan_id"]: row
        for row in Installment.objects.filter(loan_id__in=clean)
        .order_by()
        .values("loan_id")
        .annotate(
            last=Max("due_on"),
            total=Sum(F("principal") + F("interest") + F("fees"), filter=Q(due_on__lte=on)),
        )
    }
    pending = pending_payment_days(clean, on)
    rows = []
    for pk, rate, day_count, updated_at, version in loans:
        paid = payments.get(pk, {"count": 0, "total": 0, "last": None})
        due = dues.get(pk, {"last": None, "total": 0})
        credit = max(paid["total"] - (due["total"] or 0), 0)
        numerator, denominator = Decimal(rate).as_integer_ratio()
        expires = limitation_expires_on(due["last"], paid["last"])
        row: dict[str, Any] = dict.fromkeys(LOAN_COLUMNS, 0)
        row.update(
            loan_id=pk,
            as_of=on,
            bucket="M0",
            classification="normal",
            credit_balance=credit,
            next_due_day=None,
            oldest_overdue_day=None,
            oldest_unpaid_day=None,
            last_paid_on=paid["last"],
            limitation_expires_on=expires,
            limitation_day=expires.toordinal() if expires else None,
            limitation_watch=False,
            penalty_rate_num=numerator,
            penalty_rate_den=denominator * day_count,
            payments_count=paid["count"],
            payments_total=paid["total"],
            payments_version=version,
            pending_payment_day=pending.get(pk),
            loan_updated_at=updated_at,
        )
        rows.append(tuple(row[column] for column in LOAN_COLUMNS))
    bulk_insert(LoanPosition._meta.db_table, LOAN_COLUMNS, rows)
    recompute_loans(
        first, last, f"q.loan_id IN (SELECT loan_id FROM {WORK_TABLE} WHERE dirty = 0)", on
    )
    return len(rows)
