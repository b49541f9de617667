"""Arrears' own one-click email opt-out (RFC 8058).

When ``ARREARS_PUBLIC_URL`` is the https address at which this Arrears is reachable, every
email's ``List-Unsubscribe`` carries ``<ARREARS_PUBLIC_URL>/api/v1/outreach/unsubscribe/
<token>``; the mail program POSTs ``List-Unsubscribe=One-Click`` there and the party gets the
email opt-out hold at once (``services.email_opt_out``). The token is the message id signed
with the secret key: it cannot be guessed for another message and names nobody.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "arrears.outreach.unsubscribe"
PATH = "/api/v1/outreach/unsubscribe/"


def unsubscribe_token(message_id: int) -> str:
    """The signed token of ``message_id``."""
    return signing.dumps(message_id, salt=SALT, compress=False)


def message_of_token(token: str) -> int | None:
    """The message id ``token`` was signed for, or None when it is not a valid token."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(message_id: int) -> str:
    """The one-click link of ``message_id``, or "" when no https public address is set."""
    base = str(getattr(settings, "ARREARS_PUBLIC_URL", "") or "").strip().rstrip("/")
    if not base.startswith("https://"):
        return ""
    return f"{base}{PATH}{unsubscribe_token(message_id)}"
