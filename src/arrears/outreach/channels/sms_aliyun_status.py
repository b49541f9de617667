"""Alibaba Cloud's QuerySendDetails: what became of a message whose reply was lost.

Pure: no Django import. dysmsapi 2017-05-25, signed like every other action
(``sms_aliyun``)::

    Action=QuerySendDetails  PhoneNumber=13800138000  SendDate=20261201 (yyyyMMdd, Beijing)
    PageSize=1..50  CurrentPage=1..  [BizId=<from the send reply, when known>]

    {"Code": "OK", "TotalCount": "2", "SmsSendDetailDTOs": {"SmsSendDetailDTO": [
        {"PhoneNum": "13800138000", "SendStatus": 3, "ErrCode": "DELIVERED",
         "TemplateCode": "SMS_1", "Content": "…", "SendDate": "2026-12-01 10:00:01",
         "ReceiveDate": "2026-12-01 10:00:04", "OutId": "arrears-1a2b3c4d-42"}]}}

``SendStatus``: 1 waiting for the carrier's receipt, 2 failed, 3 delivered. The details
carry no BizId, so a message is recognised by its ``OutId``: the message's own key for a
``SendSms``, its request's key for a ``SendBatchSms`` (the worker records that key on the
message before the request). The query covers one number on one day, so the days from the
request's start to a few minutes later are asked (a request at 23:59:59 is recorded on the
next day).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from arrears.outreach.channels.base import Asked, Status
from arrears.outreach.channels.sms_generic import HttpReply, ReplyLost, RequestNotSent

PAGE_SIZE = 50  # the most QuerySendDetails returns a page
MAX_PAGES = 20  # a thousand messages to one number on one day is far beyond any playbook
_BEIJING = timezone(timedelta(hours=8))  # Aliyun's SendDate is a Beijing date
_REQUEST_SPAN = timedelta(minutes=5)  # a request began at sending_at, ended before this


class _Client(Protocol):
    def signed(self, action: dict[str, str]) -> dict[str, str]: ...

    def post_signed(self, params: dict[str, str]) -> HttpReply: ...


class _QueryFailed(Exception):
    """Aliyun did not answer the query (unreachable, throttled, an error code)."""


def _send_dates(sending_at: datetime) -> list[str]:
    first = sending_at.astimezone(_BEIJING).date()
    last = (sending_at + _REQUEST_SPAN).astimezone(_BEIJING).date()
    return sorted({first.strftime("%Y%m%d"), last.strftime("%Y%m%d")})


def _page(client: _Client, action: dict[str, str]) -> dict[str, Any]:
    try:
        reply = client.post_signed(client.signed(action))
    except (RequestNotSent, ReplyLost) as exc:
        raise _QueryFailed(f"QuerySendDetails failed: {exc}") from exc
    try:
        payload = json.loads(reply.body)
    except ValueError as exc:
        raise _QueryFailed(f"QuerySendDetails: unreadable reply (HTTP {reply.status})") from exc
    if not isinstance(payload, dict) or payload.get("Code") != "OK":
        code = payload.get("Code") if isinstance(payload, dict) else None
        message = payload.get("Message", "") if isinstance(payload, dict) else ""
        raise _QueryFailed(f"QuerySendDetails: {code}: {message} (HTTP {reply.status})")
    return payload


def _details(client: _Client, phone: str, send_date: str, biz_id: str) -> list[dict[str, Any]]:
    """Every record of ``phone`` on ``send_date`` (of ``biz_id`` only, when given)."""
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        action = {
            "Action": "QuerySendDetails",
            "PhoneNumber": phone,
            "SendDate": send_date,
            "PageSize": str(PAGE_SIZE),
            "CurrentPage": str(page),
        }
        if biz_id:
            action["BizId"] = biz_id
        payload = _page(client, action)
        dtos = payload.get("SmsSendDetailDTOs") or {}
        rows = dtos.get("SmsSendDetailDTO") if isinstance(dtos, dict) else None
        rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        found.extend(rows)
        try:
            total = int(payload.get("TotalCount") or 0)
        except (TypeError, ValueError):
            total = 0
        if not rows or len(found) >= total:
            return found
    raise _QueryFailed(f"QuerySendDetails: more than {MAX_PAGES} pages for one number")


def beijing_time(value: object) -> datetime | None:
    """An Aliyun time ("2026-03-01 10:00:05", Beijing), or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=_BEIJING)
    except ValueError:
        return None


def query_send_details(client: _Client, item: Asked, phone: str) -> Status:
    """What Aliyun's records of ``phone`` say of ``item``: delivered, sent (waiting for the
    carrier), failed, not_found — or unknown when Aliyun could not be asked."""
    keys = {item.key, item.request_key} - {""}
    try:
        rows = [
            row
            for send_date in _send_dates(item.sending_at)
            for row in _details(client, phone, send_date, item.provider_id)
            if str(row.get("OutId") or "") in keys
        ]
    except _QueryFailed as exc:
        return Status("unknown", error=str(exc))
    if not rows:
        return Status("not_found")
    # One request carries a number at most a few times; the best news of them decides.
    statuses = {str(row.get("SendStatus")) for row in rows}
    if "3" in statuses:
        row = next(r for r in rows if str(r.get("SendStatus")) == "3")
        return Status(
            "delivered", provider_id=item.provider_id, at=beijing_time(row.get("ReceiveDate"))
        )
    if "1" in statuses:
        return Status("sent", provider_id=item.provider_id)
    codes = sorted({str(r.get("ErrCode") or "") for r in rows} - {""})
    return Status("failed", provider_id=item.provider_id, error=", ".join(codes) or "failed")
