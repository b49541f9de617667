"""Idempotency keys: the one helper every creating POST of the API goes through.

A client that sends ``Idempotency-Key: <key>`` with a POST may send it again — after a
timeout, a dropped connection, a crash of its own — and be sure that nothing is created
twice. The contract, per (user, key), for ``ARREARS_IDEMPOTENCY_TTL_HOURS`` (24 h):

- the first request runs, and its answer (status and JSON, byte for byte) is stored in the
  same transaction as what it created — so there is never a promise without its stored
  answer, nor a stored answer without its promise;
- the same request again (same method, path and body) gets the stored answer, with
  ``Idempotent-Replayed: true``; nothing runs (an endpoint may answer a replay with
  another status than the first answer's, ``replay_status``: payments answer 200);
- the same key with another request is refused: 422, field ``Idempotency-Key`` (or the
  endpoint's ``conflict_status``: payments answer 409);
- a duplicate sent while the first is still running waits for it, then gets its answer:
  the key's row is inserted first in the transaction, under a unique constraint, so the
  duplicate's insert waits on PostgreSQL for the first transaction to end (and on SQLite
  the write lock of ``BEGIN IMMEDIATE`` orders them the same way);
- a request refused with a 4xx error (bad input, a role without the capability) rolls
  back with its key: nothing is stored, and the corrected request may use the key again.

Keys older than the TTL are purged whenever the same user sends a keyed request (one
``DELETE`` of that user's expired rows) and by ``arrears api_keys_purge`` for all users.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.responses import NinjaJSONEncoder

from arrears.accounts.models import User
from arrears.api.models import IdempotentRequest
from arrears.core.errors import InvalidInput

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
DEFAULT_TTL_HOURS = 24
# Visible ASCII, as in the IETF draft's examples (UUIDs, random tokens).
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

Outcome = tuple[int, dict[str, Any]]


class IdempotencyConflict(InvalidInput):
    """The key was used for another request (422, or the endpoint's own status)."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 422) -> None:
        super().__init__(message, field=field)
        self.status = status


def key_ttl() -> timedelta:
    """How long a key and its answer are kept (the setting, or 24 hours)."""
    hours = getattr(settings, "ARREARS_IDEMPOTENCY_TTL_HOURS", DEFAULT_TTL_HOURS)
    return timedelta(hours=float(hours))


def idempotency_keys_purge(*, before: datetime, user: User | None = None) -> int:
    """Delete the stored answers made before ``before`` (of ``user`` only, when given)."""
    rows = IdempotentRequest.objects.filter(created_at__lt=before)
    if user is not None:
        rows = rows.filter(user=user)
    deleted, _by_model = rows.delete()
    return deleted


def _render(body: dict[str, Any]) -> str:
    # The encoder ninja's own JSON renderer uses, so a replay is the same text.
    return json.dumps(body, cls=NinjaJSONEncoder)


def _answer(status: int, text: str, *, replayed: bool = False) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="application/json; charset=utf-8")
    if replayed:
        response[REPLAYED_HEADER] = "true"
    return response


def _fingerprint(request: HttpRequest, payload: Any) -> str:
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": payload},
        sort_keys=True,
        separators=(",", ":"),
        cls=NinjaJSONEncoder,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _earlier(
    user: User, key: str, fingerprint: str, *, replay_status: int | None, conflict_status: int
) -> HttpResponse:
    earlier = IdempotentRequest.objects.filter(user=user, key=key).first()
    if earlier is None:
        # Purged between the failed insert and this read: rare enough to ask for a retry.
        raise IdempotencyConflict(
            _("the key was just released; send the request again"),
            field=KEY_HEADER,
            status=conflict_status,
        )
    if earlier.request_sha256 != fingerprint:
        raise IdempotencyConflict(
            _("this Idempotency-Key was used for a different request"),
            field=KEY_HEADER,
            status=conflict_status,
        )
    return _answer(replay_status or earlier.status, earlier.response, replayed=True)


def idempotent(
    request: HttpRequest,
    *,
    payload: Any,
    run: Callable[[], Outcome],
    replay_status: int | None = None,
    conflict_status: int = 422,
) -> HttpResponse:
    """Answer ``request`` with ``run()``'s (status, JSON body), at most once per
    ``Idempotency-Key``; ``payload`` is the validated body the key's request is judged by.

    A replay answers the stored body with ``replay_status`` (default: the first answer's
    status); the key reused for another request is refused with ``conflict_status``."""
    key = request.headers.get(KEY_HEADER)
    if key is None:
        status, body = run()
        return _answer(status, _render(body))
    if not _KEY.match(key):
        raise InvalidInput(
            _("the Idempotency-Key is 1 to 255 visible ASCII characters"), field=KEY_HEADER
        )
    user = request.user
    assert isinstance(user, User)
    fingerprint = _fingerprint(request, payload)
    now = timezone.now()
    idempotency_keys_purge(before=now - key_ttl(), user=user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    user=user,
                    key=key,
                    method=str(request.method)[:10],
                    path=request.path[:500],
                    request_sha256=fingerprint,
                    status=0,
                    response="",
                    created_at=now,
                )
        except IntegrityError:
            return _earlier(
                user,
                key,
                fingerprint,
                replay_status=replay_status,
                conflict_status=conflict_status,
            )
        status, body = run()
        text = _render(body)
        record.status, record.response = status, text
        record.save(update_fields=["status", "response"])
    return _answer(status, text)
