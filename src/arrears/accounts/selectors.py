"""Reads for accounts: resolving a bearer token to its user; the creditors a person is given."""

from __future__ import annotations

from django.utils import timezone

from arrears.accounts.models import ApiToken, User


def token_for(raw: str) -> ApiToken | None:
    """The live token ``raw`` is, with its active user loaded, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=ApiToken.hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # One UPDATE per request is acceptable: tokens are for scripts, not page views.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def user_for_token(raw: str) -> User | None:
    """The active user a live token belongs to, carrying the token's scopes
    (``user.api_scopes``), or None."""
    token = token_for(raw)
    if token is None:
        return None
    user = token.user
    user.api_scopes = token.scope_set()
    return user


def creditor_ids_of(user: User) -> list[int]:
    """The creditors whose portfolios ``user`` is given (managers, legal officers, auditors)."""
    return list(user.creditors.values_list("pk", flat=True))
