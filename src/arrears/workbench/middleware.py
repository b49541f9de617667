"""The workbench's middleware: the page language; the Content-Security-Policy; no-store on
responses with personal data; the idle and absolute limits of a session.

The page language: Chinese unless the person chose English with the switch.

Django's own LocaleMiddleware also follows the browser's Accept-Language, so a collector
whose computer happens to run an English browser would get English pages; Arrears is
Chinese by default (DESIGN.md rule 11), and only the switch (its cookie) changes that.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers

API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware that reads only the language cookie, then ``LANGUAGE_CODE``."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (the policy is ``CONTENT_SECURITY_POLICY``) with one allowance
    for the admin: Django's change lists carry an inline ``<style>``. Scripts stay
    same-origin everywhere."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.replace = {**(parts.replace or {}), "style-src": [SELF, UNSAFE_INLINE]}
        return parts


def _personal(request: HttpRequest) -> bool:
    if request.path_info.startswith(_static_prefix()):
        return False
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return signed_in or request.path_info.startswith((API_PREFIX, ADMIN_PREFIX))


def _static_prefix() -> str:
    return "/" + str(settings.STATIC_URL or "static/").lstrip("/")


class PersonalDataNoStoreMiddleware:
    """``Cache-Control: no-store`` (Django's never-cache headers) on every response that may
    carry personal data: anything answered to a signed-in person, and all of /api/ and
    /admin/ (static files excepted). A browser's cache or a proxy must not keep a debtor's
    page after the collector signs out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _personal(request):
            add_never_cache_headers(response)
        return response


# Session keys: when the person signed in, and when a request of theirs was last seen
# (seconds since the epoch).
SIGNED_IN_AT = "arrears_signed_in_at"
LAST_SEEN_AT = "arrears_last_seen_at"
# The stored "last seen" (and so the session's expiry) is renewed at most this often: one
# session write a minute instead of one per request.
SEEN_RESOLUTION_SECONDS = 60


def session_limits_start(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """``user_logged_in`` receiver: the absolute lifetime and the idle clock start at the
    sign-in itself, so the first page after it does not write the session again."""
    session = getattr(request, "session", None)
    if session is not None:
        now = time.time()
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN_AT] = now


class SessionLimitsMiddleware:
    """Ends a signed-in session after ``ARREARS_SESSION_IDLE_SECONDS`` without a request and,
    however busy, ``ARREARS_SESSION_MAX_SECONDS`` after signing in. The request then goes on
    as anonymous: a page sends the person to the login page, the API answers 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            self._judge(request)
        response = self.get_response(request)
        # Signed in by this very request: the absolute lifetime starts now. (A request with
        # an API token has a user but no signed-in session, and gets none.)
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and SIGNED_IN_AT not in session:
            now = time.time()
            request.session[SIGNED_IN_AT] = now
            request.session[LAST_SEEN_AT] = now
        return response

    def _judge(self, request: HttpRequest) -> None:
        session = request.session
        now = time.time()
        idle = int(getattr(settings, "ARREARS_SESSION_IDLE_SECONDS", 30 * 60))
        lifetime = int(getattr(settings, "ARREARS_SESSION_MAX_SECONDS", 12 * 3600))
        signed_in_at = session.get(SIGNED_IN_AT)
        seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None:
            # A session from before these limits (or a test's force_login): counts from now.
            session[SIGNED_IN_AT] = signed_in_at = now
        too_old = now - float(signed_in_at) > lifetime
        too_idle = seen_at is not None and now - float(seen_at) > idle
        if too_old or too_idle:
            logout(request)
            return
        if seen_at is None or now - float(seen_at) >= SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN_AT] = now
