"""The outreach worker's loop: claim due messages, check them again, send, record.

Never twice, never lost:

1. **Claim** a batch of due, queued messages of one channel in one transaction
   (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers on several machines share the
   work), ask the compliance gate again for *now* (a message due at 21:59:30 that is taken
   at 22:00 waits for 08:00, it is not dropped; a hold placed since planning blocks it),
   render the text, and mark the rest ``sending`` with the text, its SHA-256 and this
   worker's name. The transaction commits before any provider is called.
2. **Send** the batch through the channel's adapter, outside any transaction.
3. **Record** each outcome: sent (with the provider's id, and a contact on the compliance
   journal), a transient failure queued again with exponential backoff until the attempt
   limit, a permanent failure, or unknown.

A worker that dies between 1 and 3 leaves its messages ``sending``. Each worker holds a
liveness lock while it runs (a PostgreSQL advisory lock, or a lock file on SQLite); any
worker that finds ``sending`` messages of a worker whose lock is free marks them
``unknown`` for a person to review — they are never sent again automatically.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from arrears.compliance.batch import Candidate, contact_check_many
from arrears.compliance.journal import AttemptRow, contact_attempts_record
from arrears.core.locks import LockBusy, NamedLock, lock_is_held
from arrears.core.sql import table
from arrears.outreach.channels.base import Channel, Outgoing, Result
from arrears.outreach.composing import Composed, compose
from arrears.outreach.models import OutboxMessage
from arrears.strategy.models import PlannedAction
from arrears.strategy.selectors import cases_paused

MAX_ATTEMPTS = int(os.environ.get("ARREARS_OUTREACH_MAX_ATTEMPTS", "5"))
BACKOFF_SECONDS = 30  # first retry after 30 s, then 60, 120, … (capped at a day)
BATCH = int(os.environ.get("ARREARS_OUTREACH_BATCH", "200"))  # messages claimed at once
SENDER = "arrears outreach"


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 86_400))


class Liveness:
    """This worker's liveness lock (``core.locks``), and the test of another worker's: a
    worker whose lock is free has stopped."""

    def __init__(self) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = NamedLock(f"outreach-worker-{self.name}")

    def hold(self) -> None:
        if not self._lock.try_acquire():
            raise LockBusy(f"worker name {self.name} is taken")

    def release(self) -> None:
        self._lock.release()

    def is_alive(self, name: str) -> bool:
        return name == self.name or lock_is_held(f"outreach-worker-{name}")


def recover(liveness: Liveness) -> int:
    """Mark ``unknown`` the messages left ``sending`` by workers that are gone."""
    names = set(OutboxMessage.objects.filter(status="sending").values_list("claimed_by", flat=True))
    marked = 0
    for name in sorted(names):
        if not liveness.is_alive(name):
            marked += OutboxMessage.objects.filter(status="sending", claimed_by=name).update(
                status="unknown",
                error=f"worker {name} stopped while sending: check with the provider before"
                " sending again",
                updated_at=timezone.now(),
            )
    return marked


@dataclass
class Claimed:
    """A message taken for sending, with what the adapter needs."""

    outgoing: Outgoing
    attempts: int


def _claim_ids(channel: str, limit: int, now: datetime, worker: str) -> list[int]:
    outbox = table(OutboxMessage)
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {outbox} SET status = 'sending', claimed_by = %(worker)s,
                sending_at = %(now)s, attempts = attempts + 1, updated_at = %(now)s
            WHERE status = 'queued' AND id IN (
                SELECT id FROM {outbox}
                WHERE status = 'queued' AND channel = %(channel)s AND due_at <= %(now)s
                ORDER BY due_at, id LIMIT %(limit)s{skip_locked})
            RETURNING id
            """,
            {"worker": worker, "now": adapt(now), "channel": channel, "limit": limit},
        )
        return sorted(row[0] for row in cursor.fetchall())


def claim(channel: str, limit: int, now: datetime, worker: str) -> tuple[list[Claimed], int]:
    """Take up to ``limit`` due messages of ``channel``: those to send, and how many the
    gate or missing data settled here instead (blocked, rescheduled, failed)."""
    with transaction.atomic():
        ids = _claim_ids(channel, limit, now, worker)
        if not ids:
            return [], 0
        rows = list(OutboxMessage.objects.filter(pk__in=ids).select_related("loan").order_by("id"))
        # A playbook paused since planning (a manager, or a repayment plan) holds back its
        # messages: they are cancelled here with the reason, never sent.
        paused = cases_paused([row.case_id for row in rows], on=timezone.localdate(now))
        if paused:
            for row in rows:
                if row.case_id in paused:
                    row.status, row.error = "cancelled", paused[row.case_id]
                    row.save(update_fields=_SETTLED)
            rows = [row for row in rows if row.case_id not in paused]
        roles = _roles(rows)
        decisions = contact_check_many(
            [
                Candidate(
                    creditor_id=row.loan.creditor_id,
                    loan_id=row.loan_id,
                    party_id=row.party_id,
                    role=roles.get(row.planned_action_id, "borrower"),
                    channel=row.channel,
                    at=now,
                    purpose=row.purpose,
                )
                for row in rows
            ],
            asked_by=SENDER,
        )
        composed = compose([row for row, d in zip(rows, decisions, strict=True) if d.allowed], now)
        claimed: list[Claimed] = []
        texts: list[tuple[Any, ...]] = []
        settled = len(paused)
        for row, decision in zip(rows, decisions, strict=True):
            if not decision.allowed:
                if decision.next_allowed_at is not None:
                    # Outside the window now: back in the queue for the next allowed moment.
                    row.status, row.due_at = "queued", decision.next_allowed_at
                    row.attempts -= 1
                    row.claimed_by = ""
                else:
                    row.status, row.blocked_reasons = "blocked", decision.reasons
                row.save(update_fields=_SETTLED)
                settled += 1
                continue
            made = composed[row.pk]
            if isinstance(made, str):
                row.status, row.error = "failed", made
                row.save(update_fields=_SETTLED)
                settled += 1
                continue
            texts.append(
                (
                    made.to,
                    made.body,
                    hashlib.sha256(made.body.encode()).hexdigest(),
                    made.template_version,
                    row.pk,
                )
            )
            claimed.append(Claimed(_outgoing(row, made), row.attempts))
        if texts:
            # One pipelined statement for the batch: the text goes on record before sending.
            with connection.cursor() as cursor:
                cursor.executemany(
                    f'UPDATE {table(OutboxMessage)} SET "to" = %s, body = %s,'
                    " body_sha256 = %s, template_version = %s WHERE id = %s",
                    texts,
                )
    return claimed, settled


