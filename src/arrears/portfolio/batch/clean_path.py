"""Positions of loans without a payment made while they owed penalty: set-based, no replay.

Until the first day penalty could accrue on an installment still unpaid (its due date +
grace + 1), the replay reduces to a waterfall: by any day t the money applied is
min(payments through t, amounts due through t), the rest is credit, and installments take
it oldest first, each by its allocation order. A loan with no payment after that day
(most overdue loans: they stopped paying) stays there: no penalty was ever paid, and each
unpaid installment's principal has been constant since its penalty began, so Σ fen·days
is that principal times the days. Such loans, and loans never late at all (most of a
portfolio), are written here from one windowed SQL pass (``_scan``). Loans that paid while
owing penalty go to the reference replay, as do loans with a non-default allocation order
or with limitation events to weigh.

Everything runs over the loans listed in the connection's ``cycle_work`` temporary table;
``dirty`` there marks the loans for the replay.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Min
from django.db.models.expressions import RawSQL

from arrears.core.bulk import bulk_insert
from arrears.core.sql import date_of_day, day_number, least, table, years_later
from arrears.portfolio.batch.columns import DEBTOR_EVENT
from arrears.portfolio.batch.state import penalty_sql, recompute_loans
from arrears.portfolio.calculations.limitation import LIMITATION_YEARS
from arrears.portfolio.models import (
    DEFAULT_ALLOCATION_ORDER,
    Installment,
    InstallmentPosition,
    LimitationEvent,
    Loan,
    LoanPosition,
    Payment,
    Waiver,
)

WORK_TABLE = "cycle_work"
SCAN_TABLE = "cycle_scan"


def work_table() -> str:
    """The per-connection temporary table of loan ids being refreshed (created on demand)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {WORK_TABLE}"
            " (loan_id BIGINT PRIMARY KEY, dirty SMALLINT NOT NULL)"
        )
    return WORK_TABLE


