"""API authentication: a browser session or a bearer token (``Authorization: Bearer arr_…``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from arrears.accounts.selectors import user_for_token


class BearerToken(HttpBearer):
    """Resolves an API token to its user and makes it ``request.user``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


API_AUTH = [BearerToken(), django_auth]
