"""The set-based steps of a cycle day, each one SQL statement or a few over a partition.

The same statements run on SQLite (3.33+: ``UPDATE … FROM``) and PostgreSQL: integer day
numbers instead of date arithmetic, integer division for the penalty rounding. Each step
is idempotent for a business date, so a partition that crashed half way can simply run
again. The rules are the reference semantics (docs/reference-semantics.md); a property
test compares the result with the pure replay, fen for fen.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.db import connection

from arrears.cycle.models import InstallmentPosition, LoanHistory, LoanPosition
from arrears.portfolio.calculations.delinquency import BUCKET_BEYOND, BUCKET_BOUNDS
from arrears.portfolio.models import Loan, Product

LIMITATION_WATCH_DAYS = 90


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _execute(sql: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def bucket_case(dpd: str) -> str:
    """SQL for the bucket of a DPD expression (``delinquency.bucket_for`` in SQL)."""
    whens = " ".join(f"WHEN {dpd} <= {upper} THEN '{name}'" for upper, name in BUCKET_BOUNDS)
    return f"CASE {whens} ELSE '{BUCKET_BEYOND}' END"


def _unpaid(alias: str) -> str:
    return (
        f"({alias}.principal_unpaid + {alias}.interest_unpaid + {alias}.fees_unpaid"
        f" + {alias}.penalty_accrued - {alias}.penalty_paid)"
    )


def accrue(first: int, last: int, on: date) -> int:
    """Penalty through ``on`` for installments whose principal is unpaid past due + grace.

    A loan that was not replayed had no payment and no credit settlement since its
    position, so its unpaid principal was constant: the days since the last accrual times
    that principal is exactly the replay's Σ fen·days. The penalty is rounded once from
    the new sum: a·num + round_half_up(b·num / den) with fen·days = a·den + b, which
    stays inside 64-bit integers.
    """
    position, installment = _table(LoanPosition), _table(InstallmentPosition)
    since = (
        "(CASE WHEN i.accrued_through_day > i.accrue_after_day"
        " THEN i.accrued_through_day ELSE i.accrue_after_day END)"
    )
    fen_days = f"(i.fen_days + i.principal_unpaid * (%(day)s - {since}))"
    sql = f"""
        UPDATE {installment} AS i SET
            fen_days = {fen_days},
            penalty_accrued = ({fen_days} / p.penalty_rate_den) * p.penalty_rate_num
                + (2 * ({fen_days} %% p.penalty_rate_den) * p.penalty_rate_num
                   + p.penalty_rate_den) / (2 * p.penalty_rate_den),
            accrued_through_day = %(day)s
        FROM {position} AS p
        WHERE p.loan_id = i.loan_id
          AND p.loan_id BETWEEN %(first)s AND %(last)s
          AND i.loan_id BETWEEN %(first)s AND %(last)s
          AND i.principal_unpaid > 0
          AND i.accrue_after_day < %(day)s
          AND i.accrued_through_day < %(day)s
    """
    return _execute(sql, {"first": first, "last": last, "day": on.toordinal()})


def recompute_loans(first: int, last: int, scope: str, on: date) -> int:
    """Recompute the positions of loans ``first``–``last`` in ``scope`` (SQL over alias
    ``q``) from their installments. The range on the installments keeps the planner on the
    loan index instead of a scan of every installment."""
    position, installment = _table(LoanPosition), _table(InstallmentPosition)
    unpaid = _unpaid("i")
    overdue = f"i.due_day < %(day)s AND {unpaid} > 0"
    dpd = "(CASE WHEN a.oldest_overdue IS NULL THEN 0 ELSE %(day)s - a.oldest_overdue END)"
    sql = f"""
        UPDATE {position} AS p SET
            dpd = {dpd},
            bucket = {bucket_case(dpd)},
            overdue_principal = a.principal,
            overdue_interest = a.interest,
            overdue_fees = a.fees,
            overdue_penalty = a.penalty,
            penalty_accrued = a.penalty_accrued,
            principal_outstanding = a.principal_outstanding,
            next_due_day = a.next_due,
            oldest_overdue_day = a.oldest_overdue,
            oldest_unpaid_day = a.oldest_unpaid,
            as_of = %(on)s
        FROM (
            SELECT i.loan_id,
                SUM(CASE WHEN {overdue} THEN i.principal_unpaid ELSE 0 END) AS principal,
                SUM(CASE WHEN {overdue} THEN i.interest_unpaid ELSE 0 END) AS interest,
                SUM(CASE WHEN {overdue} THEN i.fees_unpaid ELSE 0 END) AS fees,
                SUM(CASE WHEN {overdue} THEN i.penalty_accrued - i.penalty_paid ELSE 0 END)
                    AS penalty,
                SUM(i.penalty_accrued) AS penalty_accrued,
                SUM(i.principal_unpaid) AS principal_outstanding,
                MIN(CASE WHEN i.due_day > %(day)s AND {unpaid} > 0 THEN i.due_day END)
                    AS next_due,
                MIN(CASE WHEN {overdue} THEN i.due_day END) AS oldest_overdue,
                MIN(CASE WHEN {unpaid} > 0 THEN i.due_day END) AS oldest_unpaid
            FROM {installment} AS i
            JOIN {position} AS q ON q.loan_id = i.loan_id
            WHERE i.loan_id BETWEEN %(first)s AND %(last)s
              AND q.loan_id BETWEEN %(first)s AND %(last)s
              AND {scope}
            GROUP BY i.loan_id
        ) AS a
        WHERE p.loan_id = a.loan_id
    """
    params = {"first": first, "last": last, "day": on.toordinal(), "on": on}
    return _execute(sql, params)


def loan_state(first: int, last: int, on: date) -> int:
    """DPD, bucket, overdue amounts and penalty of loans whose state can change on ``on``.

    Only loans with something unpaid due on or before ``on`` can change; the others keep
    their position (and its ``as_of``) untouched.
    """
    scope = "q.oldest_unpaid_day <= %(day)s AND q.as_of < %(on)s"
    return recompute_loans(first, last, scope, on)


def _classification_case(dpd: str) -> str:
    return (
        f"CASE WHEN {dpd} >= t.loss THEN 'loss'"
        f" WHEN {dpd} >= t.doubtful THEN 'doubtful'"
        f" WHEN {dpd} >= t.substandard THEN 'substandard'"
        f" WHEN {dpd} >= t.special_mention THEN 'special_mention'"
        " ELSE 'normal' END"
    )


def classify(first: int, last: int, on: date) -> int:
    """五级分类 from DPD and the product's thresholds, for loans whose state moved today."""
    position, loan, product = _table(LoanPosition), _table(Loan), _table(Product)
    case = _classification_case("p.dpd")
    sql = f"""
        UPDATE {position} AS p SET classification = {case}
        FROM (
            SELECT l.id,
                COALESCE(pr.special_mention_dpd, 1) AS special_mention,
                COALESCE(pr.substandard_dpd, 91) AS substandard,
                COALESCE(pr.doubtful_dpd, 271) AS doubtful,
                COALESCE(pr.loss_dpd, 361) AS loss
            FROM {loan} AS l
            LEFT JOIN {product} AS pr ON pr.id = l.product_id
            WHERE l.id BETWEEN %(first)s AND %(last)s
        ) AS t
        WHERE p.loan_id = t.id AND p.as_of = %(on)s AND p.classification <> {case}
    """
    return _execute(sql, {"first": first, "last": last, "on": on})