_SETTLED = [
    "status",
    "due_at",
    "attempts",
    "claimed_by",
    "blocked_reasons",
    "error",
    "updated_at",
]


def _roles(rows: Sequence[OutboxMessage]) -> dict[int, str]:
    """Each message's party role on the loan, as the plan recorded it."""
    return dict(
        PlannedAction.objects.filter(pk__in=[r.planned_action_id for r in rows]).values_list(
            "pk", "target_role"
        )
    )


def _outgoing(row: OutboxMessage, made: Composed) -> Outgoing:
    return Outgoing(
        message_id=row.pk,
        channel=row.channel,
        to=made.to,
        body=made.body,
        subject=made.subject,
        recipient_name=made.recipient_name,
        idempotency_key=f"arrears-{row.pk}",
        template_code=made.provider_template_code,
        template_params=made.template_params,
    )


def record(claimed: Sequence[Claimed], results: Sequence[Result], now: datetime) -> None:
    """Settle a sent batch: sent, queued again after a transient failure, failed, unknown;
    every message that left is a contact on the compliance journal."""
    journal = []
    adapt = connection.ops.adapt_datetimefield_value
    at = adapt(now)
    sent, retry, failed, unknown = [], [], [], []
    for item, result in zip(claimed, results, strict=True):
        key = item.outgoing.message_id
        if result.outcome == "sent":
            sent.append((at, result.provider_id, at, key))
            journal.append(key)
        elif result.outcome == "unknown":
            unknown.append((result.provider_id, result.error, at, key))
        elif result.transient and item.attempts < MAX_ATTEMPTS:
            retry.append((adapt(now + _backoff(item.attempts)), result.error, at, key))
        else:
            failed.append((result.provider_id, result.error, at, key))
    outbox = table(OutboxMessage)
    # Only rows still sending are settled: a receipt cannot race ahead of its own send.
    statements = (
        (f"UPDATE {outbox} SET status = 'sent', sent_at = %s, provider_id = %s, error = '',"
         " updated_at = %s WHERE id = %s AND status = 'sending'", sent),
        (f"UPDATE {outbox} SET status = 'unknown', provider_id = %s, error = %s,"
         " updated_at = %s WHERE id = %s AND status = 'sending'", unknown),
        (f"UPDATE {outbox} SET status = 'queued', due_at = %s, claimed_by = '', error = %s,"
         " updated_at = %s WHERE id = %s AND status = 'sending'", retry),
        (f"UPDATE {outbox} SET status = 'failed', provider_id = %s, error = %s,"
         " updated_at = %s WHERE id = %s AND status = 'sending'", failed),
    )  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, rows in statements:
            if rows:
                cursor.executemany(sql, rows)
        if journal:
            _journal_contacts(journal, at)


def _journal_contacts(message_ids: list[int], at: Any) -> None:
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


def _failpoint(point: str) -> None:
    """Die like ``kill -9`` at ``point`` of the Nth batch, when a crash test asks
    (``ARREARS_OUTREACH_KILL=claimed:3`` dies after committing the 3rd claim)."""
    wanted = os.environ.get("ARREARS_OUTREACH_KILL", "")
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name != point:
        return
    _failpoint_counts[point] = _failpoint_counts.get(point, 0) + 1
    if _failpoint_counts[point] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)


_failpoint_counts: dict[str, int] = {}


class RateLimit:
    """At most ``per_second`` messages a second for this worker (0: no limit)."""

    def __init__(self, per_second: float) -> None:
        self.per_second = per_second
        self.next_free = time.monotonic()

    def take(self, count: int) -> None:
        if self.per_second <= 0:
            return
        now = time.monotonic()
        if self.next_free > now:
            time.sleep(self.next_free - now)
        self.next_free = max(self.next_free, now) + count / self.per_second


def send_due(
    channels: dict[str, Channel],
    liveness: Liveness,
    *,
    now: Callable[[], datetime] = timezone.now,
    limits: dict[str, RateLimit] | None = None,
) -> int:
    """One pass over every channel: claim, send and record batches until nothing is due.
    Returns how many messages were handed to providers."""
    handed = 0
    limits = limits or {}
    for name, channel in channels.items():
        while True:
            claimed, settled = claim(name, min(BATCH, channel.max_batch), now(), liveness.name)
            _failpoint("claimed")
            if not claimed:
                if settled:
                    continue
                break
            if name in limits:
                limits[name].take(len(claimed))
            results = channel.send([item.outgoing for item in claimed])
            _failpoint("sent")
            record(claimed, results, now())
            _failpoint("recorded")
            handed += len(claimed)
    return handed
