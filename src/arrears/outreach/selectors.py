"""Reads of the outreach app."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from arrears.core.masking import mask_address, mask_email, mask_phone
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Loan
from arrears.strategy import selectors as strategy_selectors


def outbox_counts() -> dict[str, dict[str, int]]:
    """Messages by channel and status: ``{"sms": {"queued": 3, "sent": 10}, …}``."""
    counts: dict[str, dict[str, int]] = {}
    for row in (
        OutboxMessage.objects.order_by()
        .values("channel", "status")
        .annotate(n=Count("id"))
        .order_by("channel", "status")
    ):
        counts.setdefault(row["channel"], {})[row["status"]] = row["n"]
    return counts


_MASKS = {"sms": mask_phone, "email": mask_email, "letter": mask_address}


def masked_recipient(channel: str, to: str) -> str:
    """The address a message went (or would go) to, masked for a listing."""
    if not to:
        return ""
    return _MASKS.get(channel, mask_address)(to)


def outbox_failed(*, limit: int = 100, channels: list[str] | None = None) -> list[dict[str, Any]]:
    """The latest failed messages (newest first) with their reasons, for ``arrears outbox
    --failed``: id, channel, masked recipient, template, purpose, when, attempts, reason."""
    rows = OutboxMessage.objects.filter(status="failed").order_by("-updated_at", "-id")
    if channels:
        rows = rows.filter(channel__in=channels)
    return [
        {
            "id": m.pk,
            "channel": m.channel,
            "to": masked_recipient(m.channel, m.to),
            "template": m.template,
            "purpose": m.purpose,
            "loan_id": m.loan_id,
            "case_id": m.case_id,
            "failed_at": m.updated_at.isoformat(),
            "attempts": m.attempts,
            "reason": m.error,
        }
        for m in rows.only(
            "id",
            "channel",
            "to",
            "template",
            "purpose",
            "loan_id",
            "case_id",
            "updated_at",
            "attempts",
            "error",
        )[:limit]
    ]


def outbox_failed_count(*, channels: list[str] | None = None) -> int:
    rows = OutboxMessage.objects.filter(status="failed")
    if channels:
        rows = rows.filter(channel__in=channels)
    return rows.count()


def case_messages(case_id: int) -> list[dict[str, Any]]:
    """A case's messages for its timeline: when, to whom, status and the exact text."""
    return [
        {
            "planned_action_id": m.planned_action_id,
            "due_at": m.due_at.isoformat(),
            "channel": m.channel,
            "purpose": m.purpose,
            "status": m.status,
            "to": m.to,
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            "delivered_at": m.delivered_at.isoformat() if m.delivered_at else None,
            "text": m.body,
            "sha256": m.body_sha256,
            "blocked_reasons": m.blocked_reasons,
            "error": m.error,
        }
        for m in OutboxMessage.objects.filter(case_id=case_id).order_by("due_at", "id")
    ]


def case_overview(loan: Loan) -> dict[str, Any]:
    """``arrears case LOAN_ID --json``: the strategy's overview of the loan's case with each
    planned message's fate and the messages themselves (the contract's ``messages`` key)."""
    answer = strategy_selectors.case_overview(loan)
    case = answer["case"]
    messages = case_messages(case["id"]) if case else []
    sent = {m["planned_action_id"]: m for m in messages}
    for action in answer["actions"]:
        message = sent.get(action.pop("id"))
        action["status"] = _action_status(action["status"], message)
        if message and message["blocked_reasons"]:
            action["blocked_reasons"] = message["blocked_reasons"]
    answer["messages"] = messages
    return answer


def _action_status(planned: str, message: dict[str, Any] | None) -> str:
    """A message's fate is its action's: sent or delivered is done; blocked or cancelled at
    send time shows as such; a failed or unknown message leaves the action queued for a
    person to see on the message."""
    if message is None:
        return planned
    return {
        "sent": "done",
        "delivered": "done",
        "blocked": "blocked",
        "cancelled": "cancelled",
    }.get(message["status"], planned)
