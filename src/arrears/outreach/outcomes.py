"""Settling messages after their provider request: sent, queued again, failed, unknown —
and every message that left is a contact on the compliance journal."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from arrears.compliance.journal import AttemptRow, contact_attempts_record
from arrears.core.sql import table
from arrears.outreach.channels.base import Outgoing, Result
from arrears.outreach.models import OutboxMessage
from arrears.strategy.models import PlannedAction

MAX_ATTEMPTS = int(os.environ.get("ARREARS_OUTREACH_MAX_ATTEMPTS", "5"))
BACKOFF_SECONDS = 30  # first retry after 30 s, then 60, 120, … (capped at a day)
SENDER = "arrears outreach"


def backoff(attempts: int) -> timedelta:
    """How long a message waits after its ``attempts``-th transient failure."""
    return timedelta(seconds=min(BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 86_400))


@dataclass
class Claimed:
    """A message taken for sending, with what the adapter needs; ``attempts`` counts the
    attempt about to be made; ``contact`` is its journal row once it has left (known at
    claim time, so recording a request reads nothing back)."""

    outgoing: Outgoing
    attempts: int
    contact: AttemptRow | None = None


def record(
    claimed: Sequence[Claimed],
    results: Sequence[Result],
    now: datetime,
    *,
    requested: bool = True,
    durable: bool = False,
) -> dict[str, int]:
    """Settle messages: sent, queued again after a transient failure, failed, unknown.

    ``requested``: the messages went out in a provider request, so they are ``sending``.
    Otherwise the adapter settled them before any request (no template code, a number the
    provider never takes, the server unreachable): they are still ``claimed``, this is
    their attempt, and an ``unknown`` among them cannot have left, so it is retried.
    ``durable``: the caller's transaction also marks the next request ``sending``, so it
    must reach the disk before that request is made.

    Returns how many went each way: ``{"sent", "unknown", "retrying", "failed"}``.
    """
    journal: list[int] = []
    contacts: list[AttemptRow] = []
    adapt = connection.ops.adapt_datetimefield_value
    at = adapt(now)
    sent, retry, failed, unknown = [], [], [], []
    for item, result in zip(claimed, results, strict=True):
        key = item.outgoing.message_id
        if result.outcome == "sent":
            sent.append((at, result.provider_id, at, key))
            if item.contact is not None:
                contacts.append(item.contact)
            else:
                journal.append(key)
        elif result.outcome == "unknown" and requested:
            unknown.append((result.provider_id, result.error, at, key))
        elif (result.transient or result.outcome == "unknown") and item.attempts < MAX_ATTEMPTS:
            retry.append((adapt(now + backoff(item.attempts)), result.error, at, key))
        else:
            failed.append((result.provider_id, result.error, at, key))
    outbox = table(OutboxMessage)
    # Only rows still in this worker's hands are settled: a receipt cannot race ahead of
    # its own send.
    where = "status = 'sending'" if requested else "status = 'claimed'"
    counted = "" if requested else ", attempts = attempts + 1"
    statements = (
        (f"UPDATE {outbox} SET status = 'sent', sent_at = %s, provider_id = %s, error = '',"
         f" updated_at = %s{counted} WHERE id = %s AND {where}", sent),
        (f"UPDATE {outbox} SET status = 'unknown', provider_id = %s, error = %s,"
         f" updated_at = %s{counted} WHERE id = %s AND {where}", unknown),
        (f"UPDATE {outbox} SET status = 'queued', due_at = %s, claimed_by = '', error = %s,"
         f" updated_at = %s{counted} WHERE id = %s AND {where}", retry),
        (f"UPDATE {outbox} SET status = 'failed', provider_id = %s, error = %s,"
         f" updated_at = %s{counted} WHERE id = %s AND {where}", failed),
    )  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not durable:
            # The mark before the request must be durable; this record need not wait for
            # the disk: lost in a server crash, the messages are left ``sending`` and so
            # become ``unknown`` — asked about or checked, never sent twice. One flush per
            # request instead of two (an email is a request).
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for sql, rows in statements:
            if rows:
                cursor.executemany(sql, rows)
        if journal:
            journal_contacts(journal, at)
        if contacts:
            contact_attempts_record(contacts, at=at, by=SENDER)
    return {
        "sent": len(sent),
        "unknown": len(unknown),
        "retrying": len(retry),
        "failed": len(failed),
    }


def journal_contacts(message_ids: list[int], at: Any) -> None:
    """Every message that left is a contact on the compliance journal, written by the
    compliance app in one statement."""
    rows = list(
        OutboxMessage.objects.filter(pk__in=message_ids).values_list(
            "loan_id", "party_id", "planned_action_id", "channel", "to"
        )
    )
    roles = dict(
        PlannedAction.objects.filter(pk__in=[r[2] for r in rows]).values_list("pk", "target_role")
    )
    contact_attempts_record(
        [
            AttemptRow(loan, party, roles.get(action, "borrower"), channel, to, "sent")
            for loan, party, action, channel, to in rows
        ],
        at=at,
        by=SENDER,
    )
