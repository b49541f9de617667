"""What every portal page shares: the portal session around the view, no caching, the
business date, and the notice page that says why the borrower cannot go on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from arrears.accounts.throttle import address_of
from arrears.portal.models import PortalLink
from arrears.portal.services import address_key
from arrears.portal.sessions import (
    COOKIE,
    COOKIE_PATH,
    PortalSession,
    session_load,
    session_save,
)

PortalView = Callable[..., HttpResponse]

# Why a borrower is stopped, with the page's status.
NOTICES: dict[str, int] = {
    "invalid": 404,
    "expired": 410,
    "used": 410,
    "locked": 403,
    "ended": 403,
    "no_session": 403,
    "signed_out": 200,
    "throttled": 429,
    "not_available": 403,
}


def business_today() -> date:
    """The business date the portal shows: today in the site's time zone."""
    return timezone.localdate()


def client_address(request: HttpRequest) -> str:
    """The keyed hash of the client's address, as the sign-in throttle counts it."""
    return address_key(address_of(request))


def notice_text(reason: str) -> str:
    """What the borrower reads when stopped for ``reason``."""
    texts = {
        "invalid": _(
            "This link is not valid. Use the link in the latest message from your lender,"
            " or contact your lender."
        ),
        "expired": _("This link has expired. Use the link in the latest message from your lender."),
        "used": _(
            "This link has already been used to sign in; each link works once. Use the link"
            " in the next message from your lender, or contact your lender."
        ),
        "locked": _(
            "This link is locked after too many wrong attempts. Use the link in the next"
            " message from your lender, or contact your lender."
        ),
        "ended": _(
            "You were signed out after 15 minutes without activity. Use the link in the next"
            " message from your lender to sign in again."
        ),
        "no_session": _("Open the link in the message from your lender to sign in."),
        "signed_out": _("You have signed out. Thank you."),
        "throttled": _("Too many attempts from this connection. Wait 15 minutes and try again."),
        "not_available": _(
            "Self-service is not available for this loan. Please contact your lender."
        ),
    }
    return texts.get(reason, texts["invalid"])


def notice(request: HttpRequest, reason: str) -> HttpResponse:
    """The page that stops the borrower, saying why and what to do."""
    return render(
        request,
        "portal/notice.html",
        {"reason": reason, "text": notice_text(reason)},
        status=NOTICES.get(reason, 400),
    )


def portal_view(*, signed_in: bool) -> Callable[[PortalView], PortalView]:
    """Wrap a portal view: never cached, its portal session loaded and passed in (with its
    link), the idle clock restarted and the cookie written after it. ``signed_in``: only
    for a borrower who passed both steps; otherwise a session at a sign-in step."""

    def wrap(view: PortalView) -> PortalView:
        @never_cache
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            session, idle = session_load(request)
            if session is None:
                response = notice(request, "ended" if idle else "no_session")
                if idle:
                    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Lax")
                return response
            link = (
                PortalLink.objects.select_related("loan", "loan__creditor", "party")
                .filter(pk=session.link_id)
                .first()
            )
            if link is None or link.locked_at is not None:
                session.end()
                response = notice(request, "locked" if link else "no_session")
            elif signed_in and not session.signed_in:
                response = notice(request, "no_session")
            else:
                response = view(request, session, link, *args, **kwargs)
            session_save(session, response)
            return response

        return inner

    return wrap


def page(
    request: HttpRequest,
    session: PortalSession,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """Render a portal page with the session's flashed line and whether signed in."""
    return render(
        request,
        template,
        {"flash": session.flashed(), "signed_in": session.signed_in, **context},
        status=status,
    )
