"""The outreach worker's loop: claim due messages, check them again, send, record.

Never twice, never lost:

1. **Claim** a batch of due, queued messages of one channel in one transaction
   (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers on several machines share the
   work), ask the compliance gate again for *now* (a message due at 21:59:30 that is taken
   at 22:00 waits for 08:00, it is not dropped; a hold placed since planning blocks it),
   render the text, and mark the rest ``claimed`` with the text, its SHA-256 and this
   worker's name. The transaction commits before any provider is called.
2. **Send** the batch through the channel's adapter, outside any transaction. The adapter
   cuts it into provider requests (one SMS batch call, one email, one letter); just before
   each, the worker marks that request's messages ``sending`` in its own transaction, and
   just after, it records them:
3. **Record** each outcome: sent (with the provider's id, and a contact on the compliance
   journal), a transient failure queued again with exponential backoff until the attempt
   limit, a permanent failure, or unknown.

A worker that dies leaves at most one request's messages ``sending`` (``unknown`` once
another worker sees its liveness lock free) and the rest of its batch ``claimed`` (queued
again: they never left). See ``liveness`` and, for asking the provider about unknown
messages, ``resolving``.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from arrears.compliance.batch import Candidate, contact_check_many
from arrears.compliance.journal import AttemptRow
from arrears.core.sql import table
from arrears.outreach.channels.base import Channel, Outgoing, Result
from arrears.outreach.composing import Composed, NoAddress, compose
from arrears.outreach.liveness import Liveness, recover
from arrears.outreach.models import Installation, OutboxMessage
from arrears.outreach.outcomes import MAX_ATTEMPTS, SENDER, Claimed, backoff, record
from arrears.outreach.resolving import message_key, resolve_unknown
from arrears.outreach.tally import SendTally
from arrears.strategy.models import PlannedAction
from arrears.strategy.selectors import cases_paused

__all__ = [
    "MAX_ATTEMPTS",
    "Claimed",
    "Liveness",
    "RateLimit",
    "SendTally",
    "backoff",
    "claim",
    "record",
    "recover",
    "send_due",
]

BATCH = int(os.environ.get("ARREARS_OUTREACH_BATCH", "200"))  # messages claimed at once


def _claim_ids(channel: str, limit: int, now: datetime, worker: str) -> list[int]:
    outbox = table(OutboxMessage)
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {outbox} SET status = 'claimed', claimed_by = %(worker)s,
                updated_at = %(now)s
            WHERE status = 'queued' AND id IN (
                SELECT id FROM {outbox}
                WHERE status = 'queued' AND channel = %(channel)s AND due_at <= %(now)s
                ORDER BY due_at, id LIMIT %(limit)s{skip_locked})
            RETURNING id
            """,
            {"worker": worker, "now": adapt(now), "channel": channel, "limit": limit},
        )
        return sorted(row[0] for row in cursor.fetchall())


def claim(
    channel: str,
    limit: int,
    now: datetime,
    worker: str,
    installation: str,
    tally: SendTally | None = None,
) -> tuple[list[Claimed], int]:
    """Take up to ``limit`` due messages of ``channel``: those to send, and how many the
    gate or missing data settled here instead (blocked, rescheduled, failed), counted by
    kind on ``tally`` when given."""
    tally = tally if tally is not None else SendTally()
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
        to_field = OutboxMessage._meta.get_field("to")
        settled = len(paused)
        tally.cancelled += len(paused)
        for row, decision in zip(rows, decisions, strict=True):
            if not decision.allowed:
                if decision.next_allowed_at is not None:
                    # Outside the window now: back in the queue for the next allowed moment.
                    row.status, row.due_at = "queued", decision.next_allowed_at
                    row.claimed_by = ""
                    tally.deferred.update(decision.reason_codes[:1] or ["contact window"])
                else:
                    row.status, row.blocked_reasons = "blocked", decision.reasons
                    tally.blocked += 1
                row.save(update_fields=_SETTLED)
                settled += 1
                continue
            made = composed[row.pk]
            if isinstance(made, str):
                # Nobody to send to is a cancellation (nothing was tried); anything else that
                # stops composing (no active template) is a failure for a person to fix.
                outcome = "cancelled" if isinstance(made, NoAddress) else "failed"
                row.status, row.error = outcome, made
                row.save(update_fields=_SETTLED)
                settled += 1
                setattr(tally, outcome, getattr(tally, outcome) + 1)
                continue
            texts.append(
                (
                    to_field.get_db_prep_save(made.to, connection),
                    made.body,
                    hashlib.sha256(made.body.encode()).hexdigest(),
                    made.template_version,
                    row.pk,
                )
            )
            claimed.append(
                Claimed(
                    _outgoing(row, made, installation),
                    row.attempts + 1,
                    AttemptRow(
                        row.loan_id,
                        row.party_id,
                        roles.get(row.planned_action_id, "borrower"),
                        row.channel,
                        made.to,
                        "sent",
                    ),
                )
            )
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


def _outgoing(row: OutboxMessage, made: Composed, installation: str) -> Outgoing:
    return Outgoing(
        message_id=row.pk,
        channel=row.channel,
        to=made.to,
        body=made.body,
        subject=made.subject,
        recipient_name=made.recipient_name,
        idempotency_key=message_key(installation, row.pk),
        template_code=made.provider_template_code,
        template_params=made.template_params,
    )


