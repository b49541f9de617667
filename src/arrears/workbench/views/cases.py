"""Workbench pages: the collector's queue, "next case", the case page and its forms
(recording a contact, taking a promise, placing a hold) and audited reveals.

Thin adapters: each view checks the role's capability (403 without it), reads through
``arrears.workbench.selectors.queue`` and ``.case_page`` (a case outside the scope is 404),
takes input through ``arrears.workbench.forms`` and writes through ``arrears.cases.services``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.choices import ContactOutcome, DelinquencyReason, PartyReached
from arrears.cases.models import CollectionCase
from arrears.cases.reveal_services import contact_point_reveal, id_number_reveal
from arrears.cases.services import (
    PAGE_HOLD_KINDS,
    activity_record,
    case_hold_place,
    promise_create,
)
from arrears.compliance.choices import Channel, HoldKind
from arrears.compliance.reasons import reason_messages
from arrears.core.errors import InvalidInput, NotFound
from arrears.portfolio.models import ContactPoint, Party
from arrears.workbench.forms import ContactForm, HoldForm, PromiseForm
from arrears.workbench.selectors.case_page import case_get_for, case_page
from arrears.workbench.selectors.queue import queue_for, queue_next

BUCKETS = ("M1", "M2", "M3", "M4", "M5", "M6", "M7")


def business_today() -> date:
    """The business date the workbench works on: today in the site's time zone."""
    return timezone.localdate()


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _need(request: HttpRequest, capability: str) -> User:
    user = _user(request)
    if not role_can(user.role, capability):
        raise PermissionDenied(refusal(user.role, capability))
    return user


