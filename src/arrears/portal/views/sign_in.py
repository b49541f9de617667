"""Signing in: the link, the ID step, the code step, a new code, signing out.

Thin adapters over ``portal.services``; each answer is a page in the borrower's language.
The token leaves the address bar at once (a redirect to ``/p/verify/``), and signing in
takes a new session key and a new CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arrears.portal.forms import CodeForm, IdForm
from arrears.portal.models import PortalLink
from arrears.portal.services import StepResult, code_check, code_issue, id_check, link_open
from arrears.portal.services import sign_out as sign_out_record
from arrears.portal.sessions import (
    SIGNED_IN,
    STAGE_CODE,
    STAGE_ID,
    PortalSession,
    session_load,
    session_save,
    session_start,
)
from arrears.portal.views.common import client_address, notice, page, portal_view

# Refusals that end the sign-in on the notice page, not with a line beside the form.
_STOPS = ("locked", "used", "expired", "throttled", "not_available")


def _tries_left(count: int, *, code: bool) -> str:
    if code:
        text = ngettext(
            "That code is not right. %(n)d try left.",
            "That code is not right. %(n)d tries left.",
            count,
        )
    else:
        text = ngettext(
            "That is not right. %(n)d try left.", "That is not right. %(n)d tries left.", count
        )
    return text % {"n": count}


def _issue_words(result: StepResult) -> str:
    if result.ok:
        if result.to_masked:
            return _(
                "A six-digit code was sent by SMS to %(phone)s. It is valid for 5 minutes."
            ) % {"phone": result.to_masked}
        return _("A six-digit code was sent by SMS to your phone. It is valid for 5 minutes.")
    return {
        "wait": _("A code was sent less than a minute ago. Wait a moment before asking again."),
        "too_many": _("No more codes can be sent for this link. Contact your lender."),
        "no_phone": _("There is no mobile number on file to send a code to. Contact your lender."),
        "not_sent": _("The code could not be sent just now. Try again in a minute."),
    }.get(result.reason, _("The code could not be sent just now. Try again in a minute."))


@never_cache
@require_GET
def link(request: HttpRequest, token: str) -> HttpResponse:
    """Open a link: a new portal session at its first step, then the token-free page."""
    result = link_open(token=token)
    if not result.ok or result.link is None:
        return notice(request, result.reason)
    old, _idle = session_load(request)
    if old is not None:
        old.end()
    session = session_start(result.link.pk)
    response = redirect("portal:verify")
    session_save(session, response)
    return response


def _stopped(request: HttpRequest, session: PortalSession, result: StepResult) -> HttpResponse:
    if result.reason in ("locked", "used", "expired"):
        session.end()
    return notice(request, result.reason)


@require_http_methods(["GET", "POST"])
@portal_view(signed_in=False)
def verify(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """The ID step, then the code step, on one address."""
    if session.signed_in:
        return redirect("portal:home")
    id_form, code_form = IdForm(), CodeForm()
    status = 200
    if request.method == "POST" and session.stage == STAGE_ID:
        id_form = IdForm(request.POST)
        if id_form.is_valid():
            result = id_check(
                link_id=link.pk,
                last4=id_form.cleaned_data["last4"],
                address=client_address(request),
            )
            if result.ok:
                session.advance(STAGE_CODE)
                session.flash(
                    _issue_words(code_issue(link_id=link.pk, address=client_address(request)))
                )
                return redirect("portal:verify")
            if result.reason in _STOPS:
                return _stopped(request, session, result)
            id_form.add_error("last4", _tries_left(result.tries_left, code=False))
        status = 400
    elif request.method == "POST" and session.stage == STAGE_CODE:
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            result = code_check(
                link_id=link.pk,
                code=code_form.cleaned_data["code"],
                address=client_address(request),
            )
            if result.ok:
                session.flashed()  # the code step's line is done with
                session.advance(SIGNED_IN)
                rotate_token(request)
                return redirect("portal:home")
            if result.reason in _STOPS:
                return _stopped(request, session, result)
            code_form.add_error(
                "code",
                {
                    "wrong": _tries_left(result.tries_left, code=True),
                    "code_expired": _("That code has expired. Ask for a new one."),
                    "no_code": _("Ask for a code first."),
                }.get(result.reason, _("That code is not right.")),
            )
        status = 400
    return page(
        request,
        session,
        "portal/verify.html",
        {
            "stage": session.stage,
            "id_form": id_form,
            "code_form": code_form,
            "creditor": link.loan.creditor.name,
            "is_id": session.stage == STAGE_ID,
        },
        status=status,
    )


@require_POST
@portal_view(signed_in=False)
def resend(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """A new code, at the code step."""
    if session.stage != STAGE_CODE:
        return redirect("portal:home" if session.stage == SIGNED_IN else "portal:verify")
    result = code_issue(link_id=link.pk, address=client_address(request))
    if result.reason in _STOPS:
        return _stopped(request, session, result)
    session.flash(_issue_words(result))
    return redirect("portal:verify")


@require_POST
@portal_view(signed_in=False)
def sign_out(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """End the portal session (a staff session in the same browser is left alone)."""
    if session.signed_in:
        sign_out_record(link_id=link.pk)
    session.end()
    return notice(request, "signed_out")
