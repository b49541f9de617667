"""Set-based hand-off from the daily plan to the outbox, and its cancellations."""

from __future__ import annotations

from datetime import date

from django.db import connection

from arrears.cases.models import CollectionCase
from arrears.core.sql import table
from arrears.outreach.models import OutboxMessage


def outbox_from_plan(first: int, last: int, on: date, after_id: int) -> int:
    """Put every message the strategy planned on ``on`` for loans ``first``–``last`` in the
    outbox: queued for its due time, or blocked with the gate's reasons. Only planned
    actions above ``after_id`` are taken (planned in the caller's transaction, so none is in
    the outbox yet; the unique planned action refuses a second)."""
    from arrears.strategy.models import PlannedAction

    outbox, planned = table(OutboxMessage), table(PlannedAction)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {outbox} (case_id, loan_id, party_id, planned_action_id, channel,
                                  purpose, template, status, due_at, blocked_reasons,
                                  "to", body, body_sha256, attempts, claimed_by, provider_id,
                                  error, created_at, updated_at)
            SELECT pa.case_id, pa.loan_id, pa.party_id, pa.id, pa.channel, pa.type,
                   pa.template, pa.status, pa.due_at, pa.blocked_reasons,
                   '', '', '', 0, '', '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
            FROM {planned} AS pa
            WHERE pa.id > %(after)s AND pa.business_date = %(on)s
              AND pa.loan_id BETWEEN %(first)s AND %(last)s
              AND pa.status IN ('queued', 'blocked')
              AND pa.channel IN ('sms', 'email', 'letter')
            """,
            {"first": first, "last": last, "on": on, "after": after_id},
        )
        return max(cursor.rowcount, 0)


def outbox_cancel_closed(first: int, last: int, on: date) -> int:
    """Queued messages of cases closed on ``on`` are not sent."""
    outbox, case = table(OutboxMessage), table(CollectionCase)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {outbox} SET status = 'cancelled', updated_at = CURRENT_TIMESTAMP
            WHERE status = 'queued' AND case_id IN (
                SELECT c.id FROM {case} AS c WHERE c.loan_id BETWEEN %(first)s AND %(last)s
                  AND c.status = 'closed' AND c.closed_on = %(on)s)
            """,
            {"first": first, "last": last, "on": on},
        )
        return max(cursor.rowcount, 0)
