"""The outreach app's cycle step, ``outbox_fill``: the day's planned messages into the
outbox, and the queued messages of cases closed today out of it.

It runs right after the strategy's ``plan`` step and reads that step's journal (the
planned actions): a message action of the day that has no outbox row yet gets one —
queued for its due time, or blocked with the gate's reasons. The outbox's unique planned
action makes a second run add nothing.
"""

from __future__ import annotations

from datetime import date

from arrears.cases.models import CollectionCase
from arrears.compliance.choices import MESSAGE_CHANNELS
from arrears.core.sql import execute, table
from arrears.outreach.composing import ADDRESS_KIND
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import ContactPoint
from arrears.strategy.models import PlannedAction


def outbox_fill(*, first: int, last: int, on: date) -> int:
    """Cancel queued messages of cases closed on ``on`` and take into the outbox every
    message the strategy planned on ``on`` for loans ``first``–``last``; rows written."""
    return _cancel_closed(first, last, on) + _from_plan(first, last, on)


def _from_plan(first: int, last: int, on: date) -> int:
    """A message to a party with nothing on file to send it to (an email action for a
    borrower without an email) enters the outbox cancelled with that reason: there was
    nothing to send, so nothing failed, and the worker never tries it."""
    outbox, planned, points = table(OutboxMessage), table(PlannedAction), table(ContactPoint)
    channels = ", ".join(f"'{channel}'" for channel in MESSAGE_CHANNELS)
    kind = " ".join(f"WHEN '{channel}' THEN '{k}'" for channel, k in ADDRESS_KIND.items())
    reason = " ".join(
        f"WHEN '{channel}' THEN 'no {k} on file for this party'"
        for channel, k in ADDRESS_KIND.items()
    )
    nothing_on_file = f"""pa.status = 'queued' AND NOT EXISTS (
            SELECT 1 FROM {points} AS cp WHERE cp.party_id = pa.party_id
              AND cp.kind = CASE pa.channel {kind} END AND cp.status <> 'invalid')"""
    return execute(
        f"""
        INSERT INTO {outbox} (case_id, loan_id, party_id, planned_action_id, channel,
                              purpose, template, status, due_at, blocked_reasons,
                              "to", body, body_sha256, attempts, claimed_by, provider_id,
                              error, created_at, updated_at)
        SELECT pa.case_id, pa.loan_id, pa.party_id, pa.id, pa.channel, pa.type,
               pa.template,
               CASE WHEN {nothing_on_file} THEN 'cancelled' ELSE pa.status END,
               pa.due_at, pa.blocked_reasons, '', '', '', 0, '', '',
               CASE WHEN {nothing_on_file} THEN CASE pa.channel {reason} END ELSE '' END,
               CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
        FROM {planned} AS pa
        WHERE pa.business_date = %(on)s
          AND pa.loan_id BETWEEN %(first)s AND %(last)s
          AND pa.status IN ('queued', 'blocked')
          AND pa.channel IN ({channels})
          AND NOT EXISTS (SELECT 1 FROM {outbox} AS o WHERE o.planned_action_id = pa.id)
        """,
        {"first": first, "last": last, "on": on},
    )


def _cancel_closed(first: int, last: int, on: date) -> int:
    """Queued messages of cases closed on ``on`` are not sent."""
    outbox, case = table(OutboxMessage), table(CollectionCase)
    return execute(
        f"""
        UPDATE {outbox} SET status = 'cancelled', updated_at = CURRENT_TIMESTAMP
        WHERE status = 'queued' AND case_id IN (
            SELECT c.id FROM {case} AS c WHERE c.loan_id BETWEEN %(first)s AND %(last)s
              AND c.status = 'closed' AND c.closed_on = %(on)s)
        """,
        {"first": first, "last": last, "on": on},
    )