def limitation(first: int, last: int, on: date) -> int:
    """Flag loans with money owed whose limitation expires within 90 days (or has)."""
    position = _table(LoanPosition)
    watch = (
        "CASE WHEN limitation_day IS NOT NULL"
        " AND limitation_day - %(day)s <= %(window)s"
        " AND (principal_outstanding + overdue_interest + overdue_fees + overdue_penalty) > 0"
        " THEN TRUE ELSE FALSE END"
    )
    sql = f"""
        UPDATE {position} SET limitation_watch = {watch}
        WHERE loan_id BETWEEN %(first)s AND %(last)s AND limitation_watch <> {watch}
    """
    params = {
        "first": first,
        "last": last,
        "day": on.toordinal(),
        "window": LIMITATION_WATCH_DAYS,
    }
    return _execute(sql, params)


def is_month_end(on: date) -> bool:
    return on.day == calendar.monthrange(on.year, on.month)[1]


def history(first: int, last: int, on: date) -> int:
    """A history row for each overdue loan on ``on``, and for every loan at month end."""
    position, journal = _table(LoanPosition), _table(LoanHistory)
    params = {"first": first, "last": last, "on": on}
    _execute(
        f"DELETE FROM {journal} WHERE business_date = %(on)s"
        " AND loan_id BETWEEN %(first)s AND %(last)s",
        params,
    )
    everyone = "" if is_month_end(on) else "AND dpd > 0"
    sql = f"""
        INSERT INTO {journal} (loan_id, business_date, dpd, bucket, classification,
                               overdue_total, principal_outstanding, penalty_accrued)
        SELECT loan_id, %(on)s, dpd, bucket, classification,
               overdue_principal + overdue_interest + overdue_fees + overdue_penalty,
               principal_outstanding, penalty_accrued
        FROM {position}
        WHERE loan_id BETWEEN %(first)s AND %(last)s {everyone}
    """
    return _execute(sql, params)
