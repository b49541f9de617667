"""Pages of agency placement (委外): placing a case from its page and recalling it, the
placements desk (the playbook's pending placements and the active ones), and an agency's
monthly commission statement with its Excel download.

Thin adapters: the capability is checked first (403 naming the refusal: ``agency_place``
for placing and recalling, ``agency_manage`` for statements), the case must be in the
person's scope (404 otherwise), and ``arrears.agencies.services`` does the work; its
refusals (``InvalidInput``) are shown on the form, never as a 500.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.accounts.selectors import creditor_ids_of
from arrears.agencies.models import AgencyStatement
from arrears.agencies.selectors import Statement, active_placement_of, agency_statement
from arrears.agencies.services import PLACEMENT_TASK, placement_create, placement_recall
from arrears.cases.models import CollectionCase, WorkItem
from arrears.core.errors import InvalidInput, NotFound
from arrears.core.spreadsheet import safe_sheet_value
from arrears.workbench.agencies_forms import PlaceForm, RecallForm, StatementForm
from arrears.workbench.selectors.agencies import active_placements, pending_placement_tasks
from arrears.workbench.selectors.case_page import case_get_for
from arrears.workbench.views.cases import business_today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _task(case: CollectionCase, work_item_id: int | None) -> WorkItem | None:
    if work_item_id is None:
        return None
    return WorkItem.objects.filter(pk=work_item_id, case_id=case.pk, type=PLACEMENT_TASK).first()


@login_required
def place(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the placement form; POST: place the case with the agency chosen (its contract
    in force today) and go back to the case."""
    user = _need(request, "agency_place")
    case = _case(user, case_id)
    status = 200
    if request.method == "POST":
        form = PlaceForm(request.POST)
        if form.is_valid():
            agency = form.cleaned_data["agency"]
            try:
                placement = placement_create(
                    case=case,
                    agency=agency,
                    on=business_today(),
                    by=user,
                    work_item=_task(case, form.cleaned_data.get("work_item")),
                )
            except InvalidInput as exc:
                form.add_error("agency" if exc.field in ("agency", "contract") else None, str(exc))
            else:
                messages.success(
                    request,
                    _("Case placed with %(agency)s until %(ends_on)s.")
                    % {"agency": agency.name, "ends_on": placement.ends_on.isoformat()},
                )
                return redirect("workbench:case", case_id=case.pk)
        status = 400
    else:
        form = PlaceForm(creditor_id=case.creditor_id, on=business_today())
    context = {"case": case, "form": form}
    return render(request, "workbench/agencies/place.html", context, status=status)


@login_required
def recall(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the recall form; POST: take the case back from its agency today."""
    user = _need(request, "agency_place")
    case = _case(user, case_id)
    placement = active_placement_of(case.pk)
    if placement is None:
        raise Http404(_("The case is not placed with an agency."))
    status = 200
    if request.method == "POST":
        form = RecallForm(request.POST)
        if form.is_valid():
            try:
                placement_recall(
                    placement=placement,
                    on=business_today(),
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    by=user,
                )
            except InvalidInput as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Case recalled from %(agency)s.") % {"agency": placement.agency.name},
                )
                return redirect("workbench:case", case_id=case.pk)
        status = 400
    else:
        form = RecallForm()
    context = {"case": case, "form": form, "placement": placement}
    return render(request, "workbench/agencies/recall.html", context, status=status)


@login_required
@require_GET
def placements(request: HttpRequest) -> HttpResponse:
    """The placements desk: the playbook's pending placement tasks, each with a form to
    place the case, and the active placements, ending soonest first."""
    user = _need(request, "agency_place")
    context = {
        "tasks": pending_placement_tasks(user),
        "active": active_placements(user),
        "form": PlaceForm(),
    }
    return render(request, "workbench/agencies/placements.html", context)


def _workbook(statement: Statement) -> bytes:
    """The statement as an XLSX workbook: heading row, one row per placement, totals."""
    # openpyxl is imported on a download only: at module level it cost every process that
    # loads the URLs (each command's system checks, each web worker) 0.05 s.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{statement.agency.code[:20]} {statement.month}"
    headings = [
        _("Case"),
        _("Loan"),
        _("Contract"),
        _("Placed on"),
        _("Until"),
        _("Bucket"),
        _("Rate"),
        _("Recovered (yuan)"),
        _("Commission (yuan)"),
    ]
    for index, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=1, column=index)
        safe_sheet_value(cell, heading)
        cell.font = Font(bold=True)
    row = 1
    for row, line in enumerate(statement.lines, start=2):
        values: list[Any] = [
            line.case_id,
            line.loan_id,
            line.contract,
            line.placed_on.isoformat(),
            line.until.isoformat(),
            line.bucket,
            line.rate,
            line.recovered / 100,
            line.commission / 100,
        ]
        for index, value in enumerate(values, start=1):
            safe_sheet_value(sheet.cell(row=row, column=index), value)
        for index in (8, 9):
            sheet.cell(row=row, column=index).number_format = "#,##0.00"
    total = row + 1
    safe_sheet_value(sheet.cell(row=total, column=1), _("Total"))
    safe_sheet_value(sheet.cell(row=total, column=8), statement.recovered / 100)
    safe_sheet_value(sheet.cell(row=total, column=9), statement.commission / 100)
    for index in (1, 8, 9):
        sheet.cell(row=total, column=index).font = Font(bold=True)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """An agency's commission statement for a month (``?agency=CODE&month=YYYY-MM``), in
    the viewer's creditors (every creditor for an administrator); ``&format=xlsx``
    downloads it."""
    user = _need(request, "agency_manage")
    form = StatementForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "statement": None}
    if not request.GET:
        return render(request, "workbench/agencies/statement.html", context)
    if not form.is_valid():
        return render(request, "workbench/agencies/statement.html", context, status=400)
    sees_all = user.role == Role.ADMIN or user.is_superuser
    found = agency_statement(
        agency=form.cleaned_data["agency"],
        month=form.cleaned_data["month"],
        creditor_ids=None if sees_all else creditor_ids_of(user),
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(_workbook(found), content_type=XLSX)
        name = f"commission-{found.agency.code}-{found.month}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context["statement"] = found
    context["issued"] = AgencyStatement.objects.filter(
        agency=found.agency, month=found.month
    ).first()
    return render(request, "workbench/agencies/statement.html", context)


urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/placement/", place, name="agency-place"),
    path("cases/<int:case_id>/placement/recall/", recall, name="agency-recall"),
    path("agencies/placements/", placements, name="agency-placements"),
    path("agencies/statement/", statement, name="agency-statement"),
]
