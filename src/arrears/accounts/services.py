"""Writes for accounts: issuing and revoking API tokens."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from arrears.accounts.models import ApiToken, User


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token; the raw value is returned once and never stored."""
    raw = "arr_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, token_hash=ApiToken.hash_token(raw))
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """Stop a token from working; the row stays so its use remains explainable."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
