"""One-time links to the borrower portal (``self_service_link`` in message templates).

A link is a signed token (``django.core.signing``, salted, with the site's secret key) that
carries the loan's and the party's ids, a random nonce and an expiry: nothing in it can be
changed without breaking the signature, and nothing is stored when it is made, so the daily
outbox can put a fresh link into every message at no cost. The portal (a higher floor)
verifies it (``link_read``), and keeps the nonces it has seen: a link signs in once, and a
link whose sign-in steps failed five times is locked (docs/portal.md).

Made here, below the portal, because outreach renders it into messages and may not import
the portal; the portal imports this module for the reading half.

``ARREARS_SELF_SERVICE_URL`` is the address at which borrowers reach this Arrears (scheme,
host and any path prefix, e.g. ``https://pay.example.com``); the link is
``<ARREARS_SELF_SERVICE_URL>/p/<token>/``. Unset, messages carry no link (the variable is
empty and templates skip it). A link lives ``ARREARS_PORTAL_LINK_DAYS`` days (default 7):
long enough for a weekly reminder cycle, short enough that an old SMS is no key.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

# The portal's URL prefix (its ``urls`` are included under it by the site's URL map).
PORTAL_PREFIX = "p"
LINK_SALT = "arrears.portal.link"
DEFAULT_LINK_DAYS = 7
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def link_days() -> int:
    """How many days a link is valid (``ARREARS_PORTAL_LINK_DAYS``, 1 to 30, default 7)."""
    raw = str(getattr(settings, "ARREARS_PORTAL_LINK_DAYS", "") or "").strip()
    try:
        days = int(raw) if raw else DEFAULT_LINK_DAYS
    except ValueError:
        return DEFAULT_LINK_DAYS
    return min(max(days, 1), 30)


def portal_base_url() -> str:
    """``ARREARS_SELF_SERVICE_URL`` without its trailing slash; "" when unset."""
    configured = getattr(settings, "ARREARS_SELF_SERVICE_URL", None)
    if configured is None:
        configured = os.environ.get("ARREARS_SELF_SERVICE_URL", "")
    return str(configured).strip().rstrip("/")


@dataclass(frozen=True)
class LinkClaims:
    """What a verified link says: whose portal (loan and party ids), which link (its nonce)
    and until when."""

    loan_id: int
    party_id: int
    nonce: str
    expires_at: datetime


def link_token(*, loan_id: int, party_id: int, now: datetime | None = None) -> LinkClaims:
    """New claims for a link to ``party_id``'s portal of ``loan_id``, valid ``link_days``."""
    moment = now or timezone.now()
    return LinkClaims(
        loan_id=loan_id,
        party_id=party_id,
        nonce=secrets.token_urlsafe(12),
        expires_at=(moment + timedelta(days=link_days())).replace(microsecond=0),
    )


def link_sign(claims: LinkClaims) -> str:
    """The signed token of ``claims`` (URL-safe: letters, digits, ``-_:``)."""
    payload = [claims.loan_id, claims.party_id, claims.nonce, int(claims.expires_at.timestamp())]
    return signing.Signer(salt=LINK_SALT).sign_object(payload)


def link_read(token: str) -> LinkClaims | None:
    """The claims of a token this site signed, or None for anything else (tampered,
    truncated, signed with another key or salt, malformed). The expiry is not judged here:
    the portal tells an expired link from a false one."""
    try:
        payload = signing.Signer(salt=LINK_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not (
        isinstance(payload, list)
        and len(payload) == 4
        and all(isinstance(item, int) and not isinstance(item, bool) for item in payload[:2])
        and isinstance(payload[2], str)
        and isinstance(payload[3], int)
    ):
        return None
    loan_id, party_id, nonce, expires = payload
    return LinkClaims(
        loan_id=loan_id,
        party_id=party_id,
        nonce=nonce,
        expires_at=datetime.fromtimestamp(expires, tz=timezone.get_current_timezone()),
    )


def link_url(token: str, *, base: str = "") -> str:
    """The address of the portal link ``token`` under ``base`` (default
    ``ARREARS_SELF_SERVICE_URL``, else ``http://127.0.0.1:8000``)."""
    root = (base or portal_base_url() or DEFAULT_BASE_URL).rstrip("/")
    return f"{root}/{PORTAL_PREFIX}/{token}/"


def self_service_link(*, loan_id: int, party_id: int) -> str:
    """A fresh one-time portal link for a message to ``party_id`` about ``loan_id`` when
    ``ARREARS_SELF_SERVICE_URL`` is set; "" otherwise (templates then leave it out)."""
    base = portal_base_url()
    if not base:
        return ""
    return link_url(link_sign(link_token(loan_id=loan_id, party_id=party_id)), base=base)
