"""The work loans of ``post_payments`` and the scan that sorts them.

``cycle_work`` (a per-connection temporary table) lists the loans whose positions are
being rebuilt; ``mark_dirty`` reads what they need in one windowed pass (``_scan``, into
``cycle_scan``) and flags in ``dirty`` those the reference replay must rebuild: loans that
paid while owing penalty, with a non-default allocation order, or with limitation events
or waivers to weigh. ``clean_path`` writes the rest set-based from the scan.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Min

from arrears.core.sql import date_of_day, day_number, emptied, table
from arrears.portfolio.batch.columns import DEBTOR_EVENT
from arrears.portfolio.models import (
    DEFAULT_ALLOCATION_ORDER,
    Installment,
    LimitationEvent,
    Loan,
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
        cursor.execute(emptied(SCAN_TABLE))
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
