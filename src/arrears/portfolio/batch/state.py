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

from arrears.core.sql import day_number, execute, table
from arrears.portfolio.batch.guarantees import guarantees_watch
from arrears.portfolio.calculations.delinquency import BUCKET_BEYOND, BUCKET_BOUNDS
from arrears.portfolio.models import (
    Installment,
    InstallmentPosition,
    Loan,
    LoanHistory,
    LoanPosition,
    Product,
)

LIMITATION_WATCH_DAYS = 90


def bucket_case(dpd: str) -> str:
    """SQL for the bucket of a DPD expression (``delinquency.bucket_for`` in SQL)."""
    whens = " ".join(f"WHEN {dpd} <= {upper} THEN '{name}'" for upper, name in BUCKET_BOUNDS)
    return f"CASE {whens} ELSE '{BUCKET_BEYOND}' END"


def _unpaid(alias: str) -> str:
    return (
        f"({alias}.principal_unpaid + {alias}.interest_unpaid + {alias}.fees_unpaid"
        f" + {alias}.penalty_accrued - {alias}.penalty_paid)"
    )


def penalty_sql(fen_days: str, num: str, den: str) -> str:
    """SQL for round_half_up(fen_days × num / den) in integers (``penalty_from_fen_days``):
    a·num + round_half_up(b·num / den) with fen·days = a·den + b stays inside 64 bits.
    For statements with parameters (``%%`` is the modulo operator there)."""
    return (
        f"(({fen_days}) / {den}) * {num}"
        f" + (2 * (({fen_days}) %% {den}) * {num} + {den}) / (2 * {den})"
    )


def penalty_accrue(*, first: int, last: int, on: date) -> int:
    """Penalty through ``on`` for installments whose principal is unpaid past due + grace.

    A loan that was not replayed had no payment and no credit settlement since its
    position, so its unpaid principal was constant: the days since the last accrual times
    that principal is exactly the replay's Σ fen·days. The penalty is rounded once from
    the new sum (``penalty_sql``).
    """
    position, installment = table(LoanPosition), table(InstallmentPosition)
    since = (
        "(CASE WHEN i.accrued_through_day > i.accrue_after_day"
        " THEN i.accrued_through_day ELSE i.accrue_after_day END)"
    )
    fen_days = f"(i.fen_days + i.principal_unpaid * (%(day)s - {since}))"
    sql = f"""
        UPDATE {installment} AS i SET
            fen_days = {fen_days},
            penalty_accrued = {penalty_sql(fen_days, "p.penalty_rate_num", "p.penalty_rate_den")},
            accrued_through_day = %(day)s
        FROM {position} AS p
        WHERE p.loan_id = i.loan_id
          AND p.loan_id BETWEEN %(first)s AND %(last)s
          AND i.loan_id BETWEEN %(first)s AND %(last)s
          AND i.principal_unpaid > 0
          AND i.accrue_after_day < %(day)s
          AND i.accrued_through_day < %(day)s
    """
    return execute(sql, {"first": first, "last": last, "day": on.toordinal()})


