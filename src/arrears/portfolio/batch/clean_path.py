"""Positions of loans without a payment made while they owed penalty: set-based, no replay.

Until the first day penalty could accrue on an installment still unpaid (its due date +
grace + 1), the replay reduces to a waterfall: by any day t the money applied is
min(payments through t, amounts due through t), the rest is credit, and installments take
it oldest first, each by its allocation order. A loan with no payment after that day
(most overdue loans: they stopped paying) stays there: no penalty was ever paid, and each
unpaid installment's principal has been constant since its penalty began, so Σ fen·days
is that principal times the days. Such loans, and loans never late at all (most of a
portfolio), are written here from one windowed SQL pass (``work_scan``, which also flags
the loans that paid while owing penalty for the reference replay, as it does loans with a
non-default allocation order or with limitation events to weigh).

Everything runs over the loans listed in the connection's ``cycle_work`` temporary table;
``dirty`` there marks the loans for the replay.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models.expressions import RawSQL

from arrears.core.bulk import bulk_insert
from arrears.core.sql import day_number, emptied, least, table, years_later
from arrears.portfolio.batch.columns import DEBTOR_EVENT
from arrears.portfolio.batch.state import penalty_sql, recompute_loans
from arrears.portfolio.batch.work_scan import SCAN_TABLE, WORK_TABLE
from arrears.portfolio.calculations.limitation import LIMITATION_YEARS
from arrears.portfolio.models import (
    Installment,
    InstallmentPosition,
    LimitationEvent,
    Loan,
    LoanPosition,
)


def _short_clean_loans() -> str:
    """SQL for the clean work loans paid less than is due: they have an installment unpaid
    within its grace days (a clean loan has nothing unpaid beyond them)."""
    return (
        f"SELECT s.loan_id FROM {SCAN_TABLE} AS s JOIN {WORK_TABLE} AS w"
        " ON w.loan_id = s.loan_id WHERE w.dirty = 0 AND s.paid_total < s.due_total"
    )


def _insert_clean_installments(first: int, last: int, on: date) -> int:
    """Installment positions of the set-based loans paid less than is due, by the
    waterfall, with the penalty of those that stopped paying, in one statement.

    Only installments already due with something unpaid get a row (positions are sparse),
    and only a loan paid less than is due has any.
    """
    installment, loan = table(Installment), table(Loan)
    # applied = min(payments through ``on``, amounts due through ``on``); installment k
    # takes min(its total, applied − the totals of the installments before it).
    remaining = "(CASE WHEN b.applied > b.before THEN b.applied - b.before ELSE 0 END)"
    taken = f"(CASE WHEN b.due_day > %(day)s THEN 0 ELSE {least('b.total', remaining)} END)"
    # Penalty of a loan that stopped paying: its unpaid principal has not moved since the
    # installment's penalty began, so Σ fen·days is that principal times the days since.
    fen_days = (
        "(CASE WHEN %(day)s > h.accrue_after"
        " THEN h.principal_unpaid * (%(day)s - h.accrue_after) ELSE 0 END)"
    )
    sql = f"""
        INSERT INTO {table(InstallmentPosition)} (
            installment_id, loan_id, seq, due_day, accrue_after_day, accrued_through_day,
            principal_unpaid, interest_unpaid, fees_unpaid, fen_days, penalty_accrued,
            penalty_paid)
        SELECT h.id, h.loan_id, h.seq, h.due_day, h.accrue_after, %(day)s,
               h.principal_unpaid, h.interest_unpaid, h.fees_unpaid, {fen_days},
               {penalty_sql(fen_days, "h.num", "h.den")}, 0
        FROM (
            SELECT g.id, g.loan_id, g.seq, g.due_day, g.due_day + g.grace_days AS accrue_after,
                   -- Integers again: PostgreSQL's SUM over BIGINT is NUMERIC, and the
                   -- penalty below needs integer division.
                   CAST(g.principal - (g.taken - g.fees_paid - g.interest_paid) AS BIGINT)
                       AS principal_unpaid,
                   g.interest - g.interest_paid AS interest_unpaid,
                   g.fees - g.fees_paid AS fees_unpaid, g.num, g.den
            FROM (
                SELECT f.*, {least("f.taken - f.fees_paid", "f.interest")} AS interest_paid
                FROM (
                    SELECT t.*, {least("t.taken", "t.fees")} AS fees_paid
                    FROM (
                        SELECT b.*, {taken} AS taken
                        FROM (
                            SELECT i.id, i.loan_id, i.seq,
                                   {day_number("i.due_on")} AS due_day,
                                   l.grace_days, i.principal, i.interest, i.fees,
                                   i.principal + i.interest + i.fees AS total,
                                   COALESCE(SUM(i.principal + i.interest + i.fees) OVER (
                                       PARTITION BY i.loan_id ORDER BY i.due_on, i.seq
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                                   ), 0) AS before,
                                   {least("sc.paid_total", "sc.due_total")} AS applied,
                                   r.num, r.den
                            -- The short loans first, then their installments. As
                            -- ``i.loan_id IN (…)`` PostgreSQL probed the scan for each of the
                            -- partition's 600,000 installments (1.6 s, now 0.2 s); CROSS JOIN
                            -- keeps that order on SQLite, which otherwise took the
                            -- installments first.
                            FROM ({_short_clean_loans()}) AS k
                            CROSS JOIN {installment} AS i
                            JOIN {loan} AS l ON l.id = i.loan_id
                            JOIN {SCAN_TABLE} AS sc ON sc.loan_id = i.loan_id
                            JOIN {RATES_TABLE} AS r
                              ON r.penalty_rate = l.penalty_rate AND r.day_count = l.day_count
                            WHERE i.loan_id = k.loan_id
                              AND i.loan_id BETWEEN %(first)s AND %(last)s
                              AND l.id BETWEEN %(first)s AND %(last)s
                        ) AS b
                    ) AS t
                ) AS f
            ) AS g
            WHERE g.due_day <= %(day)s AND g.total > g.taken
        ) AS h
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"day": on.toordinal(), "first": first, "last": last})
        return max(cursor.rowcount, 0)


