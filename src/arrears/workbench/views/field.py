"""Pages of field work (issue 20): recording a visit by two or more staff with its
evidence, the printable visit report, the visit route ordered by district, skip tracing on
a case (new phones, addresses, employers and contact persons; verifying or invalidating a
point, with each point's history) and the skip-trace queue of unreachable cases.

Thin adapters: each page checks its capability (403 naming the refusal), the case's scope
(404 otherwise), and calls ``arrears.field`` services; their refusals (``InvalidInput``)
are shown on the form's field, a compliance refusal as the gate's reasons, never a 500.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.models import CollectionCase
from arrears.compliance.reasons import reason_messages
from arrears.core.audit import audit_record
from arrears.core.errors import InvalidInput, NotFound
from arrears.field.contact_services import (
    contact_person_add,
    contact_point_add,
    contact_point_judge,
    employer_record,
)
from arrears.field.visit_services import UploadedFile, same_organisation, visit_record
from arrears.portfolio.choices import ContactKind, ContactStatus, PartyRole
from arrears.portfolio.models import ContactPoint, LoanParty
from arrears.workbench.field_forms import (
    ContactPersonForm,
    ContactPointForm,
    EmployerForm,
    JudgeForm,
    VisitForm,
)
from arrears.workbench.selectors.case_page import case_get_for
from arrears.workbench.selectors.case_parties import mask_point
from arrears.workbench.selectors.field import (
    contact_histories,
    employer_histories,
    evidence_for,
    skip_trace_queue,
    visit_for,
    visit_route,
)


def _need(request: HttpRequest, capability: str) -> User:
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, capability):
        raise PermissionDenied(refusal(user.role, capability))
    return user


def _case(user: User, case_id: int) -> CollectionCase:
    try:
        return case_get_for(user=user, case_id=case_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _today() -> Any:
    return timezone.localdate()


def _form_error(form: Any, exc: InvalidInput) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


# --- Visits -------------------------------------------------------------------------------


def _visit_form(request: HttpRequest, user: User, case: CollectionCase) -> VisitForm:
    links = list(
        LoanParty.objects.filter(loan_id=case.loan_id)
        .select_related("party")
        .order_by("role", "id")
    )
    roles = dict(PartyRole.choices)
    parties = [
        (link.party_id, f"{link.party.name} · {roles.get(link.role, link.role)}") for link in links
    ]
    addresses = [
        (p.pk, f"{p.party.name} · {mask_point(p.kind, p.value, role=user.role)}")
        for p in ContactPoint.objects.filter(
            party_id__in=[link.party_id for link in links], kind=ContactKind.ADDRESS
        )
        .exclude(status=ContactStatus.INVALID)
        .select_related("party")
        .order_by("party_id", "-is_primary", "id")
    ]
    colleagues = list(
        User.objects.filter(is_active=True)
        .filter(same_organisation(user))
        .exclude(pk=user.pk)
        .order_by("username")
    )
    if request.method == "POST":
        return VisitForm(
            request.POST,
            request.FILES,
            parties=parties,
            addresses=addresses,
            colleagues=colleagues,
        )
    # A visit is usually recorded on the way back: an hour ago until now, to be corrected.
    now = timezone.localtime().replace(second=0, microsecond=0)
    return VisitForm(
        parties=parties,
        addresses=addresses,
        colleagues=colleagues,
        initial={"arrived_at": now - timedelta(hours=1), "left_at": now},
    )


@login_required
def visit_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the visit form; POST: record the visit (the gate judges it first)."""
    user = _need(request, "visit_record")
    case = _case(user, case_id)
    form = _visit_form(request, user, case)
    blocked: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = visit_record(
                    case=case,
                    party_id=data["party"],
                    by=user,
                    colleague_ids=data["colleagues"],
                    arrived_at=data["arrived_at"],
                    left_at=data["left_at"],
                    outcome=data["outcome"],
                    on=_today(),
                    address_id=data["address"],
                    new_address=data["new_address"],
                    notes=data["notes"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    files=[UploadedFile(f.name or "", f.read()) for f in data["evidence"]],
                )
            except InvalidInput as exc:
                _form_error(form, exc)
            else:
                if result.allowed and result.visit is not None:
                    messages.success(request, _("Visit recorded."))
                    return redirect("workbench:case", case_id=case.pk)
                blocked = reason_messages(result.refusals)
    return render(
        request,
        "workbench/field/visit_new.html",
        {"case": case, "form": form, "blocked": blocked},
        status=status,
    )


@login_required
@require_GET
def visit_report(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The visit report to print (``@media print``): the visit, its staff, times, outcome,
    notes and evidence with their hashes; the address masked for the reader's role."""
    user = _need(request, "case_view")
    try:
        visit = visit_for(user=user, visit_id=visit_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    case = _case(user, visit.case_id)
    return render(request, "workbench/field/visit_report.html", {"visit": visit, "case": case})


@login_required
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """One evidence file of a visit in scope: photos shown inline, PDFs downloaded; always
    with the type found when it was checked and ``nosniff``. Audited."""
    user = _need(request, "case_view")
    try:
        item = evidence_for(user=user, evidence_id=evidence_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    stored = Path(settings.DATA_DIR) / item.path
    if not stored.is_file():
        raise Http404(_("the file is missing from the records folder"))
    audit_record(
        actor=user,
        action="field.evidence_download",
        subject_type="visit_evidence",
        subject_id=item.pk,
        data={"visit": item.visit_id, "sha256": item.sha256},
    )
    response = FileResponse(
        stored.open("rb"),
        content_type=item.content_type,
        as_attachment=not item.content_type.startswith("image/"),
        filename=item.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def route(request: HttpRequest) -> HttpResponse:
    """The field agent's visits due today, grouped by district for a sensible route."""
    user = _need(request, "visit_record")
    stops = visit_route(user=user, on=_today())
    return render(request, "workbench/field/route.html", {"stops": stops, "on": _today()})


# --- Skip tracing -------------------------------------------------------------------------


def _skip_trace_page(
    request: HttpRequest, user: User, case: CollectionCase, *, status: int = 200, **forms: Any
) -> HttpResponse:
    links = list(
        LoanParty.objects.filter(loan_id=case.loan_id)
        .select_related("party")
        .order_by("role", "id")
    )
    roles = dict(PartyRole.choices)
    context = {
        "case": case,
        "parties": [
            {
                "id": link.party_id,
                "label": f"{link.party.name} · {roles.get(link.role, link.role)}",
                "employer": link.party.employer,
            }
            for link in links
        ],
        "points": contact_histories(case=case, user=user),
        "employers": employer_histories(case=case),
        "point_form": forms.get("point_form") or ContactPointForm(),
        "employer_form": forms.get("employer_form") or EmployerForm(),
        "person_form": forms.get("person_form") or ContactPersonForm(),
        "judge_form": forms.get("judge_form") or JudgeForm(),
    }
    return render(request, "workbench/field/skip_trace.html", context, status=status)


@login_required
@require_GET
def skip_trace(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's contact points with their history, and the skip-trace forms."""
    user = _need(request, "skip_trace")
    return _skip_trace_page(request, user, _case(user, case_id))


@login_required
@require_POST
def point_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a newly found phone, email or address for a party of the case."""
    user = _need(request, "skip_trace")
    case = _case(user, case_id)
    form = ContactPointForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact_point_add(
                case=case,
                party_id=data["party"],
                kind=data["kind"],
                value=data["value"],
                source=data["source"],
                note=data["note"],
                by=user,
                on=_today(),
            )
        except InvalidInput as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Contact point added."))
            return redirect("workbench:field-skip-trace", case_id=case.pk)
    return _skip_trace_page(request, user, case, status=400, point_form=form)


@login_required
@require_POST
def point_judge(request: HttpRequest, case_id: int) -> HttpResponse:
    """Mark a contact point of the case valid or invalid, with the reason."""
    user = _need(request, "skip_trace")
    case = _case(user, case_id)
    form = JudgeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact_point_judge(
                case=case,
                point_id=data["contact_point"],
                valid=data["valid"],
                reason=data["reason"],
                by=user,
                on=_today(),
            )
        except InvalidInput as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Marked valid.")
                if data["valid"]
                else _("Marked invalid: it will not be contacted again."),
            )
            return redirect("workbench:field-skip-trace", case_id=case.pk)
    return _skip_trace_page(request, user, case, status=400, judge_form=form)


@login_required
@require_POST
def employer_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record a party's newly found employer (the earlier one stays in the history)."""
    user = _need(request, "skip_trace")
    case = _case(user, case_id)
    form = EmployerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            employer_record(
                case=case,
                party_id=data["party"],
                employer=data["employer"],
                source=data["source"],
                by=user,
            )
        except InvalidInput as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Employer recorded."))
            return redirect("workbench:field-skip-trace", case_id=case.pk)
    return _skip_trace_page(request, user, case, status=400, employer_form=form)


@login_required
@require_POST
def person_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a newly found contact person with their phone to the case's loan."""
    user = _need(request, "skip_trace")
    case = _case(user, case_id)
    form = ContactPersonForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact_person_add(
                case=case, name=data["name"], phone=data["phone"], source=data["source"], by=user
            )
        except InvalidInput as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Contact person added."))
            return redirect("workbench:field-skip-trace", case_id=case.pk)
    return _skip_trace_page(request, user, case, status=400, person_form=form)


@login_required
@require_GET
def unreachable(request: HttpRequest) -> HttpResponse:
    """The skip-trace queue: open cases whose borrower's every phone and address is invalid."""
    user = _need(request, "skip_trace")
    return render(
        request, "workbench/field/unreachable.html", {"cases": skip_trace_queue(user=user)}
    )


urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/visits/new/", visit_new, name="field-visit-new"),
    path("visits/<int:visit_id>/report/", visit_report, name="field-visit-report"),
    path("visit-evidence/<int:evidence_id>/", evidence_file, name="field-evidence"),
    path("field/route/", route, name="field-route"),
    path("cases/<int:case_id>/skip-trace/", skip_trace, name="field-skip-trace"),
    path("cases/<int:case_id>/skip-trace/points/", point_add, name="field-point-add"),
    path("cases/<int:case_id>/skip-trace/judge/", point_judge, name="field-point-judge"),
    path("cases/<int:case_id>/skip-trace/employer/", employer_add, name="field-employer"),
    path("cases/<int:case_id>/skip-trace/person/", person_add, name="field-person"),
    path("skip-trace/", unreachable, name="field-skip-trace-queue"),
]