def refresh_work_statistics(name: str = WORK_TABLE) -> None:
    """PostgreSQL plans joins with a temporary table from its statistics: give it some."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {name}")


def pending_payment_days(loan_ids: Any, on: date) -> dict[int, int]:
    """Per loan, the day number of its first payment or limitation event on file dated
    after ``on``: the day its position must be rebuilt even if nothing else changes (a
    cycle run behind today must pick such inputs up on their day)."""
    firsts: dict[int, int] = {}
    for model, field in (
        (Payment, "paid_on"),
        (LimitationEvent, "occurred_on"),
        (Waiver, "waived_on"),
    ):
        for loan_pk, first in (
            model.objects.filter(**{"loan_id__in": loan_ids, f"{field}__gt": on})
            .order_by()
            .values("loan_id")
            .annotate(first=Min(field))
            .values_list("loan_id", "first")
        ):
            day = first.toordinal()
            firsts[loan_pk] = min(day, firsts.get(loan_pk, day))
    return firsts


def _scan(first: int, last: int, on: date, *, restrict: bool) -> None:
    """What the work loans' positions need, in one statement, into ``cycle_scan``.

    A window over events: payments (kind 0, on their day) and installment check days
    (kind 1, on due date + grace + 1, when penalty could first accrue), ordered by day with
    payments first. Running sums give the money paid and the amount due at each check day
    through ``on``; the first one that finds less paid than due is when penalty began.
    ``dirty`` is 0 for a loan never short, 2 for one short but with no payment after that
    day (set-based here), 1 for one that paid while owing penalty (the replay). Two
    grouped passes sum what a clean position needs: amounts due through ``on``, principal
    not yet due, the next and last due dates, payments through ``on`` and the first one
    after it. The loan's payments version and stamp are read in the same statement, so
    they describe exactly the payments counted, never one recorded a moment later.
    """
    work, payment, installment, loan = WORK_TABLE, table(Payment), table(Installment), table(Loan)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {SCAN_TABLE} (loan_id BIGINT PRIMARY KEY,"
            " dirty SMALLINT, due_total BIGINT, future_principal BIGINT, next_due INTEGER,"
            " last_due DATE, paid_total BIGINT, paid_count INTEGER, last_paid DATE,"
            " pending INTEGER, payments_version BIGINT, loan_updated_at TIMESTAMP WITH TIME ZONE)"
        )
        cursor.execute(f"DELETE FROM {SCAN_TABLE}")
    window = (
        "OVER (PARTITION BY e.loan_id ORDER BY e.day, e.kind, e.seq"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    )
    due_day = day_number("s.due_on")

    # A following day rebuilds a few loans per partition: read only theirs. A first day
    # rebuilds them all, and the filter would only cost a probe per row.
    def only(alias: str) -> str:
        return f"AND {alias}.loan_id IN (SELECT loan_id FROM {work})" if restrict else ""

    sql = f"""
        INSERT INTO {SCAN_TABLE} (loan_id, dirty, due_total, future_principal, next_due,
            last_due, paid_total, paid_count, last_paid, pending, payments_version,
            loan_updated_at)
        SELECT l.id,
            CASE WHEN dd.first_short IS NULL THEN 0
                WHEN sp.last_paid > {date_of_day("dd.first_short")} THEN 1 ELSE 2 END,
            COALESCE(si.due_total, 0),
            COALESCE(si.future_principal, 0), si.next_due, si.last_due,
            COALESCE(sp.paid_total, 0), COALESCE(sp.paid_count, 0), sp.last_paid,
            sp.pending, l.payments_version, l.updated_at
        FROM {loan} AS l
        JOIN {work} AS w ON w.loan_id = l.id
        LEFT JOIN (
            -- Grouped in index order: no sort.
            SELECT s.loan_id,
                SUM(CASE WHEN s.due_on <= %(on)s THEN s.principal + s.interest + s.fees
                    ELSE 0 END) AS due_total,
                SUM(CASE WHEN s.due_on > %(on)s THEN s.principal ELSE 0 END)
                    AS future_principal,
                MIN(CASE WHEN s.due_on > %(on)s AND s.principal + s.interest + s.fees > 0
                    THEN {due_day} END) AS next_due,
                MAX(s.due_on) AS last_due
            FROM {installment} AS s
            WHERE s.loan_id BETWEEN %(first)s AND %(last)s {only("s")}
            GROUP BY s.loan_id
        ) AS si ON si.loan_id = l.id
        LEFT JOIN (
            SELECT p.loan_id,
                SUM(CASE WHEN p.paid_on <= %(on)s THEN p.amount ELSE 0 END) AS paid_total,
                SUM(CASE WHEN p.paid_on <= %(on)s THEN 1 ELSE 0 END) AS paid_count,
                MAX(CASE WHEN p.paid_on <= %(on)s THEN p.paid_on END) AS last_paid,
                MIN(CASE WHEN p.paid_on > %(on)s THEN {day_number("p.paid_on")} END)
                    AS pending
            FROM {payment} AS p
            WHERE p.loan_id BETWEEN %(first)s AND %(last)s {only("p")}
            GROUP BY p.loan_id
        ) AS sp ON sp.loan_id = l.id
        LEFT JOIN (
            -- The window: only payments through ``on`` and check days through ``on``.
            SELECT x.loan_id, MIN(x.day) AS first_short
            FROM (
                SELECT e.loan_id, e.kind, e.day,
                    SUM(e.amount) {window} AS paid, SUM(e.total) {window} AS need
                FROM (
                    SELECT p.loan_id, {day_number("p.paid_on")} AS day, 0 AS kind, 0 AS seq,
                        p.amount, 0 AS total
                    FROM {payment} AS p
                    WHERE p.loan_id BETWEEN %(first)s AND %(last)s AND p.paid_on <= %(on)s
                      {only("p")}
                    UNION ALL
                    SELECT i.loan_id, i.check_day, 1, i.seq, 0, i.total
                    FROM (
                        SELECT s.loan_id, s.seq, {due_day} + g.grace_days + 1 AS check_day,
                            s.principal + s.interest + s.fees AS total
                        FROM {installment} AS s
                        JOIN {loan} AS g ON g.id = s.loan_id
                        WHERE s.loan_id BETWEEN %(first)s AND %(last)s
                          AND g.id BETWEEN %(first)s AND %(last)s
                          AND s.due_on < %(on)s {only("s")}
                    ) AS i
                    WHERE i.check_day <= %(day)s
                ) AS e
            ) AS x
            WHERE x.kind = 1 AND x.paid < x.need
            GROUP BY x.loan_id
        ) AS dd ON dd.loan_id = l.id
        WHERE l.id BETWEEN %(first)s AND %(last)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"on": on, "day": on.toordinal(), "first": first, "last": last})
    refresh_work_statistics(SCAN_TABLE)


