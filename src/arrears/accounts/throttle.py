"""The sign-in throttle, on django-axes: the pieces its settings name (``AXES_*`` in
settings.py). Failures are counted in axes' table, so every worker and every server shares
one count; ``/login/`` and ``/admin/login/`` both authenticate through the backend here and
so share it too. The API's bearer tokens are not passwords and do not pass here."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend  # type: ignore[import-untyped]
from django.conf import settings
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def failures_allowed() -> int:
    """Wrong passwords for one username from one address before the pair is locked."""
    return int(settings.AXES_FAILURE_LIMIT)


def lock_minutes() -> int:
    """How long a lock lasts after the failure that set it."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


class SignInThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address before any password is checked; never
    signs anyone in itself (the next backend does).

    Code that authenticates without a request (Django's test client ``login``, a shell) has
    no address to count against and no one to lock out: it goes straight to the next
    backend instead of failing, as axes' own backend would."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The username a failure counts against, as typed and without case: "C1" and "c1"
    share one count, so changing case buys no extra guesses."""
    field = str(getattr(settings, "AXES_USERNAME_FORM_FIELD", "username"))
    value = (credentials or {}).get(field)
    if value is None:
        value = request.POST.get(field, "")
    return str(value or "").strip().casefold()


def address_of(request: HttpRequest) -> str:
    """REMOTE_ADDR, not X-Forwarded-For: a header the client writes would let it pick a
    fresh count for every guess. (Behind a reverse proxy this is the proxy's address; see
    docs/deployment.md.)"""
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_message() -> str:
    """What a locked-out person reads, in their language."""
    return _("Too many failed sign-ins. Wait %(minutes)d minutes and try again.") % {
        "minutes": lock_minutes()
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """HTTP 429 with the sign-in page itself (ours at /login/, Django's at /admin/login/)
    carrying the lock message as the form's only error, so the person sees where they are
    and why; a plain 429 with the message for any other page."""
    status = int(settings.AXES_HTTP_RESPONSE_CODE)
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if isinstance(original_response, TemplateResponse) and isinstance(form, Form):
        form.errors.clear()
        form.add_error(None, lockout_message())
        original_response.content = original_response.rendered_content
        original_response.status_code = status
        return original_response
    return HttpResponse(lockout_message(), status=status, content_type="text/plain")
