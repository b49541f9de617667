"""Writes of the outreach app that other apps call."""

from __future__ import annotations

from django.db import transaction

from arrears.outreach.choices import MessageStatus
from arrears.outreach.models import OutboxMessage


@transaction.atomic
def outbox_cancel_for_case(*, case_id: int) -> int:
    """Withdraw the case's queued messages (the case was paused or moved)."""
    return OutboxMessage.objects.filter(case_id=case_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.CANCELLED
    )
