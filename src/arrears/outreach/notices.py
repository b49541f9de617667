"""Ad-hoc notices into the outbox, set-based: messages no playbook planned.

The outbox is otherwise filled from the strategy's plan (``batch.outbox_fill``). Some
messages are owed by law rather than chosen by a playbook, such as the notice of an
assignment of debts (债权转让通知书, 民法典 art. 546), which goes to every debtor and
guarantor of every loan of a portfolio sale, whether or not the loan has a collection case.
A caller on a higher floor names the recipients by a query of its own; this module writes
the outbox rows in two statements however many there are. From there the worker treats them
as any message: it asks the compliance gate again when it takes them (quiet hours, holds,
opt-outs), renders the template, sends, and records the outcome.

Such a message belongs to no case (``case_id`` 0: a paused playbook does not hold back a
notice the law requires) and to no planned action: its ``planned_action_id`` is minus its
own id, as the portal's sign-in codes' is, so no planned action is ever matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from arrears.core.sql import table
from arrears.outreach.composing import ADDRESS_KIND
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import ContactPoint

# Not a case: notices are about a loan, with or without one.
NO_CASE = 0
# The outbox states in which a message has left for its recipient.
SENT_STATES = ("sent", "delivered")


@dataclass(frozen=True)
class NoticesQueued:
    """The messages one call wrote (queued, or cancelled for want of an address), and the
    first and last outbox ids they took: every one of them lies in that range, so a caller
    finds them again by primary key (with their loan and purpose)."""

    count: int
    first_id: int | None
    last_id: int | None


def notices_queue(
    *, source: str, params: dict[str, Any], purpose: str, template: str, at: datetime
) -> NoticesQueued:
    """Queue one message per row of ``source`` — a SELECT of ``loan_id, party_id, channel``
    (channel ``sms``, ``email`` or ``letter``) run with ``params`` — using ``template`` for
    ``purpose``, due and stamped ``at``; the messages written.

    A message to a party with nothing on file for its channel enters the outbox cancelled
    with that reason (nothing to send, so nothing failed), as a planned one does. Call in
    the caller's transaction.
    """
    outbox, points = table(OutboxMessage), table(ContactPoint)
    kind = " ".join(f"WHEN '{channel}' THEN '{k}'" for channel, k in ADDRESS_KIND.items())
    reason = " ".join(
        f"WHEN '{channel}' THEN 'no {k} on file for this party'"
        for channel, k in ADDRESS_KIND.items()
    )
    nothing_on_file = f"""NOT EXISTS (
            SELECT 1 FROM {points} AS cp WHERE cp.party_id = s.party_id
              AND cp.kind = CASE s.channel {kind} END AND cp.status <> 'invalid')"""
    values = {
        **params,
        "notice_purpose": purpose,
        "notice_template": template,
        "notice_at": connection.ops.adapt_datetimefield_value(at),
        "notice_table": OutboxMessage._meta.db_table,
    }
    # Each row takes its id when written and ``-id`` as its planned action, in the one
    # statement: PostgreSQL draws the ids from the table's sequence; SQLite numbers them
    # above the table's high-water mark, safe inside the caller's write transaction
    # (``BEGIN IMMEDIATE``: no other writer meanwhile).
    if connection.vendor == "postgresql":
        numbered = (
            "SELECT nextval(pg_get_serial_sequence(%(notice_table)s, 'id')) AS new_id, src.*"
            f" FROM ({source}) AS src"
        )
    else:
        values["notice_base"] = _high_water(outbox)
        numbered = (
            "SELECT %(notice_base)s + ROW_NUMBER() OVER"
            " (ORDER BY src.loan_id, src.party_id, src.channel) AS new_id, src.*"
            f" FROM ({source}) AS src"
        )
    insert = f"""
        INSERT INTO {outbox} (id, case_id, loan_id, party_id, planned_action_id, channel,
                              purpose, template, status, due_at, blocked_reasons,
                              "to", body, body_sha256, attempts, claimed_by, provider_id,
                              request_key, error, created_at, updated_at)
        SELECT s.new_id, {NO_CASE}, s.loan_id, s.party_id, -s.new_id,
               s.channel, %(notice_purpose)s, %(notice_template)s,
               CASE WHEN {nothing_on_file} THEN 'cancelled' ELSE 'queued' END,
               %(notice_at)s, '[]', '', '', '', 0, '', '', '',
               CASE WHEN {nothing_on_file} THEN CASE s.channel {reason} END ELSE '' END,
               %(notice_at)s, %(notice_at)s
        FROM ({numbered}) AS s
        RETURNING id"""
    with connection.cursor() as cursor:
        cursor.execute(f"WITH written AS ({insert}) SELECT COUNT(*), MIN(id), MAX(id) FROM written"
                       if connection.vendor == "postgresql" else insert, values)  # fmt: skip
        if connection.vendor == "postgresql":
            count, first, last = cursor.fetchone()
            return NoticesQueued(int(count), first, last)
        ids = [row[0] for row in cursor.fetchall()]
    return NoticesQueued(len(ids), min(ids, default=None), max(ids, default=None))


def _high_water(outbox: str) -> int:
    """SQLite: the highest id the outbox has used (rows deleted since included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {outbox}), 0),"
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [OutboxMessage._meta.db_table],
        )
        return int(cursor.fetchone()[0])