def mark_dirty(first: int, last: int, on: date, *, restrict: bool = True) -> int:
    """Flag work loans that owed penalty at some point through ``on``, or need the replay
    (a non-default allocation order, or limitation events to weigh). ``restrict=False``
    when the work is most of the partition: the scan then reads the partition whole."""
    _scan(first, last, on, restrict=restrict)
    loan, event, waiver = table(Loan), table(LimitationEvent), table(Waiver)
    if restrict:
        # A few work loans: each probes the indexes by its id. The sets below hold every
        # limitation event and waiver of the partition (one per message sent, in a book
        # collected for years), read whole every day to mark a few loans.
        sql = f"""
            UPDATE {WORK_TABLE} SET dirty = 1 WHERE EXISTS (
                SELECT 1 FROM {SCAN_TABLE} AS s
                WHERE s.loan_id = {WORK_TABLE}.loan_id AND s.dirty = 1)
            OR EXISTS (
                SELECT 1 FROM {loan} AS l
                WHERE l.id = {WORK_TABLE}.loan_id AND l.allocation_order <> %(order)s)
            OR EXISTS (
                SELECT 1 FROM {event} AS e
                WHERE e.loan_id = {WORK_TABLE}.loan_id AND e.occurred_on <= %(on)s
                  AND {DEBTOR_EVENT})
            OR EXISTS (
                SELECT 1 FROM {waiver} AS v
                WHERE v.loan_id = {WORK_TABLE}.loan_id AND v.waived_on <= %(on)s)
        """
    else:
        sql = f"""
            UPDATE {WORK_TABLE} SET dirty = 1 WHERE loan_id IN (
                SELECT loan_id FROM {SCAN_TABLE} WHERE dirty = 1
            )
            OR loan_id IN (
                SELECT l.id FROM {loan} AS l JOIN {WORK_TABLE} AS w ON w.loan_id = l.id
                WHERE l.allocation_order <> %(order)s
            )
            OR loan_id IN (
                SELECT e.loan_id FROM {event} AS e
                WHERE e.loan_id BETWEEN %(first)s AND %(last)s AND e.occurred_on <= %(on)s
                  AND {DEBTOR_EVENT}
            )
            OR loan_id IN (
                SELECT v.loan_id FROM {waiver} AS v
                WHERE v.loan_id BETWEEN %(first)s AND %(last)s AND v.waived_on <= %(on)s
            )
        """
    params: dict[str, Any] = {"on": on, "first": first, "last": last}
    params["order"] = DEFAULT_ALLOCATION_ORDER
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


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
    short = _short_clean_loans()
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
                            FROM {installment} AS i
                            JOIN {loan} AS l ON l.id = i.loan_id
                            JOIN {SCAN_TABLE} AS sc ON sc.loan_id = i.loan_id
                            JOIN {RATES_TABLE} AS r
                              ON r.penalty_rate = l.penalty_rate AND r.day_count = l.day_count
                            WHERE i.loan_id IN ({short})
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
        cursor.execute(f"DELETE FROM {RATES_TABLE}")
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
