"""The fake's generic JSON gateway side, the protocol of
``arrears.outreach.channels.sms_generic``: ``POST {"messages": [{"id", "to", "text"}]}``
with a bearer token, answered with one result per message, so one bad number is refused
alone instead of sinking its batch. A message's key is its ``id``.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from tests.fakes.sms_state import GatewayState, RecordedMessage

GENERIC_PATH = "/generic/messages"

_ANY_PHONE = re.compile(r"\+?\d{6,15}")


def generic_reply(
    state: GatewayState, authorization: str, body: bytes
) -> tuple[int, dict[str, Any]]:
    """Answer one generic-gateway request."""
    if not hmac.compare_digest(authorization.encode(), f"Bearer {state.token}".encode()):
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
