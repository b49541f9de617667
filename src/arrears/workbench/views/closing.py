"""Pages of closing a debt (issue 20): proposing a write-off from the case page and deciding
it from the approvals list, closing a case as deceased or legally ended, and the weekly
stop-loss list. The blacklist pages are ``views.closing_blacklist``.

Thin adapters: each checks its capability (403 naming the refusal), reads the case through
the person's scope (404 outside it) and lets ``cases.writeoff_services``,
``cases.closing_services`` and ``insights.stop_loss_services`` do the work; their refusals
are shown on the form or as a message, never as a 500.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.closing_services import case_close_by_person
from arrears.cases.models import CollectionCase, WriteOffProposal
from arrears.cases.scoping import cases_visible_to
from arrears.cases.writeoff_services import EvidenceFile, writeoff_decide, writeoff_propose
from arrears.core.errors import Forbidden, InvalidInput, NotFound
from arrears.insights.stop_loss import stop_loss_cases, week_of
from arrears.insights.stop_loss_services import stop_loss_keep
from arrears.insights.writeoff_recoveries import writeoff_recoveries
from arrears.workbench.closing_forms import CloseForm, KeepForm, WriteOffForm
from arrears.workbench.selectors.case_page import case_get_for
from arrears.workbench.views import closing_blacklist


def _today() -> date:
    """The business date of a person's act: today in the site's time zone."""
    return timezone.localdate()


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


@login_required
def writeoff_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """GET: the write-off proposal form; POST: propose it and go back to the case."""
    user = _need(request, "writeoff_propose")
    case = _case(user, case_id)
    status = 200
    if request.method == "POST":
        form = WriteOffForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                writeoff_propose(
                    case=case,
                    by=user,
                    reason=data["reason"],
                    evidence=data["evidence"],
                    files=[EvidenceFile(f.name or "", f.read()) for f in data["evidence_files"]],
                    on=_today(),
                )
            except InvalidInput as exc:
                field = {"reason": "reason", "files": "evidence_files"}.get(exc.field or "")
                form.add_error(field, str(exc))
            else:
                messages.success(request, _("Write-off proposed: it waits for approval."))
                return redirect("workbench:case", case_id=case.pk)
        status = 400
    else:
        form = WriteOffForm()
    return render(
        request, "workbench/closing/writeoff_new.html", {"case": case, "form": form}, status=status
    )


@require_POST
@login_required
def writeoff_decide_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """Approve (post to the ledger, close the case) or reject a pending write-off of a case
    in the person's scope; a refusal (own proposal, beyond the limit) is shown as a message."""
    user = _need(request, "writeoff_decide")
    proposal = WriteOffProposal.objects.filter(
        pk=proposal_id, case__in=cases_visible_to(user)
    ).first()
    if proposal is None:
        raise Http404(_("write-off not found"))
    approve = request.POST.get("decision") == "approve"
    try:
        writeoff_decide(
            proposal=proposal,
            by=user,
            approve=approve,
            note=request.POST.get("note", ""),
            on=_today(),
        )
    except (Forbidden, InvalidInput) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Write-off approved and posted.") if approve else _("Write-off rejected."),
        )
    return redirect("workbench:approvals")


@require_POST
@login_required
def case_close_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Close the case as deceased or legally ended (the service checks who may)."""
    user = request.user
    assert isinstance(user, User)
    if not (role_can(user.role, "case_close_deceased") or role_can(user.role, "case_close_legal")):
        raise PermissionDenied(refusal(user.role, "case_close_legal"))
    case = _case(user, case_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("workbench:case", case_id=case.pk)
    try:
        case_close_by_person(
            case=case,
            by=user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            on=_today(),
        )
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    except InvalidInput as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The case is closed."))
    return redirect("workbench:case", case_id=case.pk)


def _creditors_of(user: User) -> list[int] | None:
    """The creditors whose write-off recoveries ``user`` may see (None: all)."""
    if user.role == Role.ADMIN or user.is_superuser:
        return None
    if user.role == Role.TEAM_LEAD:
        return [user.team.creditor_id] if user.team is not None else []
    return list(user.creditors.values_list("pk", flat=True))


def _week(request: HttpRequest) -> date:
    text = request.GET.get("week") or request.POST.get("week") or ""
    try:
        return week_of(date.fromisoformat(text)) if text else week_of(_today())
    except ValueError:
        return week_of(_today())


@login_required
def stop_loss(request: HttpRequest) -> HttpResponse:
    """GET: the week's stop-loss list in the person's scope and the month's post-write-off
    recoveries; POST: keep one case, with why."""
    user = _need(request, "stop_loss_view")
    week = _week(request)
    scope = cases_visible_to(user)
    status = 200
    form = KeepForm()
    if request.method == "POST":
        form = KeepForm(request.POST)
        case = scope.filter(pk=request.POST.get("case") or 0).first()
        if case is None:
            raise Http404(_("case not found"))
        if form.is_valid():
            try:
                stop_loss_keep(case=case, by=user, week=week, reason=form.cleaned_data["reason"])
            except InvalidInput as error:
                form.add_error("reason", str(error))
            else:
                messages.success(request, _("Kept: the reason is recorded for the week."))
                return redirect(f"{request.path}?week={week.isoformat()}")
        status = 400
    rows = stop_loss_cases(week=week, cases=scope)
    recoveries = writeoff_recoveries(week, creditor_ids=_creditors_of(user))
    context = {"rows": rows, "week": week, "form": form, "recoveries": recoveries}
    return render(request, "workbench/closing/stop_loss.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/write-off/", writeoff_new, name="closing-writeoff-propose"),
    path(
        "write-offs/<int:proposal_id>/decide/",
        writeoff_decide_view,
        name="closing-writeoff-decide",
    ),
    path("cases/<int:case_id>/close/", case_close_view, name="closing-case-close"),
    path("stop-loss/", stop_loss, name="closing-stop-loss"),
    *closing_blacklist.urlpatterns,
]
