"""The legal desk's pages: the matters list, starting a matter from a case, the matter page
and its forms (an event, a cost, closing it). Drafting papers, making bundles and the
downloads are in ``views.legal_files``.

Thin adapters: ``legal_view`` opens the pages and ``legal_manage`` changes anything (403
naming the refusal otherwise); reads go through ``workbench.selectors.legal_desk`` (a matter
outside the person's creditors is 404), writes through ``legal.services``, whose refusals
(``InvalidInput``) are shown on the form's field in the person's language, never as a 500.
"""

from __future__ import annotations

from datetime import date
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
from arrears.core.errors import InvalidInput, NotFound
from arrears.legal.choices import DocumentKind, MatterKind, MatterStatus
from arrears.legal.models import Matter
from arrears.legal.services import (
    matter_close,
    matter_cost_record,
    matter_event_record,
    matter_open,
)
from arrears.workbench.legal_forms import (
    CloseForm,
    CostForm,
    DocumentForm,
    EventForm,
    MatterOpenForm,
)
from arrears.workbench.selectors.legal_desk import (
    STATUS_FILTERS,
    case_for_matter,
    event_kinds_of,
    matter_for,
    matter_list,
    matter_page,
)

# The court paper each kind of matter usually starts with: the draft form's first choice.
PAPER_OF: dict[str, str] = {
    MatterKind.LAWYER_LETTER: DocumentKind.LAWYER_LETTER,
    MatterKind.PAYMENT_ORDER: DocumentKind.PAYMENT_ORDER_APPLICATION,
    MatterKind.LAWSUIT: DocumentKind.COMPLAINT,
    MatterKind.PRESERVATION: DocumentKind.PRESERVATION_APPLICATION,
    MatterKind.ENFORCEMENT: DocumentKind.ENFORCEMENT_APPLICATION,
}


def legal_today() -> date:
    """The business date of the legal desk: today in the site's time zone."""
    return timezone.localdate()


def need(request: HttpRequest, capability: str) -> User:
    """The signed-in person, if their role may do ``capability``; 403 saying why if not."""
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, capability):
        raise PermissionDenied(refusal(user.role, capability))
    return user