def _case_or_404(user: User, case_id: int) -> CollectionCase:
    try:
        return case_get_for(user=user, case_id=case_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _form_error(form: forms.Form, exc: InvalidInput) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _party(case: CollectionCase, party_id: int | None) -> Party | None:
    if party_id is None:
        return None
    return Party.objects.filter(pk=party_id, creditor_id=case.creditor_id).first()


# --- Pages ------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """My queue: today's open cases in priority order, with filters, search and pages."""
    user = _need(request, "queue")
    search = request.GET.get("q", "").strip()
    filters = {
        key: request.GET.get(key, "")
        for key in ("bucket", "product", "has_promise", "tier", "page")
    }
    error: InvalidInput | None = None
    try:
        page = queue_for(user=user, on=business_today(), search=search, filters=filters)
    except InvalidInput as exc:
        error = exc
        page = queue_for(user=user, on=business_today(), search=search, filters={})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/queue.html",
        {
            "page": page,
            "search": search,
            "filters": filters,
            "error": error,
            "query": query.urlencode(),
            "on": business_today(),
            "buckets": BUCKETS,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def queue_next_case(request: HttpRequest) -> HttpResponse:
    """ "Next case": the first case of my queue."""
    user = _need(request, "queue")
    case_id = queue_next(user=user, on=business_today())
    if case_id is None:
        messages.info(request, _("Your queue is empty."))
        return redirect("workbench:queue")
    return redirect("workbench:case", case_id=case_id)


def _render_case(
    request: HttpRequest,
    user: User,
    case_id: int,
    *,
    contact_form: ContactForm | None = None,
    promise_form: PromiseForm | None = None,
    hold_form: HoldForm | None = None,
    blocked: dict[str, Any] | None = None,
    revealed: tuple[str, int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    try:
        page = case_page(user=user, case_id=case_id, on=business_today(), now=now)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    shown = revealed or ("", 0, "")
    borrower = next((p for p in page.parties if p.role == "borrower"), None)
    initial_party = borrower.id if borrower else (page.parties[0].id if page.parties else None)
    context = {
        "page": page,
        "case": page.case,
        "contact_form": contact_form
        or ContactForm(
            initial={"channel": Channel.CALL, "party": initial_party, "party_reached": "borrower"}
        ),
        "promise_form": promise_form or PromiseForm(initial={"party": initial_party}),
        "hold_form": hold_form or HoldForm(),
        "blocked": blocked,
        "revealed_points": {shown[1]: shown[2]} if shown[0] == "phone" else {},
        "revealed_ids": {shown[1]: shown[2]} if shown[0] == "id_number" else {},
        "can": {
            name: role_can(user.role, name)
            for name in (
                "contact_record",
                "promise_create",
                "hold_place",
                "reveal_phone",
                "reveal_id_number",
                "plan_request",
                "settlement_request",
            )
        },
        "channels": Channel.choices,
        "outcomes": ContactOutcome.choices,
        "reached": PartyReached.choices,
        "reasons": DelinquencyReason.choices,
        "hold_kinds": [(kind.value, kind.label) for kind in PAGE_HOLD_KINDS],
    }
    return render(request, "workbench/case.html", context, status=status)


@login_required
@require_GET
def case_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page: parties, amounts, strategy, holds, schedule, timeline, forms."""
    user = _need(request, "case_view")
    return _render_case(request, user, case_id)


@login_required
@require_POST
def contact_record(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record a contact; the compliance gate runs first and a refusal shows why."""
    user = _need(request, "contact_record")
    case = _case_or_404(user, case_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _render_case(request, user, case_id, contact_form=form, status=400)
    data = form.cleaned_data
    party = _party(case, data["party"])
    point = (
        ContactPoint.objects.filter(pk=data["contact_point"]).first()
        if data.get("contact_point")
        else None
    )
    if party is None:
        form.add_error("party", _("choose a party of this case"))
        return _render_case(request, user, case_id, contact_form=form, status=400)
    if data.get("contact_point") and point is None:
        form.add_error("contact_point", _("choose a number of this party"))
        return _render_case(request, user, case_id, contact_form=form, status=400)
    follow_up: datetime | None = data.get("next_follow_up_at")
    if follow_up is not None and timezone.is_naive(follow_up):
        follow_up = timezone.make_aware(follow_up)
    try:
        result = activity_record(
            case=case,
            party=party,
            channel=data["channel"],
            party_reached=data["party_reached"],
            outcome=data["outcome"],
            by=user,
            at=timezone.now(),
            on=business_today(),
            contact_point=point,
            reason=data.get("reason") or "",
            notes=data.get("notes") or "",
            next_follow_up_at=follow_up,
            promise_amount=data.get("promise_amount"),
            promise_due_on=data.get("promise_due_on"),
            staff=data.get("staff") or 1,
        )
    except InvalidInput as exc:
        _form_error(form, exc)
        return _render_case(request, user, case_id, contact_form=form, status=400)
    if not result.allowed:
        blocked = {
            "reasons": reason_messages(result.refusals),
            "next_allowed_at": (
                timezone.localtime(result.next_allowed_at) if result.next_allowed_at else None
            ),
        }
        return _render_case(request, user, case_id, contact_form=form, blocked=blocked)
    messages.success(request, _("Contact recorded."))
    if result.promise is not None:
        messages.success(request, _("Promise to pay recorded."))
    if result.hold is not None:
        messages.warning(
            request, _("Contact is on hold: %(kind)s.") % {"kind": result.hold.get_kind_display()}
        )
    return redirect("workbench:case", case_id=case_id)


@login_required
@require_POST
def promise_create_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take a promise to pay on its own."""
    user = _need(request, "promise_create")
    case = _case_or_404(user, case_id)
    form = PromiseForm(request.POST)
    if form.is_valid():
        party = _party(case, form.cleaned_data["party"])
        if party is None:
            form.add_error("party", _("choose a party of this case"))
        else:
            try:
                promise_create(
                    case=case,
                    party=party,
                    amount=form.cleaned_data["amount"],
                    due_on=form.cleaned_data["due_on"],
                    by=user,
                    on=business_today(),
                    tolerance_days=form.cleaned_data["tolerance_days"],
                )
            except InvalidInput as exc:
                exc.field = {"promise_amount": "amount", "promise_due_on": "due_on"}.get(
                    exc.field or "", exc.field
                )
                _form_error(form, exc)
            else:
                messages.success(request, _("Promise to pay recorded."))
                return redirect("workbench:case", case_id=case_id)
    return _render_case(request, user, case_id, promise_form=form, status=400)


@login_required
@require_POST
def hold_place_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Place a dispute, complaint, hardship or deceased hold from the case page."""
    user = _need(request, "hold_place")
    case = _case_or_404(user, case_id)
    form = HoldForm(request.POST)
    if form.is_valid():
        party = _party(case, form.cleaned_data.get("party"))
        if form.cleaned_data.get("party") and party is None:
            form.add_error("party", _("choose a party of this case"))
        else:
            try:
                hold = case_hold_place(
                    case=case,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    by=user,
                    party=party,
                )
            except InvalidInput as exc:
                _form_error(form, exc)
            else:
                messages.warning(
                    request,
                    _("Hold placed: %(kind)s. Contact is stopped until it is lifted.")
                    % {"kind": HoldKind(hold.kind).label},
                )
                return redirect("workbench:case", case_id=case_id)
    return _render_case(request, user, case_id, hold_form=form, status=400)


@login_required
@require_POST
def reveal(request: HttpRequest, case_id: int) -> HttpResponse:
    """Show one full phone number, email or ID number (audited). ``kind`` is ``phone``
    (with ``contact_point``) or ``id_number`` (with ``party``). An HTMX request gets the
    value as a small fragment; a plain form post gets the case page with it shown."""
    user = _need(request, "case_view")
    if not (role_can(user.role, "reveal_phone") or role_can(user.role, "reveal_id_number")):
        raise PermissionDenied(refusal(user.role, "reveal_phone"))
    case = _case_or_404(user, case_id)
    kind = request.POST.get("kind", "")
    target = request.POST.get("contact_point" if kind == "phone" else "party", "")
    if kind not in ("phone", "id_number") or not target.isdigit():
        return HttpResponse(_("Say what to reveal."), status=400, content_type="text/plain")
    try:
        if kind == "phone":
            value = contact_point_reveal(user=user, contact_point_id=int(target), case=case)
        else:
            value = id_number_reveal(user=user, party_id=int(target), case=case)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if request.headers.get("HX-Request"):
        return render(request, "workbench/_revealed.html", {"value": value, "kind": kind})
    return _render_case(request, user, case_id, revealed=(kind, int(target), value))


urlpatterns: list[URLPattern] = [
    path("queue/", queue, name="queue"),
    path("queue/next/", queue_next_case, name="queue-next"),
    path("cases/<int:case_id>/", case_view, name="case"),
    path("cases/<int:case_id>/contacts/", contact_record, name="contact-record"),
    path("cases/<int:case_id>/promises/", promise_create_view, name="promise-create"),
    path("cases/<int:case_id>/holds/", hold_place_view, name="hold-place"),
    path("cases/<int:case_id>/reveal/", reveal, name="reveal"),
]
