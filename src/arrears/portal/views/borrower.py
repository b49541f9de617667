"""The signed-in borrower's pages: what is owed and how to pay, and the requests — a
promise, a plan, a dispute, a hardship pause, no more contact on a channel.

Thin adapters: reads through ``portal.selectors``, writes through ``portal.acts``; an
``InvalidInput`` becomes the form's error, in the borrower's language.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from arrears.compliance.choices import Channel
from arrears.core.errors import InvalidInput
from arrears.core.money import format_yuan
from arrears.portal.acts import (
    case_overdue,
    dispute_raise,
    hardship_pause,
    opt_out,
    plan_choose,
    promise_make,
)
from arrears.portal.forms import OptOutForm, PlanForm, PromiseForm, ReasonForm
from arrears.portal.models import PortalLink
from arrears.portal.selectors import (
    open_case,
    opt_out_channels,
    plan_options,
    portal_page,
    promise_terms,
)
from arrears.portal.sessions import PortalSession
from arrears.portal.views.common import business_today, page, portal_view


def _error(form: forms.Form, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


@require_GET
@portal_view(signed_in=True)
def home(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """What is owed today, the schedule and payments, how to pay, and what can be asked."""
    on = business_today()
    return page(
        request,
        session,
        "portal/home.html",
        {
            "p": portal_page(link=link, on=on),
            "channels": opt_out_channels(link),
        },
    )


def _done(session: PortalSession, message: str) -> HttpResponse:
    session.flash(message)
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
@portal_view(signed_in=True)
def promise(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """Promise to pay an amount by a date, within the portal's policy."""
    on = business_today()
    case = open_case(link)
    if case is None:
        return _done(session, _("There is nothing overdue to arrange on this loan."))
    terms = promise_terms(overdue_total=case_overdue(case, on), on=on)
    form = PromiseForm(initial={"amount": format_yuan(terms.minimum), "due_on": terms.last})
    status = 200
    if request.method == "POST":
        form = PromiseForm(request.POST)
        if form.is_valid():
            try:
                made = promise_make(
                    link=link,
                    case=case,
                    amount=form.cleaned_data["amount"],
                    due_on=form.cleaned_data["due_on"],
                    on=on,
                )
            except InvalidInput as error:
                _error(form, error)
            else:
                return _done(
                    session,
                    _("Thank you. Your promise to pay %(yuan)s yuan by %(day)s is recorded.")
                    % {"yuan": format_yuan(made.amount), "day": made.due_on.isoformat()},
                )
        status = 400
    return page(request, session, "portal/promise.html", {"form": form, "terms": terms}, status)


@require_http_methods(["GET", "POST"])
@portal_view(signed_in=True)
def plan(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """Choose a repayment plan among the offers for what is overdue today."""
    on = business_today()
    case = open_case(link)
    if case is None:
        return _done(session, _("There is nothing overdue to arrange on this loan."))
    options = plan_options(overdue_total=case_overdue(case, on), on=on)
    form = PlanForm()
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                made = plan_choose(link=link, case=case, key=form.cleaned_data["option"], on=on)
            except InvalidInput as error:
                _error(form, error)
            else:
                if made.status == "active":
                    return _done(session, _("Your repayment plan is in place. Thank you."))
                return _done(
                    session,
                    _("Your repayment plan was sent to your lender for approval."),
                )
        status = 400
    return page(request, session, "portal/plan.html", {"form": form, "options": options}, status)


def _reason_page(
    request: HttpRequest,
    session: PortalSession,
    link: PortalLink,
    *,
    act: Any,
    title: str,
    explain: str,
    done: str,
) -> HttpResponse:
    case = open_case(link)
    form = ReasonForm()
    status = 200
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                act(link=link, case=case, reason=form.cleaned_data["reason"])
            except InvalidInput as error:
                _error(form, error)
            else:
                return _done(session, done)
        status = 400
    return page(
        request,
        session,
        "portal/reason.html",
        {"form": form, "title": title, "explain": explain},
        status,
    )


@require_http_methods(["GET", "POST"])
@portal_view(signed_in=True)
def dispute(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """Dispute the debt: collection stops while the lender looks into it."""
    return _reason_page(
        request,
        session,
        link,
        act=dispute_raise,
        title=_("Dispute this debt"),
        explain=_(
            "If you believe you do not owe this amount, tell us why. Collection stops while"
            " your lender looks into it and replies."
        ),
        done=_("Your dispute is recorded. Collection stops while your lender looks into it."),
    )


@require_http_methods(["GET", "POST"])
@portal_view(signed_in=True)
def pause(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """Ask for a hardship pause: contact stops while an arrangement is worked out."""
    return _reason_page(
        request,
        session,
        link,
        act=hardship_pause,
        title=_("Ask for a hardship pause"),
        explain=_(
            "If illness, loss of work or a disaster keeps you from paying, tell us. Reminders"
            " stop and your lender will contact you to agree on an arrangement."
        ),
        done=_("Your request is recorded. Reminders stop while your lender reviews it."),
    )


@require_http_methods(["GET", "POST"])
@portal_view(signed_in=True)
def quiet(request: HttpRequest, session: PortalSession, link: PortalLink) -> HttpResponse:
    """No more contact on a channel, where the creditor's rules allow it."""
    allowed = opt_out_channels(link)
    choices = [(code, str(Channel(code).label)) for code in allowed]
    form = OptOutForm(channels=choices)
    status = 200
    if request.method == "POST":
        form = OptOutForm(request.POST, channels=choices)
        if form.is_valid():
            try:
                opt_out(link=link, case=open_case(link), channel=form.cleaned_data["channel"])
            except InvalidInput as error:
                _error(form, error)
            else:
                label = dict(choices)[form.cleaned_data["channel"]]
                return _done(
                    session,
                    _("You will no longer be contacted by %(channel)s.") % {"channel": label},
                )
        status = 400
    return page(
        request, session, "portal/quiet.html", {"form": form, "channel_choices": choices}, status
    )
