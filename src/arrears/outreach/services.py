"""Writes of the outreach app: withdrawing a case's messages, delivery receipts, SMS replies."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from arrears.compliance.models import Hold
from arrears.compliance.services import hold_place
from arrears.outreach.choices import MessageStatus
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import ContactPoint, Party


@transaction.atomic
def outbox_cancel_for_case(*, case_id: int) -> int:
    """Withdraw the case's queued messages (the case was paused or moved)."""
    return OutboxMessage.objects.filter(case_id=case_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.CANCELLED
    )


@dataclass(frozen=True)
class ReceiptIn:
    """A delivery report: which message (our id, or the provider's id and the address),
    and whether it was delivered."""

    delivered: bool
    message_id: int | None = None
    provider_id: str = ""
    to: str = ""
    error: str = ""


def message_id_of_key(key: str) -> int | None:
    """Our idempotency keys are ``arrears-<id>``."""
    prefix = "arrears-"
    if key.startswith(prefix) and key[len(prefix) :].isdigit():
        return int(key[len(prefix) :])
    return None


@transaction.atomic
def receipts_apply(*, channel: str, receipts: list[ReceiptIn]) -> dict[str, int]:
    """Mark messages delivered or failed from a provider's reports. A report for a message
    not sent (or unknown) is ignored; one for a message already settled changes nothing."""
    now = timezone.now()
    counts = {"delivered": 0, "failed": 0, "unmatched": 0}
    for receipt in receipts:
        messages = OutboxMessage.objects.filter(channel=channel, status__in=["sent", "unknown"])
        if receipt.message_id is not None:
            messages = messages.filter(pk=receipt.message_id)
        elif receipt.provider_id:
            messages = messages.filter(provider_id=receipt.provider_id)
            if receipt.to:
                messages = messages.filter(to=receipt.to)
        else:
            counts["unmatched"] += 1
            continue
        if receipt.delivered:
            changed = messages.update(
                status=MessageStatus.DELIVERED, delivered_at=now, updated_at=now
            )
            counts["delivered"] += changed
        else:
            changed = messages.update(
                status=MessageStatus.FAILED, error=receipt.error[:2000], updated_at=now
            )
            counts["failed"] += changed
        if not changed:
            counts["unmatched"] += 1
    return counts


OPT_OUT_WORDS = ("退订", "TD", "T", "STOP", "UNSUBSCRIBE")


def is_opt_out(text: str) -> bool:
    """退订, TD, T or STOP as the reply (or 退订 anywhere in it)."""
    cleaned = text.strip().strip("。.!！").upper()
    return cleaned in OPT_OUT_WORDS or "退订" in text


@transaction.atomic
def inbound_sms(*, phone: str, text: str) -> list[int]:
    """An SMS reply: an opt-out word places the SMS opt-out hold on every party with that
    number. Returns the ids of the parties that opted out."""

    if not is_opt_out(text):
        return []
    number = phone.strip().removeprefix("+86").removeprefix("86") if len(phone) > 11 else phone
    party_ids = sorted(
        set(
            ContactPoint.objects.filter(kind="phone", value=number.strip()).values_list(
                "party_id", flat=True
            )
        )
    )
    opted = []
    for party_id in party_ids:
        if Hold.objects.filter(
            party_id=party_id, kind="opt_out", channel="sms", lifted_at__isnull=True
        ).exists():
            continue
        hold_place(
            kind="opt_out",
            channel="sms",
            reason=f"短信回复“{text.strip()[:50]}” (SMS reply)",
            party=Party.objects.get(pk=party_id),
        )
        opted.append(party_id)
    return opted