def matter_or_404(user: User, matter_id: int) -> Matter:
    """The matter in ``user``'s scope, or 404 (the same whether it exists or not)."""
    try:
        return matter_for(user=user, matter_id=matter_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def form_error(form: forms.Form, exc: InvalidInput, renames: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the field it names (or above the form)."""
    name = (renames or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, str(exc))


@login_required
@require_GET
def matters(request: HttpRequest) -> HttpResponse:
    """The matters list: filter by status and kind, each with its next deadline; and the
    playbooks' legal referrals waiting for a matter."""
    user = need(request, "legal_view")
    listing = matter_list(
        user=user,
        today=legal_today(),
        status=request.GET.get("status", "open"),
        kind=request.GET.get("kind", ""),
        page=request.GET.get("page", 1),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "listing": listing,
        "kinds": MatterKind.choices,
        "statuses": [
            (value, label)
            for value, label in zip(STATUS_FILTERS, (_("Open"), _("Closed"), _("All")), strict=True)
        ],
        "query": query.urlencode(),
        "can_manage": role_can(user.role, "legal_manage"),
    }
    return render(request, "workbench/legal/matters.html", context)


def render_matter(
    request: HttpRequest,
    user: User,
    matter: Matter,
    *,
    status: int = 200,
    **forms_given: forms.Form,
) -> HttpResponse:
    """The matter page with its forms: the ones given (with their errors) and fresh ones."""
    page = matter_page(user=user, matter=matter, today=legal_today())
    loans = [covered.loan for covered in page.loans] or [matter.loan]
    context: dict[str, Any] = {
        "page": page,
        "matter": matter,
        "is_open": matter.status == MatterStatus.OPEN,
        "can_manage": role_can(user.role, "legal_manage"),
        "event_form": EventForm(kinds=event_kinds_of(matter)),
        "cost_form": CostForm(),
        "document_form": DocumentForm(loans=loans, initial={"kind": PAPER_OF.get(matter.kind)}),
        "close_form": CloseForm(),
        "components": {
            "principal": _("Principal"),
            "interest": _("Interest"),
            "fees": _("Fees"),
            "penalty": _("Penalty"),
            "costs": _("Legal costs"),
            "credit": _("Credit"),
        },
        **forms_given,
    }
    return render(request, "workbench/legal/matter.html", context, status=status)


@login_required
@require_GET
def matter_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    """The matter page: loans, events, costs, deadlines, the claim today with its court
    fees, documents and evidence bundles."""
    user = need(request, "legal_view")
    return render_matter(request, user, matter_or_404(user, matter_id))


@login_required
def matter_new(request: HttpRequest) -> HttpResponse:
    """Start a matter from a case (``?case=ID``): GET shows the form, POST opens the matter
    and goes to its page."""
    user = need(request, "legal_manage")
    case_id = request.GET.get("case") or request.POST.get("case") or ""
    if not case_id.isdigit():
        raise Http404(_("choose the case to start a matter from"))
    try:
        start = case_for_matter(user=user, case_id=int(case_id))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    status = 200
    if request.method == "POST":
        form = MatterOpenForm(request.POST, others=start.other_loans)
        if form.is_valid():
            data = form.cleaned_data
            chosen = set(data["also"])
            try:
                matter = matter_open(
                    loan=start.case.loan,
                    kind=data["kind"],
                    on=data["on"],
                    court=data["court"],
                    case_number=data["case_number"],
                    also=[loan for loan in start.other_loans if str(loan.pk) in chosen],
                    notes=data["notes"],
                    user=user,
                )
            except InvalidInput as exc:
                form_error(form, exc, {"loans": "also"})
            else:
                messages.success(request, _("The matter is open."))
                return redirect("workbench:legal-matter", matter_id=matter.pk)
        status = 400
    else:
        form = MatterOpenForm(others=start.other_loans)
    return render(
        request,
        "workbench/legal/matter_new.html",
        {"start": start, "case": start.case, "form": form},
        status=status,
    )


@login_required
@require_POST
def event_record(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Record an event of the matter (filed, served, judgment…)."""
    user = need(request, "legal_manage")
    matter = matter_or_404(user, matter_id)
    form = EventForm(request.POST, kinds=event_kinds_of(matter))
    if form.is_valid():
        data = form.cleaned_data
        try:
            matter_event_record(
                matter=matter,
                kind=data["kind"],
                on=data["on"],
                note=data["note"],
                amount=data["amount"] or 0,
                outcome=data["outcome"] or "",
                user=user,
            )
        except InvalidInput as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Event recorded."))
            return redirect("workbench:legal-matter", matter_id=matter.pk)
    return render_matter(request, user, matter, status=400, event_form=form)


@login_required
@require_POST
def cost_record(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Record money spent on the matter."""
    user = need(request, "legal_manage")
    matter = matter_or_404(user, matter_id)
    form = CostForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            matter_cost_record(
                matter=matter,
                kind=data["kind"],
                amount=data["amount"],
                on=data["on"],
                recoverable=data["recoverable"],
                note=data["note"],
                user=user,
            )
        except InvalidInput as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Cost recorded."))
            return redirect("workbench:legal-matter", matter_id=matter.pk)
    return render_matter(request, user, matter, status=400, cost_form=form)


@login_required
@require_POST
def close(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Close the matter with its outcome; its litigation holds are lifted."""
    user = need(request, "legal_manage")
    matter = matter_or_404(user, matter_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            matter_close(
                matter=matter,
                outcome=form.cleaned_data["outcome"],
                on=form.cleaned_data["on"],
                user=user,
            )
        except InvalidInput as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The matter is closed."))
            return redirect("workbench:legal-matter", matter_id=matter.pk)
    return render_matter(request, user, matter, status=400, close_form=form)


urlpatterns: list[URLPattern] = [
    path("legal/", matters, name="legal"),
    path("legal/matters/new/", matter_new, name="legal-matter-new"),
    path("legal/matters/<int:matter_id>/", matter_view, name="legal-matter"),
    path("legal/matters/<int:matter_id>/events/", event_record, name="legal-event"),
    path("legal/matters/<int:matter_id>/costs/", cost_record, name="legal-cost"),
    path("legal/matters/<int:matter_id>/close/", close, name="legal-close"),
]
