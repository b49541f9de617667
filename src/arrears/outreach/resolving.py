"""Settling ``unknown`` messages by asking their provider (``channels.base.StatusQuery``).

A message is ``unknown`` when its request may have reached the provider but no answer came
back (a lost reply, a worker killed mid-request). Where the provider can say what became of
a message — Alibaba Cloud's QuerySendDetails, the generic gateway's status endpoint — the
worker asks at the start of each pass (``send_due``) and ``arrears outbox resolve`` asks on
demand:

- found (delivered, sent, or failed at the carrier): it left, so it is settled as such and
  goes on the compliance journal as the contact it was;
- not found, asked later than the provider's window after the request began
  (``ARREARS_SMS_STATUS_WINDOW``): it never arrived, so it is queued to go again;
- anything else (not found yet, the provider unreachable): it stays ``unknown``.

Email has no such query (SMTP forgets a session once it ends): an unknown email stays for a
person. So do messages marked unknown before request keys were recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from arrears.outreach.channels.base import Asked, Channel, Status, StatusQuery
from arrears.outreach.models import Installation, OutboxMessage
from arrears.outreach.outcomes import journal_contacts

BATCH = 500  # unknown messages asked about per channel and pass
HORIZON = timedelta(days=30)  # Aliyun keeps 30 days of send records
# A message the provider could not settle yet is asked again after this, not on every pass
# of a worker polling every few seconds. The note says when it was asked, before the reason
# it became unknown.
ASK_AGAIN = timedelta(seconds=60)
ASKED = "provider asked at "


def message_key(installation: str, message_id: int) -> str:
    """The idempotency key providers get for a message: ``arrears-<installation>-<id>``."""
    return f"arrears-{installation}-{message_id}"


def resolve_unknown(
    channels: Mapping[str, Channel], *, now: Callable[[], datetime] = timezone.now
) -> dict[str, int]:
    """Ask each channel's provider about its unknown messages and settle what it can.
    Returns how many became each status (``unknown``: asked and still undecided)."""
    counts: dict[str, int] = defaultdict(int)
    installation = Installation.current_key()
    for name, channel in channels.items():
        if not isinstance(channel, StatusQuery):
            continue
        moment = now()
        rows = list(
            OutboxMessage.objects.filter(
                channel=name,
                status="unknown",
                sending_at__gte=moment - HORIZON,
            )
            .filter(~Q(error__startswith=ASKED) | Q(updated_at__lte=moment - ASK_AGAIN))
            .exclude(request_key="")
            .order_by("id")
            .values_list("id", "to", "sending_at", "request_key", "provider_id", "error")[:BATCH]
        )
        if not rows:
            continue
        asked = [
            Asked(
                pk,
                message_key(installation, pk),
                to,
                sending_at,
                "" if request_key == "-" else request_key,
                provider_id,
            )
            for pk, to, sending_at, request_key, provider_id, _error in rows
            if sending_at is not None  # the filter on sending_at leaves out NULL
        ]
        errors = {row[0]: row[5] for row in rows}
        answers = channel.query(asked)
        window = timedelta(seconds=channel.status_window)
        for item, status in zip(asked, answers, strict=True):
            counts[_settle(item, status, now(), window, errors[item.message_id])] += 1
    return dict(counts)


def _settle(item: Asked, status: Status, now: datetime, window: timedelta, error: str) -> str:
    unknown = OutboxMessage.objects.filter(pk=item.message_id, status="unknown")
    if status.found in ("sent", "delivered", "failed"):
        changed = unknown.update(
            status=status.found,
            sent_at=item.sending_at,
            delivered_at=(status.at or now) if status.found == "delivered" else None,
            provider_id=status.provider_id or item.provider_id,
            error=status.error if status.found == "failed" else "",
            updated_at=now,
        )
        if changed:
            # It left when its request went: that is the contact the journal records.
            journal_contacts(
                [item.message_id], connection.ops.adapt_datetimefield_value(item.sending_at)
            )
        return status.found
    if status.found == "not_found" and item.sending_at + window <= now:
        unknown.update(
            status="queued",
            due_at=now,
            claimed_by="",
            request_key="",
            error="the provider has no record of it: queued to go again",
            updated_at=now,
        )
        return "queued"
    # Still undecided: note when the provider was asked and what it said, keeping why the
    # message became unknown (after " | ").
    cause = error.split(" | ", 1)[1] if error.startswith(ASKED) and " | " in error else error
    said = status.error or "no record yet"
    unknown.update(
        error=f"{ASKED}{now.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC: {said} | {cause}"[:2000],
        updated_at=now,
    )
    return "unknown"
