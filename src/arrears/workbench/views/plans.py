"""Workbench pages: repayment plans (the quote calculator), settlements and waivers, and the
approvals list.

Thin adapters: each view checks the role's capability (403 without it), finds the case
through ``arrears.cases.scoping`` (outside the scope is 404), reads the approvals list
through ``arrears.workbench.selectors.approvals`` and writes through ``plan_services`` /
``settlement_services``. Amounts are typed in yuan ("1,234.50") and turned into fen by the
forms (``arrears.workbench.forms``); every refusal is shown next to its field, never as a
500.
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

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.cases.choices import PlanStatus, SettlementStatus
from arrears.cases.models import CollectionCase, RepaymentPlan, Settlement
from arrears.cases.plan_quote import QuoteError, QuoteLine, plan_quote
from arrears.cases.plan_services import plan_decide, plan_request
from arrears.cases.scoping import cases_visible_to
from arrears.cases.settlement_services import (
    settlement_decide,
    settlement_request,
    waivable,
)
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.money import format_yuan_grouped
from arrears.portfolio.selectors import loan_state
from arrears.workbench.forms import PlanForm, SettlementForm
from arrears.workbench.selectors.approvals import approvals_for


def _today() -> date:
    """The business date of a person's act: today in the site's time zone."""
    return timezone.localdate()


def _need(request: HttpRequest, capability: str) -> User:
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, capability):
        raise PermissionDenied(refusal(user.role, capability))
    return user


def _case_or_404(user: User, case_id: int) -> CollectionCase:
    case = cases_visible_to(user).select_related("loan", "creditor").filter(pk=case_id).first()
    if case is None:
        raise Http404(_("case not found"))
    return case


def _quote(form: PlanForm, today: date) -> list[QuoteLine] | None:
    data = form.cleaned_data
    try:
        return plan_quote(
            total=data["total"],
            down_payment=data["down_payment"],
            installments=data["installments"],
            start_on=data["start_on"],
            today=today,
        )
    except QuoteError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return None


@login_required
def plan_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """The quote calculator for a case: quote without saving, or request the plan."""
    user = _need(request, "plan_request")
    case = _case_or_404(user, case_id)
    today = _today()
    overdue = loan_state(case.loan, as_of=today).overdue.total
    lines: list[QuoteLine] | None = None
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            lines = _quote(form, today)
        if lines is not None and "request" in request.POST:
            data = form.cleaned_data
            try:
                plan = plan_request(
                    case=case,
                    by=user,
                    total=data["total"],
                    down_payment=data["down_payment"],
                    installments=data["installments"],
                    start_on=data["start_on"],
                    on=today,
                    reason=data["reason"],
                    tolerance_days=data["tolerance_days"],
                )
            except InvalidInput as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                if plan.status == PlanStatus.ACTIVE:
                    messages.success(request, _("The plan is active; the playbook is paused."))
                else:
                    messages.info(request, _("The plan is waiting for approval."))
                return redirect("workbench:plan-new", case_id=case.pk)
    else:
        form = PlanForm(
            initial={
                "total": format_yuan_grouped(overdue),
                "down_payment": "30%",
                "installments": 6,
                "start_on": today.replace(day=min(today.day, 28)),
                "tolerance_days": 3,
            }
        )
    live = RepaymentPlan.objects.filter(case=case).prefetch_related("lines").first()
    return render(
        request,
        "workbench/plans/new.html",
        {
            "case": case,
            "form": form,
            "overdue": format_yuan_grouped(overdue),
            "lines": [
                {"number": ln.number, "due_on": ln.due_on, "amount": format_yuan_grouped(ln.amount)}
                for ln in lines or []
            ],
            "quote_total": format_yuan_grouped(sum(ln.amount for ln in lines or [])),
            "plan": live,
        },
    )


@login_required
def settlement_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Request a settlement for a case: what the loan owes by component, what to waive."""
    user = _need(request, "settlement_request")
    case = _case_or_404(user, case_id)
    today = _today()
    owed = waivable(case.loan, today)
    form = SettlementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            settlement = settlement_request(
                case=case,
                by=user,
                waive_principal=data["waive_principal"] or 0,
                waive_interest=data["waive_interest"] or 0,
                waive_fees=data["waive_fees"] or 0,
                waive_penalty=data["waive_penalty"] or 0,
                pay_amount=data["pay_amount"] or 0,
                pay_by=data["pay_by"],
                reason=data["reason"],
                on=today,
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            if settlement.status == SettlementStatus.APPROVED:
                messages.success(request, _("The waiver is approved and posted."))
            else:
                messages.info(request, _("The settlement is waiting for approval."))
            return redirect("workbench:settlement-new", case_id=case.pk)
    return render(
        request,
        "workbench/plans/settlement_new.html",
        {
            "case": case,
            "form": form,
            "owed": [
                (_("penalty"), format_yuan_grouped(owed["penalty"])),
                (_("interest"), format_yuan_grouped(owed["interest"])),
                (_("fees"), format_yuan_grouped(owed["fees"])),
                (_("principal"), format_yuan_grouped(owed["principal"])),
            ],
            "settlements": Settlement.objects.filter(case=case).order_by("-id")[:10],
        },
    )


def _decision(request: HttpRequest) -> tuple[bool, str]:
    return request.POST.get("decision") == "approve", request.POST.get("note", "")


@require_POST
@login_required
def plan_decide_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Approve or reject a pending plan of a case in the person's scope."""
    user = _need(request, "plan_decide")
    plan = RepaymentPlan.objects.filter(pk=plan_id, case__in=cases_visible_to(user)).first()
    if plan is None:
        raise Http404(_("plan not found"))
    approve, note = _decision(request)
    try:
        plan_decide(plan=plan, by=user, approve=approve, note=note, on=_today())
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    except InvalidInput as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Plan approved.") if approve else _("Plan rejected."))
    return redirect("workbench:approvals")


@require_POST
@login_required
def settlement_decide_view(request: HttpRequest, settlement_id: int) -> HttpResponse:
    """Approve (and post) or reject a pending settlement of a case in the person's scope."""
    user = _need(request, "settlement_decide")
    settlement = Settlement.objects.filter(
        pk=settlement_id, case__in=cases_visible_to(user)
    ).first()
    if settlement is None:
        raise Http404(_("settlement not found"))
    approve, note = _decision(request)
    try:
        settlement_decide(settlement=settlement, by=user, approve=approve, note=note, on=_today())
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    except InvalidInput as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Waiver approved and posted.") if approve else _("Settlement rejected.")
        )
    return redirect("workbench:approvals")


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """What waits for this person's decision."""
    user = request.user
    assert isinstance(user, User)
    if not (role_can(user.role, "plan_decide") or role_can(user.role, "settlement_decide")):
        raise PermissionDenied(refusal(user.role, "plan_decide"))
    return render(request, "workbench/plans/approvals.html", {"rows": approvals_for(user)})


urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/plans/new/", plan_new, name="plan-new"),
    path("plans/<int:plan_id>/decide/", plan_decide_view, name="plan-decide"),
    path("cases/<int:case_id>/settlements/new/", settlement_new, name="settlement-new"),
    path(
        "settlements/<int:settlement_id>/decide/",
        settlement_decide_view,
        name="settlement-decide",
    ),
    path("approvals/", approvals, name="approvals"),
]
