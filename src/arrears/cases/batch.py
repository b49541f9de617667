"""Set-based case maintenance for the daily cycle: open, update, cure, bucket spells.

Called by the cycle for one partition of loans and one business date, after the loan
positions are up to date. Every statement is guarded so running it twice for the same
date changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from arrears.cases.models import CaseBucketSpell, CollectionCase, WorkItem
from arrears.core.sql import table
from arrears.portfolio.models import Loan, LoanPosition, Product


def cases_maintain(*, first: int, last: int, on: date) -> int:
    """Bring the cases of loans ``first``–``last`` in line with their positions on ``on``.

    Returns the number of rows written (cases and spells).
    """
    case, spell = table(CollectionCase), table(CaseBucketSpell)
    position, loan, product = table(LoanPosition), table(Loan), table(Product)
    params: dict[str, Any] = {"first": first, "last": last, "on": on}
    # Both sides of every join carry the range, so each statement reads one partition.
    in_range = (
        "c.loan_id BETWEEN %(first)s AND %(last)s AND p.loan_id BETWEEN %(first)s AND %(last)s"
    )
    statements = [
        # Cured: the open spell ends today, then the case closes.
        f"""
        UPDATE {spell} SET left_on = %(on)s
        WHERE left_on IS NULL AND case_id IN (
            SELECT c.id FROM {case} AS c JOIN {position} AS p ON p.loan_id = c.loan_id
            WHERE {in_range} AND c.status = 'open' AND p.dpd = 0 AND c.opened_on < %(on)s
        )
        """,
        f"""
        UPDATE {case} AS c SET status = 'closed', closed_on = %(on)s, close_reason = 'cured',
            current_dpd = 0, bucket = 'M0', updated_on = %(on)s, updated_at = CURRENT_TIMESTAMP
        FROM {position} AS p
        WHERE p.loan_id = c.loan_id AND {in_range} AND c.status = 'open' AND p.dpd = 0
          AND c.opened_on < %(on)s
        """,
        # A bucket change ends the current spell and starts one in the new bucket.
        f"""
        UPDATE {spell} SET left_on = %(on)s
        WHERE left_on IS NULL AND entered_on < %(on)s AND case_id IN (
            SELECT c.id FROM {case} AS c JOIN {position} AS p ON p.loan_id = c.loan_id
            WHERE {in_range} AND c.status = 'open' AND p.bucket <> c.bucket
        )
        """,
        f"""
        INSERT INTO {spell} (case_id, bucket, entered_on, left_on)
        SELECT c.id, p.bucket, %(on)s, NULL
        FROM {case} AS c JOIN {position} AS p ON p.loan_id = c.loan_id
        WHERE {in_range} AND c.status = 'open' AND p.bucket <> c.bucket
          AND NOT EXISTS (
            SELECT 1 FROM {spell} AS s WHERE s.case_id = c.id AND s.entered_on = %(on)s
          )
        """,
        f"""
        UPDATE {case} AS c SET current_dpd = p.dpd, bucket = p.bucket,
            worst_dpd = CASE WHEN p.dpd > c.worst_dpd THEN p.dpd ELSE c.worst_dpd END,
            updated_on = %(on)s, updated_at = CURRENT_TIMESTAMP
        FROM {position} AS p
        WHERE p.loan_id = c.loan_id AND {in_range} AND c.status = 'open'
          AND (c.current_dpd <> p.dpd OR c.bucket <> p.bucket)
        """,
        # New cases: DPD at or beyond the product's threshold and no open case.
        f"""
        INSERT INTO {case} (loan_id, creditor_id, status, opened_on, entry_dpd, entry_amount,
                            current_dpd, bucket, worst_dpd, updated_on, close_reason,
                            created_at, updated_at)
        SELECT p.loan_id, l.creditor_id, 'open', %(on)s, p.dpd,
               p.overdue_principal + p.overdue_interest + p.overdue_fees + p.overdue_penalty,
               p.dpd, p.bucket, p.dpd, %(on)s, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
        FROM {position} AS p
        JOIN {loan} AS l ON l.id = p.loan_id
        LEFT JOIN {product} AS pr ON pr.id = l.product_id
        WHERE p.loan_id BETWEEN %(first)s AND %(last)s
          AND p.dpd > 0 AND p.dpd >= COALESCE(pr.case_threshold_dpd, 1)
          AND NOT EXISTS (
            SELECT 1 FROM {case} AS c WHERE c.loan_id = p.loan_id
              AND (c.status = 'open' OR c.opened_on = %(on)s)
          )
        """,
        f"""
        INSERT INTO {spell} (case_id, bucket, entered_on, left_on)
        SELECT c.id, c.bucket, %(on)s, NULL
        FROM {case} AS c
        WHERE c.loan_id BETWEEN %(first)s AND %(last)s AND c.opened_on = %(on)s
          AND NOT EXISTS (SELECT 1 FROM {spell} AS s WHERE s.case_id = c.id)
        """,
    ]
    written = 0
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)
            written += max(cursor.rowcount, 0)
    return written


def _planned_table() -> str:
    # The strategy app plans; work items are made from its journal in one statement.
    from arrears.strategy.models import PlannedAction

    return table(PlannedAction)


MESSAGE_CHANNELS = "('sms', 'email', 'letter')"


def work_items_from_plan(first: int, last: int, on: date, after_id: int) -> int:
    """Queue a work item for every task the strategy planned and the gate let through on
    ``on`` for loans ``first``–``last`` (calls, visits, reviews, placements, referrals).

    Only planned actions above ``after_id`` are taken: the caller planned them in this
    transaction, so none has a work item yet (the unique planned action refuses a second).
    """
    item, planned = table(WorkItem), _planned_table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {item} (case_id, loan_id, party_id, planned_action_id, type, queue,
                                title, due_at, priority, status, closed_at, created_at)
            SELECT pa.case_id, pa.loan_id, pa.party_id, pa.id, pa.type, pa.queue, pa.rule,
                   pa.due_at, pa.priority, 'open', NULL, CURRENT_TIMESTAMP
            FROM {planned} AS pa
            WHERE pa.id > %(after)s AND pa.business_date = %(on)s
              AND pa.loan_id BETWEEN %(first)s AND %(last)s
              AND pa.status = 'queued' AND pa.channel NOT IN {MESSAGE_CHANNELS}
            """,
            {"first": first, "last": last, "on": on, "after": after_id},
        )
        return max(cursor.rowcount, 0)


def work_items_cancel_closed(first: int, last: int, on: date) -> int:
    """Open work items of cases closed on ``on`` are no longer anyone's work."""
    item, case = table(WorkItem), table(CollectionCase)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {item} SET status = 'cancelled', closed_at = CURRENT_TIMESTAMP
            WHERE status = 'open' AND case_id IN (
                SELECT c.id FROM {case} AS c WHERE c.loan_id BETWEEN %(first)s AND %(last)s
                  AND c.status = 'closed' AND c.closed_on = %(on)s)
            """,
            {"first": first, "last": last, "on": on},
        )
        return max(cursor.rowcount, 0)
