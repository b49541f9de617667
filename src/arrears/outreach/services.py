"""Writes of the outreach app: withdrawing a case's messages, delivery receipts, SMS replies."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from arrears.compliance.models import Hold
from arrears.compliance.services import hold_place
from arrears.core import phones
from arrears.outreach.choices import MessageStatus
from arrears.outreach.models import Installation, OutboxMessage
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
    out_id: str = ""  # the request's key (Aliyun's batch OutId), matched with ``to``


def message_id_of_key(key: str, installation: str | None = None) -> int | None:
    """The message of one of our idempotency keys: ``arrears-<installation>-<id>`` of this
    installation (another installation's key sharing the gateway is not ours), or the
    ``arrears-<id>`` of messages sent before keys named their installation."""
    prefix = "arrears-"
    if not key.startswith(prefix):
        return None
    rest = key[len(prefix) :]
    if rest.isdigit():
        return int(rest)
    owner, _, number = rest.rpartition("-")
    if not number.isdigit():
        return None
    if owner != (installation if installation is not None else Installation.current_key()):
        return None
    return int(number)


def _to_number(messages: QuerySet[OutboxMessage], number: str) -> QuerySet[OutboxMessage]:
    """Those of ``messages`` sent to ``number`` (a batch shares one provider id). The
    address is encrypted at rest, so it is compared here, not in SQL; a provider id or a
    request key narrows the candidates to one request first."""
    if not number:
        return messages
    ids = [
        pk for pk, to in messages.values_list("pk", "to")[:1000] if phones.same_number(to, number)
    ]
    return messages.filter(pk__in=ids)


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
        elif receipt.provider_id and messages.filter(provider_id=receipt.provider_id).exists():
            messages = _to_number(messages.filter(provider_id=receipt.provider_id), receipt.to)
        elif receipt.out_id and receipt.to:
            # A batch message settled by a status query knows its request's key, not the
            # BizId the provider reports with.
            messages = _to_number(messages.filter(request_key=receipt.out_id), receipt.to)
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


@transaction.atomic
def email_opt_out(*, message_id: int) -> bool:
    """The one-click unsubscribe of an email (``unsubscribe``): the email opt-out hold on
    the message's party. Answers whether a hold was placed now (False: already held)."""
    message = OutboxMessage.objects.filter(pk=message_id, channel="email").first()
    if message is None:
        return False
    if Hold.objects.filter(
        party_id=message.party_id, kind="opt_out", channel="email", lifted_at__isnull=True
    ).exists():
        return False
    hold_place(
        kind="opt_out",
        channel="email",
        reason="邮件一键退订 (email one-click unsubscribe)",
        party=Party.objects.get(pk=message.party_id),
    )
    return True


OPT_OUT_WORDS = ("退订", "TD", "T", "STOP", "UNSUBSCRIBE")


def is_opt_out(text: str) -> bool:
    """退订, TD, T or STOP as the reply (or 退订 anywhere in it)."""
    cleaned = text.strip().strip("。.!！").upper()
    return cleaned in OPT_OUT_WORDS or "退订" in text


def _reply_numbers(phone: str) -> list[str]:
    """The stored forms (E.164) a reply's sender may be: the number read as written (a bare
    one as Chinese), and, when a gateway gave country code and number without ``+``
    (``12025550143``), that number with it. The contact point's blind index compares them."""
    text = phone.strip()
    if not text:
        return []
    numbers = [phones.index_form(text)]
    if text.isdigit() and (len(text) > 11 or not numbers[0].startswith("+")):
        numbers.append(phones.index_form(f"+{text}"))
    return numbers


@transaction.atomic
def inbound_sms(*, phone: str, text: str) -> list[int]:
    """An SMS reply: an opt-out word places the SMS opt-out hold on every party with that
    number. Returns the ids of the parties that opted out."""

    numbers = _reply_numbers(phone)
    if not is_opt_out(text) or not numbers:
        return []
    party_ids = sorted(
        set(
            ContactPoint.objects.filter(kind="phone", value__in=numbers).values_list(
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
