"""Sign-in codes by SMS: through the outbox, at once, never twice.

A borrower who asked the portal for a code is waiting for it, so it is not left for the next
worker pass: the caller's request sends it through the outbox's own path, under the same
contract as the worker (``sender``):

1. The compliance gate judges it (purpose ``verification``: exempt from hours, caps and
   holds for a liable party, ``compliance.rules.VERIFICATION``).
2. Under a liveness lock of its own (``liveness.Liveness``), so no worker takes it for a
   dead worker's message, an outbox row is written ``claimed`` with the evidence: the text
   with the code masked, and the SHA-256 of the exact text sent (the code itself is a
   secret and is never stored in clear). This transaction commits before the provider is
   called.
3. Just before the provider request the row is marked ``sending`` in its own transaction
   (``sender.mark_sending``), just after it is settled: ``sent`` with the provider's id,
   else ``failed`` with the reason — a transient failure too, since a code is worth five
   minutes and the borrower asks for a new one rather than waiting for a retry.

A crash between 3's two steps leaves the row ``sending``; the next worker makes it
``unknown`` and settles it by the provider's status query, like any SMS. Should it ever be
queued again (the provider never had it), the worker cannot compose it (there is no
``portal-code`` template: the code is gone) and fails it: a stale code is never sent.

It is not a collection contact: nothing goes on the compliance journal (the gate's caps and
the audit never count it); the outbox row, with the portal's own record of the code, is its
record.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from arrears.compliance.rules import SMS, VERIFICATION
from arrears.compliance.services import contact_check
from arrears.core.masking import mask_phone
from arrears.outreach.channels.base import Channel, Outgoing, Result
from arrears.outreach.channels.sms import sms_channel_from_settings
from arrears.outreach.composing import _addresses
from arrears.outreach.liveness import Liveness
from arrears.outreach.models import Installation, OutboxMessage
from arrears.outreach.resolving import message_key
from arrears.outreach.sender import mark_sending
from arrears.portfolio.models import Loan, Party

logger = logging.getLogger(__name__)

SENDER = "arrears portal"
# No message template has this code: a verification row taken by a worker cannot be composed.
TEMPLATE = "portal-code"
# Rows written before their id is known carry a temporary planned action far below any
# other; each is then ``-id`` (no planned action is negative, so none is ever matched).
_TEMPORARY_BELOW = -(2**50)


@dataclass(frozen=True)
class CodeSent:
    """What became of a sign-in code's SMS: ``sent``, ``failed``, ``unknown``, ``blocked``
    (the gate refused it) or ``no_phone``; the outbox row (None when none was written) and
    the number masked (``138****5678``) to tell the borrower where to look."""

    status: str
    message_id: int | None = None
    to_masked: str = ""
    error: str = ""


class _Hooks:
    """The outbox's side of the one provider request: mark it ``sending`` just before."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.requested = False

    def before(self, messages: Sequence[Outgoing], request_key: str = "") -> None:
        key = request_key or messages[0].idempotency_key
        with transaction.atomic():
            mark_sending([m.message_id for m in messages], self.worker, timezone.now(), key)
        self.requested = True

    def after(self, messages: Sequence[Outgoing], results: Sequence[Result]) -> None:
        """Nothing to do between the reply and ``_settle``, which follows at once."""


def _settle(message_id: int, result: Result, *, requested: bool) -> str:
    status = "sent" if result.outcome == "sent" else result.outcome
    if status == "unknown" and not requested:
        status = "failed"  # settled before any request: it cannot have left
    if status not in ("sent", "unknown"):
        status = "failed"
    now = timezone.now()
    changes: dict[str, object] = {
        "status": status,
        "provider_id": result.provider_id[:120],
        "error": result.error[:2000],
        "updated_at": now,
    }
    if status == "sent":
        changes["sent_at"] = now
    if not requested:
        changes["attempts"] = 1
    OutboxMessage.objects.filter(
        pk=message_id, status="sending" if requested else "claimed"
    ).update(**changes)
    return status


def verification_sms_send(
    *,
    case_id: int,
    loan: Loan,
    party: Party,
    text: str,
    evidence: str,
    template_params: Mapping[str, str],
    channel: Channel | None = None,
) -> CodeSent:
    """Send ``text`` (which holds a sign-in code) by SMS to ``party``'s best phone now,
    through the outbox; ``evidence`` is the same text with the code masked, kept as the
    row's body. Call outside any transaction (``on_commit`` of the caller's): each step
    commits on its own. ``channel`` defaults to the configured SMS provider."""
    phone = _addresses({party.pk}).get((party.pk, "phone"), "")
    if not phone:
        return CodeSent("no_phone")
    now = timezone.now()
    decision = contact_check(
        loan=loan, party=party, channel=SMS, at=now, purpose=VERIFICATION, asked_by=SENDER
    )
    if not decision.allowed:
        return CodeSent("blocked", to_masked=mask_phone(phone), error="; ".join(decision.reasons))
    try:
        adapter = channel or sms_channel_from_settings()
    except ImproperlyConfigured as error:
        # The operator's to fix; the borrower is told the code could not be sent.
        logger.error("sign-in code not sent: the SMS channel is misconfigured (%s)", error)
        return CodeSent("failed", to_masked=mask_phone(phone), error=str(error))
    liveness = Liveness()
    liveness.hold()
    try:
        with transaction.atomic():
            row = OutboxMessage.objects.create(
                case_id=case_id,
                loan=loan,
                party=party,
                planned_action_id=_TEMPORARY_BELOW - secrets.randbelow(2**60),
                channel=SMS,
                purpose=VERIFICATION,
                template=TEMPLATE,
                status="claimed",
                claimed_by=liveness.name,
                due_at=now,
                to=phone,
                body=evidence,
                body_sha256=hashlib.sha256(text.encode()).hexdigest(),
            )
            OutboxMessage.objects.filter(pk=row.pk).update(planned_action_id=-row.pk)
        outgoing = Outgoing(
            message_id=row.pk,
            channel=SMS,
            to=phone,
            body=text,
            recipient_name=party.name,
            idempotency_key=message_key(Installation.current_key(), row.pk),
            template_code=str(getattr(settings, "ARREARS_PORTAL_SMS_TEMPLATE_CODE", "") or ""),
            template_params=dict(template_params),
        )
        hooks = _Hooks(liveness.name)
        results = adapter.send([outgoing], hooks)
        result = results[0] if results else Result("failed", error="no answer from the adapter")
        status = _settle(row.pk, result, requested=hooks.requested)
    finally:
        liveness.release()
    return CodeSent(status, row.pk, mask_phone(phone), "" if status == "sent" else result.error)
