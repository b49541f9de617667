"""``/api/v1/outreach``: delivery receipts and SMS replies from providers.

Providers call these without a user: each request carries the shared secret of
``ARREARS_RECEIPT_SECRET`` in the ``X-Arrears-Secret`` header (or as ``?secret=`` for
providers that can only be given a URL). Without the setting the endpoints refuse.
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any

from django.http import HttpRequest
from ninja import Router

from arrears.core.errors import Forbidden, InvalidInput
from arrears.outreach.channels.registry import CHANNELS
from arrears.outreach.services import ReceiptIn, inbound_sms, message_id_of_key, receipts_apply

router = Router(tags=["outreach"], auth=None)


def _check_secret(request: HttpRequest) -> None:
    expected = os.environ.get("ARREARS_RECEIPT_SECRET", "")
    if not expected:
        raise Forbidden("receipts are not configured (set ARREARS_RECEIPT_SECRET)")
    given = request.headers.get("X-Arrears-Secret") or request.GET.get("secret", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("wrong or missing X-Arrears-Secret")


def _json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except ValueError as error:
        raise InvalidInput(f"the body is not JSON: {error}", field="body") from error


def _receipt(item: Any, index: int) -> ReceiptIn:
    if not isinstance(item, dict):
        raise InvalidInput(f"receipts[{index}]: expected an object", field="receipts")
    # Alibaba Cloud's SmsReport: biz_id, phone_number, success, err_code, err_msg, out_id.
    if "biz_id" in item or "success" in item:
        return ReceiptIn(
            delivered=bool(item.get("success")),
            message_id=message_id_of_key(str(item.get("out_id") or "")),
            provider_id=str(item.get("biz_id") or ""),
            to=str(item.get("phone_number") or ""),
            error=" ".join(str(item.get(k) or "") for k in ("err_code", "err_msg")).strip(),
        )
    status = item.get("status")
    if status not in ("delivered", "failed"):
        raise InvalidInput(
            f"receipts[{index}].status: expected delivered or failed, got {status!r}",
            field="status",
        )
    key = str(item.get("id") or item.get("message_id") or "")
    return ReceiptIn(
        delivered=status == "delivered",
        message_id=message_id_of_key(key) if not key.isdigit() else int(key),
        provider_id=str(item.get("provider_id") or ""),
        to=str(item.get("to") or ""),
        error=str(item.get("error") or ""),
    )


@router.post("/receipts/{channel}", summary="Delivery reports from a provider")
def receipts(request: HttpRequest, channel: str) -> dict[str, int]:
    """A JSON list of reports — ours (``{"id": "arrears-42", "status": "delivered"}``) or
    Alibaba Cloud's SmsReport — or ``{"receipts": [...]}``."""
    _check_secret(request)
    if channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r}", field="channel")
    body = _json(request)
    items = body.get("receipts") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise InvalidInput("expected a list of receipts", field="receipts")
    return receipts_apply(
        channel=channel, receipts=[_receipt(item, i) for i, item in enumerate(items)]
    )


@router.post("/inbound/sms", summary="SMS replies (退订 / TD / T / STOP opt out)")
def inbound(request: HttpRequest) -> dict[str, Any]:
    """``{"from": "13800000000", "text": "TD"}``, a list of them, or Alibaba Cloud's SmsUp
    list (``phone_number``, ``content``)."""
    _check_secret(request)
    body = _json(request)
    items = body if isinstance(body, list) else [body]
    opted: list[int] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"[{index}]: expected an object", field="body")
        phone = str(item.get("from") or item.get("phone_number") or "")
        text = str(item.get("text") or item.get("content") or "")
        if not phone:
            raise InvalidInput(f"[{index}].from: the sender's number is missing", field="from")
        opted += inbound_sms(phone=phone, text=text)
    return {"opted_out_parties": len(opted)}