def _failpoint(point: str) -> None:
    """Die like ``kill -9`` the Nth time the worker passes ``point``, when a crash test asks:
    ``claimed`` (a claim committed), ``sending`` (a request's messages marked sending, the
    request not made), ``sent`` (a request answered, not recorded), ``recorded`` (a
    request recorded). ``ARREARS_OUTREACH_KILL=sent:3`` dies after the 3rd request's reply."""
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


def mark_sending(ids: Sequence[int], worker: str, now: datetime, request_key: str) -> int:
    """Mark ``ids`` (this worker's claimed messages) ``sending`` in their own transaction:
    from here on a crash leaves them ``unknown``, never sent again on a guess."""
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(ids))
    # One statement, committed on its own (autocommit) before the request is made.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(OutboxMessage)} SET status = 'sending', sending_at = %s,"
            " attempts = attempts + 1, request_key = %s, updated_at = %s"
            f" WHERE status = 'claimed' AND claimed_by = %s AND id IN ({marks})",
            [adapt(now), request_key, adapt(now), worker, *ids],
        )
        return int(cursor.rowcount)


class Requests:
    """The worker's side of each provider request (``channels.base.RequestHooks``): mark
    its messages ``sending`` just before, record them just after.

    A request's outcome is written together with the next request's mark, in one
    transaction (one flush to disk per request, which matters when each email is a
    request); the adapter calls ``after`` and the next ``before`` with no I/O between, and
    at no moment are two requests' messages ``sending``. ``flush`` writes the last one.
    """

    def __init__(
        self,
        claimed: Sequence[Claimed],
        worker: str,
        now: Callable[[], datetime],
        limit: RateLimit | None = None,
        tally: SendTally | None = None,
    ) -> None:
        self.items = {item.outgoing.message_id: item for item in claimed}
        self.tally = tally if tally is not None else SendTally()
        self.worker = worker
        self.now = now
        self.limit = limit
        self.recorded: set[int] = set()
        self._pending: tuple[list[Claimed], list[Result]] | None = None

    def before(self, messages: Sequence[Outgoing], request_key: str = "") -> None:
        if self.limit is not None:
            self.limit.take(len(messages))
        # A request without a key of its own is known at the provider by the message's key.
        key = request_key or (messages[0].idempotency_key if len(messages) == 1 else "")
        with transaction.atomic():
            flushed = self._record_pending(durable=True)
            mark_sending([m.message_id for m in messages], self.worker, self.now(), key or "-")
        if flushed:
            _failpoint("recorded")
        _failpoint("sending")

    def after(self, messages: Sequence[Outgoing], results: Sequence[Result]) -> None:
        _failpoint("sent")
        self._pending = ([self.items[m.message_id] for m in messages], list(results))
        self.recorded.update(m.message_id for m in messages)

    def flush(self) -> None:
        """Record the last request's outcome."""
        if self._record_pending(durable=False):
            _failpoint("recorded")

    def _record_pending(self, *, durable: bool) -> bool:
        if self._pending is None:
            return False
        items, results = self._pending
        self._pending = None
        self.tally.add(record(items, results, self.now(), durable=durable))
        return True

    def settle_rest(self, results: Sequence[Result]) -> None:
        """Record what the adapter settled without a request (its results in claim order)."""
        rest = [
            (item, result)
            for item, result in zip(self.items.values(), results, strict=True)
            if item.outgoing.message_id not in self.recorded
        ]
        if rest:
            self.tally.add(
                record([i for i, _ in rest], [r for _, r in rest], self.now(), requested=False)
            )


def due_count(channels: Sequence[str], *, now: datetime | None = None) -> int:
    """How many queued messages of ``channels`` are due now (a progress bar's total)."""
    return OutboxMessage.objects.filter(
        status="queued", channel__in=list(channels), due_at__lte=now or timezone.now()
    ).count()


def send_due(
    channels: dict[str, Channel],
    liveness: Liveness,
    *,
    now: Callable[[], datetime] = timezone.now,
    limits: dict[str, RateLimit] | None = None,
    tally: SendTally | None = None,
    on_progress: Callable[[int], object] | None = None,
) -> int:
    """One pass over every channel: ask the providers about unknown messages, then claim,
    send and record batches until nothing is due. Returns how many messages were handed to
    the adapters; ``tally`` (when given) counts what became of every message taken, and
    ``on_progress(n)`` is called after each batch with how many messages it settled."""
    handed = 0
    limits = limits or {}
    tally = tally if tally is not None else SendTally()
    resolve_unknown(channels, now=now)
    installation = Installation.current_key()
    for name, channel in channels.items():
        while True:
            claimed, settled = claim(
                name, min(BATCH, channel.max_batch), now(), liveness.name, installation, tally
            )
            _failpoint("claimed")
            if on_progress is not None and settled:
                on_progress(settled)
            if not claimed:
                if settled:
                    continue
                break
            requests = Requests(claimed, liveness.name, now, limits.get(name), tally)
            try:
                results = channel.send([item.outgoing for item in claimed], requests)
            finally:
                requests.flush()
            requests.settle_rest(results)
            handed += len(claimed)
            if on_progress is not None:
                on_progress(len(claimed))
    return handed
