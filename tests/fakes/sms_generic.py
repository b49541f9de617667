"""The fake's generic JSON gateway side, the protocol of
``arrears.outreach.channels.sms_generic``: ``POST {"messages": [{"id", "to", "text"}]}``
with a bearer token, answered with one result per message, so one bad number is refused
alone instead of sinking its batch. A message's key is its ``id``. ``POST …/status``
``{"ids": [...]}`` answers what became of each key: ``sent`` (with its provider id) or
``not_found``.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from tests.fakes.sms_state import GatewayState, RecordedMessage

GENERIC_PATH = "/generic/messages"
GENERIC_STATUS_PATH = f"{GENERIC_PATH}/status"

_ANY_PHONE = re.compile(r"\+?\d{6,15}")


def _authorized(state: GatewayState, authorization: str) -> bool:
    return hmac.compare_digest(authorization.encode(), f"Bearer {state.token}".encode())


def generic_status_reply(
    state: GatewayState, authorization: str, body: bytes
) -> tuple[int, dict[str, Any]]:
    """Answer one status query: per key, ``sent`` or ``not_found``."""
    if not _authorized(state, authorization):
        return 401, {"error": "invalid token"}
    try:
        ids = json.loads(body)["ids"]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return 400, {"error": 'body must be {"ids": ["..."]}'}
    results = []
    for key in ids:
        found = state.by_key(key)
        if found:
            results.append({"id": key, "status": "sent", "provider_id": found[0].provider_id})
        else:
            results.append({"id": key, "status": "not_found"})
    return 200, {"results": results}


def generic_reply(
    state: GatewayState, authorization: str, body: bytes
) -> tuple[int, dict[str, Any]]:
    """Answer one generic-gateway request."""
    if not _authorized(state, authorization):
        return 401, {"error": "invalid token"}
    try:
        items = json.loads(body)["messages"]
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return 400, {"error": 'body must be {"messages": [...]}'}
    now = state.now()
    results: list[dict[str, str]] = []
    accepted: list[RecordedMessage] = []
    for item in items:
        key = str(item.get("id") or "") if isinstance(item, dict) else ""
        phone = str(item.get("to") or "") if isinstance(item, dict) else ""
        text = str(item.get("text") or "") if isinstance(item, dict) else ""
        if not key:
            results.append({"id": key, "status": "rejected", "error": "missing id"})
        elif not _ANY_PHONE.fullmatch(phone):
            results.append({"id": key, "status": "rejected", "error": "invalid number"})
        elif not text:
            results.append({"id": key, "status": "rejected", "error": "empty text"})
        else:
            provider_id = f"g-{state.next_id()}"
            accepted.append(
                RecordedMessage(
                    gateway="generic",
                    key=key,
                    phone=phone,
                    provider_id=provider_id,
                    received_at=now,
                    text=text,
                )
            )
            results.append({"id": key, "status": "accepted", "provider_id": provider_id})
    state.record(accepted)
    return 200, {"results": results}
