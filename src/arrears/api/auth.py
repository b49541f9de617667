"""API authentication: a browser session or a bearer token (``Authorization: Bearer arr_…``).

Most endpoints take either (``API_AUTH``). An endpoint that needs a token scope (posting
payments: ``payments:write``) takes only a bearer token carrying it (``scoped_auth``): a
token without the scope, or a signed-in session, is refused with a 403 naming the scope
before the body is read; no credentials at all stays a 401.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, django_auth

from arrears.accounts.selectors import user_for_token
from arrears.core.errors import Forbidden


def _scope_refusal(scope: str) -> Forbidden:
    return Forbidden(
        _(
            "this needs an API token with the scope %(scope)s"
            " (arrears token create USER --scope %(scope)s)"
        )
        % {"scope": scope}
    )


class BearerToken(HttpBearer):
    """Resolves an API token to its user and makes it ``request.user``; the user carries
    the token's scopes (``user.api_scopes``). With ``scope``, a token without it is refused."""

    def __init__(self, scope: str | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        if self.scope is not None and self.scope not in user.api_scopes:
            raise _scope_refusal(self.scope)
        request.user = user
        return user


class SessionRefused:
    """For scoped endpoints: a signed-in browser session is refused (403) rather than
    asked to sign in, since sessions never carry token scopes. Not a security scheme, so
    the OpenAPI schema offers only the bearer token for such endpoints."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            raise _scope_refusal(self.scope)
        return None


def scoped_auth(scope: str) -> list[Any]:
    """The authentication of an endpoint that needs a token with ``scope``."""
    return [BearerToken(scope=scope), SessionRefused(scope)]


API_AUTH = [BearerToken(), django_auth]