def recompute_loans(first: int, last: int, scope: str, on: date, *, carried: bool = False) -> int:
    """Recompute the positions of loans ``first``–``last`` in ``scope`` (SQL over alias
    ``q``) from their installment positions and, for what is not yet due, the schedule.

    Installment positions are sparse (see ``InstallmentPosition``): the rows say what is
    unpaid or accrued among installments already due; installments due after ``on`` are
    wholly unpaid and come from the schedule. The ranges keep the planner on the loan
    indexes instead of a scan of every installment.

    ``carried``: the loans' positions were whole yesterday and no money moved since (the
    ``loan_state`` step): principal outstanding is what it was (an installment falling due
    only moves principal from the schedule to its position), and the next due day is
    looked up only for a loan whose next due day has come. Reading the schedule of every
    overdue loan every day was most of the step.
    """
    position, installment_position = table(LoanPosition), table(InstallmentPosition)
    schedule = table(Installment)
    unpaid = _unpaid("i")
    overdue = f"i.due_day < %(day)s AND {unpaid} > 0"
    in_scope = f"q.loan_id BETWEEN %(first)s AND %(last)s AND {scope}"
    dpd = "(CASE WHEN a.oldest_overdue IS NULL THEN 0 ELSE %(day)s - a.oldest_overdue END)"
    future = "s.due_on > %(on)s AND s.principal + s.interest + s.fees > 0"
    if carried:
        outstanding = "q.principal_outstanding"
        # One step down the (loan, seq) index for the few loans whose next due day came.
        next_due = (
            "(CASE WHEN q.next_due_day IS NULL OR q.next_due_day > %(day)s THEN q.next_due_day"
            f" ELSE (SELECT MIN({day_number('s.due_on')}) FROM {schedule} AS s"
            f" WHERE s.loan_id = q.loan_id AND {future}) END)"
        )
        future_join = ""
        # The range again for the target on a following day: PostgreSQL does not carry it
        # over the join and hashed every position of the book for each partition. Not on
        # the first day's rebuild: there the positions' statistics are those of an empty
        # table, and with the range PostgreSQL re-ran the aggregate for each position
        # (121 s instead of 2 s at 300,000 loans).
        target_range = "AND p.loan_id BETWEEN %(first)s AND %(last)s"
    else:
        target_range = ""
        outstanding = "COALESCE(r.principal_unpaid, 0) + COALESCE(f.principal, 0)"
        next_due = "f.next_due"
        future_join = f"""LEFT JOIN (
                SELECT s.loan_id, SUM(s.principal) AS principal,
                    MIN({day_number("s.due_on")}) AS next_due
                FROM {schedule} AS s
                JOIN {position} AS q ON q.loan_id = s.loan_id
                WHERE s.loan_id BETWEEN %(first)s AND %(last)s AND {in_scope} AND {future}
                GROUP BY s.loan_id
            ) AS f ON f.loan_id = q.loan_id"""
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
            SELECT q.loan_id,
                COALESCE(r.principal, 0) AS principal,
                COALESCE(r.interest, 0) AS interest,
                COALESCE(r.fees, 0) AS fees,
                COALESCE(r.penalty, 0) AS penalty,
                COALESCE(r.penalty_accrued, 0) AS penalty_accrued,
                {outstanding} AS principal_outstanding,
                {next_due} AS next_due,
                r.oldest_overdue,
                COALESCE(r.oldest_unpaid, {next_due}) AS oldest_unpaid
            FROM {position} AS q
            LEFT JOIN (
                SELECT i.loan_id,
                    SUM(CASE WHEN {overdue} THEN i.principal_unpaid ELSE 0 END) AS principal,
                    SUM(CASE WHEN {overdue} THEN i.interest_unpaid ELSE 0 END) AS interest,
                    SUM(CASE WHEN {overdue} THEN i.fees_unpaid ELSE 0 END) AS fees,
                    SUM(CASE WHEN {overdue} THEN i.penalty_accrued - i.penalty_paid ELSE 0 END)
                        AS penalty,
                    SUM(i.penalty_accrued) AS penalty_accrued,
                    SUM(i.principal_unpaid) AS principal_unpaid,
                    MIN(CASE WHEN {overdue} THEN i.due_day END) AS oldest_overdue,
                    MIN(CASE WHEN {unpaid} > 0 THEN i.due_day END) AS oldest_unpaid
                FROM {installment_position} AS i
                JOIN {position} AS q ON q.loan_id = i.loan_id
                WHERE i.loan_id BETWEEN %(first)s AND %(last)s AND {in_scope}
                GROUP BY i.loan_id
            ) AS r ON r.loan_id = q.loan_id
            {future_join}
            WHERE {in_scope}
        ) AS a
        WHERE p.loan_id = a.loan_id {target_range}
    """
    params = {"first": first, "last": last, "day": on.toordinal(), "on": on}
    return execute(sql, params)


def materialize_due(first: int, last: int, on: date) -> int:
    """Give installments that fell due through ``on`` their positions.

    A position keeps rows only for installments already due (``InstallmentPosition``);
    everything from the loan's ``next_due_day`` on is the schedule, wholly unpaid, since
    credit is only applied when a due date comes and a loan holding credit is rebuilt that
    day. So the installments due from ``next_due_day`` through ``on`` enter unpaid.
    """
    position, installment_position = table(LoanPosition), table(InstallmentPosition)
    schedule, loan = table(Installment), table(Loan)
    due_day = day_number("s.due_on")
    sql = f"""
        INSERT INTO {installment_position} (
            installment_id, loan_id, seq, due_day, accrue_after_day, accrued_through_day,
            principal_unpaid, interest_unpaid, fees_unpaid, fen_days, penalty_accrued,
            penalty_paid)
        SELECT s.id, s.loan_id, s.seq, {due_day}, {due_day} + l.grace_days, {due_day},
               s.principal, s.interest, s.fees, 0, 0, 0
        FROM {position} AS p
        JOIN {schedule} AS s ON s.loan_id = p.loan_id
        JOIN {loan} AS l ON l.id = p.loan_id
        WHERE p.loan_id BETWEEN %(first)s AND %(last)s
          AND s.loan_id IN (
              -- The few loans with something falling due drive the plan; without this
              -- SQLite walks every installment of the partition.
              SELECT loan_id FROM {position}
              WHERE loan_id BETWEEN %(first)s AND %(last)s AND next_due_day <= %(day)s
          )
          AND l.id BETWEEN %(first)s AND %(last)s
          AND p.next_due_day <= %(day)s
          AND s.due_on <= %(on)s AND {due_day} >= p.next_due_day
          AND s.principal + s.interest + s.fees > 0
    """
    return execute(sql, {"first": first, "last": last, "day": on.toordinal(), "on": on})


def positions_update(*, first: int, last: int, on: date) -> int:
    """DPD, bucket, overdue amounts and penalty of loans whose state can change on ``on``.

    Only loans with something unpaid due on or before ``on`` can change; the others keep
    their position (and its ``as_of``) untouched.
    """
    scope = "q.oldest_unpaid_day <= %(day)s AND q.as_of < %(on)s"
    return recompute_loans(first, last, scope, on, carried=True)


def _classification_case(dpd: str) -> str:
    return (
        f"CASE WHEN {dpd} >= t.loss THEN 'loss'"
        f" WHEN {dpd} >= t.doubtful THEN 'doubtful'"
        f" WHEN {dpd} >= t.substandard THEN 'substandard'"
        f" WHEN {dpd} >= t.special_mention THEN 'special_mention'"
        " ELSE 'normal' END"
    )


def loans_classify(*, first: int, last: int, on: date) -> int:
    """五级分类 from DPD and the product's thresholds, for loans whose state moved today."""
    position, loan, product = table(LoanPosition), table(Loan), table(Product)
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
        WHERE p.loan_id = t.id AND p.loan_id BETWEEN %(first)s AND %(last)s
          AND p.as_of = %(on)s AND p.classification <> {case}
    """
    return execute(sql, {"first": first, "last": last, "on": on})


def limitation_watch(*, first: int, last: int, on: date) -> int:
    """Flag loans with money owed whose limitation expires within 90 days (or has), and
    guarantees ending within 30 days with no preserving act (``guarantees_watch``)."""
    position = table(LoanPosition)
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
    return execute(sql, params) + guarantees_watch(first=first, last=last, on=on)


def is_month_end(on: date) -> bool:
    return on.day == calendar.monthrange(on.year, on.month)[1]


def history_record(*, first: int, last: int, on: date) -> int:
    """A history row for each overdue loan on ``on``, and for every loan at month end."""
    position, journal = table(LoanPosition), table(LoanHistory)
    params = {"first": first, "last": last, "on": on}
    execute(
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
    return execute(sql, params)
