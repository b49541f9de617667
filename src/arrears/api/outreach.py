"""``/api/v1/outreach``: delivery receipts and SMS replies from providers, and the email
one-click unsubscribe.

Providers call the receipt and reply endpoints without a user. The shared secret of
``ARREARS_RECEIPT_SECRET`` travels **only in the ``X-Arrears-Secret`` header**: a secret in
the query string lands in every access log on the way, so ``?secret=`` is refused like a
wrong secret. A provider that can only be given a URL (Alibaba Cloud's HTTP push of
SmsReport and SmsUp takes a URL and no headers) is given
``…/outreach/p/<ARREARS_RECEIPT_PATH_TOKEN>/receipts/sms``: a separate token in the path,
so the header secret never appears in a URL, it can be rotated on its own, and it only
admits these provider endpoints. Both are compared in constant time; without a setting its
way refuses.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from django.http import HttpRequest
from ninja import Router

from arrears.api.body import json_body
from arrears.api.errors import error_responses
from arrears.core.errors import Forbidden, InvalidInput
from arrears.outreach.channels.registry import CHANNELS
from arrears.outreach.services import (
    ReceiptIn,
    email_opt_out,
    inbound_sms,
    message_id_of_key,
    receipts_apply,
)
from arrears.outreach.unsubscribe import message_of_token

router = Router(tags=["outreach"], auth=None)

# These endpoints read their bodies themselves (two providers' shapes in one list), so the
# schema describes the bodies and the secret header here rather than through a ``Schema``.
_TEXT = {"type": "string"}
_OUR_RECEIPT = {
    "type": "object",
    "description": "Ours: the message's key (arrears-<installation>-<id>) or id, and status.",
    "properties": {
        "id": _TEXT,
        "message_id": {"type": ["string", "integer"]},
        "status": {"type": "string", "enum": ["delivered", "failed"]},
        "provider_id": _TEXT,
        "to": _TEXT,
        "error": _TEXT,
    },
    "required": ["status"],
}
_SMS_REPORT = {
    "type": "object",
    "description": "Alibaba Cloud's SmsReport.",
    "properties": {
        "biz_id": _TEXT,
        "phone_number": _TEXT,
        "success": {"type": "boolean"},
        "err_code": _TEXT,
        "err_msg": _TEXT,
        "out_id": _TEXT,
    },
    "required": ["biz_id", "success"],
}
_RECEIPT_LIST = {"type": "array", "items": {"anyOf": [_OUR_RECEIPT, _SMS_REPORT]}}
_REPLY = {
    "type": "object",
    "description": "Ours (from, text) or Alibaba Cloud's SmsUp (phone_number, content).",
    "properties": {"from": _TEXT, "text": _TEXT, "phone_number": _TEXT, "content": _TEXT},
    "anyOf": [{"required": ["from"]}, {"required": ["phone_number"]}],
}


def _json_request(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_SECRET_HEADER = {
    "in": "header",
    "name": "X-Arrears-Secret",
    "required": True,
    "description": "ARREARS_RECEIPT_SECRET; a wrong or missing one answers 403.",
    "schema": _TEXT,
}
_RECEIPTS_DOC: dict[str, Any] = {
    "requestBody": _json_request(
        {
            "anyOf": [
                _RECEIPT_LIST,
                {
                    "type": "object",
                    "properties": {"receipts": _RECEIPT_LIST},
                    "required": ["receipts"],
                },
            ]
        }
    )
}
_INBOUND_DOC: dict[str, Any] = {
    "requestBody": _json_request({"anyOf": [_REPLY, {"type": "array", "items": _REPLY}]})
}
# The provider endpoints answer 400 for a body they cannot read, 403 for a wrong secret or
# path token (or any ``?secret=``).
_PROVIDER_ERRORS = error_responses(403)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _check_secret(request: HttpRequest) -> None:
    if "secret" in request.GET:
        raise Forbidden(
            "a secret in the URL is refused (it lands in access logs): send X-Arrears-Secret"
        )
    expected = os.environ.get("ARREARS_RECEIPT_SECRET", "")
    if not expected:
        raise Forbidden("receipts are not configured (set ARREARS_RECEIPT_SECRET)")
    if not _same(request.headers.get("X-Arrears-Secret", ""), expected):
        raise Forbidden("wrong or missing X-Arrears-Secret")


def _check_path_token(request: HttpRequest, token: str) -> None:
    if "secret" in request.GET:
        raise Forbidden("a secret in the query string is refused (it lands in access logs)")
    expected = os.environ.get("ARREARS_RECEIPT_PATH_TOKEN", "")
    if not expected:
        raise Forbidden("URL-only providers are not configured (set ARREARS_RECEIPT_PATH_TOKEN)")
    if not _same(token, expected):
        raise Forbidden("wrong path token")


def _receipt(item: Any, index: int) -> ReceiptIn:
    if not isinstance(item, dict):
        raise InvalidInput(f"receipts[{index}]: expected an object", field="receipts")
    # Alibaba Cloud's SmsReport: biz_id, phone_number, success, err_code, err_msg, out_id.
    if "biz_id" in item or "success" in item:
        out_id = str(item.get("out_id") or "")
        return ReceiptIn(
            delivered=bool(item.get("success")),
            message_id=message_id_of_key(out_id),
            provider_id=str(item.get("biz_id") or ""),
            to=str(item.get("phone_number") or ""),
            error=" ".join(str(item.get(k) or "") for k in ("err_code", "err_msg")).strip(),
            out_id=out_id,
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


def _receipts(request: HttpRequest, channel: str) -> dict[str, int]:
    if channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r}", field="channel")
    body = json_body(request)
    items = body.get("receipts") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise InvalidInput("expected a list of receipts", field="receipts")
    return receipts_apply(
        channel=channel, receipts=[_receipt(item, i) for i, item in enumerate(items)]
    )


def _inbound(request: HttpRequest) -> dict[str, Any]:
    body = json_body(request)
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


@router.post(
    "/receipts/{channel}",
    response={200: dict[str, int], **_PROVIDER_ERRORS},
    summary="Delivery reports from a provider",
    openapi_extra={**_RECEIPTS_DOC, "parameters": [_SECRET_HEADER]},
)
def receipts(request: HttpRequest, channel: str) -> dict[str, int]:
    """A JSON list of reports — ours (``{"id": "arrears-1a2b3c4d-42", "status":
    "delivered"}``) or Alibaba Cloud's SmsReport — or ``{"receipts": [...]}``; the secret
    in the ``X-Arrears-Secret`` header."""
    _check_secret(request)
    return _receipts(request, channel)


@router.post(
    "/inbound/sms",
    response={200: dict[str, int], **_PROVIDER_ERRORS},
    summary="SMS replies (退订 / TD / T / STOP opt out)",
    openapi_extra={**_INBOUND_DOC, "parameters": [_SECRET_HEADER]},
)
def inbound(request: HttpRequest) -> dict[str, Any]:
    """``{"from": "13800000000", "text": "TD"}``, a list of them, or Alibaba Cloud's SmsUp
    list (``phone_number``, ``content``); the secret in the ``X-Arrears-Secret`` header."""
    _check_secret(request)
    return _inbound(request)


@router.post(
    "/p/{token}/receipts/{channel}",
    response={200: dict[str, int], **_PROVIDER_ERRORS},
    summary="Delivery reports (URL-only providers)",
    openapi_extra=_RECEIPTS_DOC,
)
def receipts_by_path(request: HttpRequest, token: str, channel: str) -> dict[str, int]:
    """As ``/receipts/{channel}``, for a provider that can be given only a URL: the
    ``ARREARS_RECEIPT_PATH_TOKEN`` in the path instead of a header."""
    _check_path_token(request, token)
    return _receipts(request, channel)


@router.post(
    "/p/{token}/inbound/sms",
    response={200: dict[str, int], **_PROVIDER_ERRORS},
    summary="SMS replies (URL-only providers)",
    openapi_extra=_INBOUND_DOC,
)
def inbound_by_path(request: HttpRequest, token: str) -> dict[str, Any]:
    """As ``/inbound/sms``, with ``ARREARS_RECEIPT_PATH_TOKEN`` in the path."""
    _check_path_token(request, token)
    return _inbound(request)


@router.post(
    "/unsubscribe/{token}",
    # No body is read: 400 and 413 only from the guard; 403 for a link not signed by us.
    response={200: dict[str, bool], **error_responses(403)},
    summary="Email one-click unsubscribe (RFC 8058)",
)
def unsubscribe(request: HttpRequest, token: str) -> dict[str, Any]:
    """The link of an email's ``List-Unsubscribe``: a mail program POSTs
    ``List-Unsubscribe=One-Click`` and the party gets the email opt-out hold."""
    message_id = message_of_token(token)
    if message_id is None:
        raise Forbidden("not a valid unsubscribe link")
    placed = email_opt_out(message_id=message_id)
    return {"unsubscribed": True, "hold_placed": placed}