RATES_TABLE = "cycle_rates"


def _fill_rates() -> None:
    """The penalty rate of each distinct (rate, day count) of the clean work loans as an
    exact fraction: penalty = round_half_up(fen·days × num / den), den folding in the
    day count. A handful of rows, read through the ORM so the decimals stay exact."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {RATES_TABLE} (penalty_rate NUMERIC,"
            " day_count INTEGER, num BIGINT, den BIGINT)"
        )
        cursor.execute(emptied(RATES_TABLE))
    clean = RawSQL(f"SELECT loan_id FROM {WORK_TABLE} WHERE dirty = 0", [])
    rows = []
    for rate, day_count in (
        Loan.objects.filter(pk__in=clean).order_by().values_list("penalty_rate", "day_count")
    ).distinct():
        numerator, denominator = Decimal(rate).as_integer_ratio()
        rows.append((rate, day_count, numerator, denominator * day_count))
    bulk_insert(RATES_TABLE, ["penalty_rate", "day_count", "num", "den"], rows)


def _insert_clean_loans(first: int, last: int, on: date) -> int:
    """Loan positions of the clean work loans from the scan.

    Nothing of a clean loan is overdue beyond its grace days, so DPD, overdue amounts and
    penalty start at zero; the few loans with an installment unpaid within its grace days
    are recomputed from their rows afterwards.
    """
    loan, position = table(Loan), table(LoanPosition)
    restart = (
        "(CASE WHEN s.last_paid IS NULL OR s.last_due >= s.last_paid"
        " THEN s.last_due ELSE s.last_paid END)"
    )
    credit = "COALESCE(s.paid_total, 0) - COALESCE(s.due_total, 0)"
    sql = f"""
        INSERT INTO {position} (
            loan_id, as_of, dpd, bucket, classification, overdue_principal,
            overdue_interest, overdue_fees, overdue_penalty, penalty_accrued,
            credit_balance, principal_outstanding, next_due_day, oldest_overdue_day,
            oldest_unpaid_day, last_paid_on, limitation_expires_on, limitation_day,
            limitation_watch, penalty_rate_num, penalty_rate_den, payments_count,
            payments_total, payments_version, pending_payment_day, loan_updated_at)
        SELECT x.id, %(on)s, 0, 'M0', 'normal', 0, 0, 0, 0, 0,
            x.credit, x.future_principal, x.next_due, NULL, x.next_due, x.last_paid,
            x.expires, {day_number("x.expires")}, FALSE, x.num, x.den, x.payments_count,
            x.payments_total, x.payments_version, x.pending, x.updated_at
        FROM (
            SELECT l.id, r.num, r.den,
                COALESCE(s.payments_version, l.payments_version) AS payments_version,
                COALESCE(s.loan_updated_at, l.updated_at) AS updated_at,
                CASE WHEN {credit} > 0 THEN {credit} ELSE 0 END AS credit,
                COALESCE(s.future_principal, 0) AS future_principal,
                s.next_due, s.last_paid,
                {years_later(restart, LIMITATION_YEARS)} AS expires,
                COALESCE(s.paid_count, 0) AS payments_count,
                COALESCE(s.paid_total, 0) AS payments_total,
                CASE WHEN ev.first IS NULL OR s.pending < ev.first THEN s.pending
                    ELSE ev.first END AS pending
            FROM {loan} AS l
            JOIN {WORK_TABLE} AS w ON w.loan_id = l.id AND w.dirty = 0
            JOIN {RATES_TABLE} AS r
              ON r.penalty_rate = l.penalty_rate AND r.day_count = l.day_count
            LEFT JOIN {SCAN_TABLE} AS s ON s.loan_id = l.id
            LEFT JOIN (
                SELECT loan_id, MIN({day_number("occurred_on")}) AS first
                FROM {table(LimitationEvent)}
                WHERE loan_id BETWEEN %(first)s AND %(last)s AND occurred_on > %(on)s
                  AND {DEBTOR_EVENT}
                GROUP BY loan_id
            ) AS ev ON ev.loan_id = l.id
            WHERE l.id BETWEEN %(first)s AND %(last)s
        ) AS x
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"on": on, "first": first, "last": last})
        return max(cursor.rowcount, 0)


def insert_clean_positions(first: int, last: int, on: date) -> int:
    """Write installment and loan positions of the clean work loans; return how many loans.

    Set-based throughout, from the scan ``mark_dirty`` made: the loan rows, then the
    unpaid installments of the loans paid less than is due, which then get their
    aggregates from the same SQL as every other day.
    """
    _fill_rates()
    loans = _insert_clean_loans(first, last, on)
    if _insert_clean_installments(first, last, on):
        recompute_loans(first, last, f"q.loan_id IN ({_short_clean_loans()})", on)
    return loans
