"""Workbench pages: repayment plans (the quote calculator), settlements and waivers, and the
approvals list.

Thin adapters: each view checks the role's capability (403 without it), finds the case
through ``arrears.cases.scoping`` (outside the scope is 404) and writes through
``plan_services`` / ``settlement_services``. Amounts are typed in yuan ("1,234.50") and
turned into fen here; every refusal is shown next to its field, never as a 500.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.accounts.models import User
from arrears.accounts.roles import role_can
from arrears.cases.choices import PlanStatus, SettlementStatus
from arrears.cases.models import CollectionCase, RepaymentPlan, Settlement
from arrears.cases.plan_quote import QuoteError, QuoteLine, down_payment_of, plan_quote
from arrears.cases.plan_services import authority_of, plan_decide, plan_request
from arrears.cases.scoping import cases_visible_to
from arrears.cases.settlement_services import (
    settlement_decide,
    settlement_request,
    waivable,
)
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.money import format_yuan_grouped, parse_yuan
from arrears.portfolio.selectors import loan_state
from arrears.workbench.fields import YuanField


def _today() -> date:
    """The business date of a person's act: today in the site's time zone."""
    return timezone.localdate()


def _need(request: HttpRequest, capability: str) -> User:
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, capability):
        raise PermissionDenied(_("your role may not do this"))
    return user


def _case_or_404(user: User, case_id: int) -> CollectionCase:
    case = cases_visible_to(user).select_related("loan", "creditor").filter(pk=case_id).first()
    if case is None:
        raise Http404(_("case not found"))
    return case


class PlanForm(forms.Form):
    """The quote calculator's inputs; "Quote" shows the schedule, "Request plan" saves it."""

    total = YuanField(label=gettext_lazy("Amount to cover (yuan)"))
    down_payment = forms.CharField(
        label=gettext_lazy("Down payment (yuan, or a percentage such as 30%)"),
        required=False,
    )
    installments = forms.IntegerField(
        label=gettext_lazy("Monthly installments"), min_value=1, max_value=60, initial=6
    )
    start_on = forms.DateField(
        label=gettext_lazy("First installment on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tolerance_days = forms.IntegerField(
        label=gettext_lazy("Tolerance (days)"), min_value=0, max_value=30, initial=3
    )
    reason = forms.CharField(
        label=gettext_lazy("Why this plan suits the borrower"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        total, text = data.get("total"), (data.get("down_payment") or "").strip()
        if total is None:
            return data
        try:
            if text.endswith(("%", "％")):
                data["down_payment"] = down_payment_of(total, text[:-1].strip())
            else:
                data["down_payment"] = parse_yuan(text) if text else 0
        except (QuoteError, ValueError):
            self.add_error("down_payment", _("enter an amount in yuan or a percentage such as 30%"))
        return data


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


class SettlementForm(forms.Form):
    """What to waive by component, and what the borrower pays for it and by when."""

    waive_penalty = YuanField(label=gettext_lazy("Waive penalty (yuan)"), required=False)
    waive_interest = YuanField(label=gettext_lazy("Waive interest (yuan)"), required=False)
    waive_fees = YuanField(label=gettext_lazy("Waive fees (yuan)"), required=False)
    waive_principal = YuanField(label=gettext_lazy("Waive principal (yuan)"), required=False)
    pay_amount = YuanField(label=gettext_lazy("Borrower pays (yuan)"), required=False)
    pay_by = forms.DateField(
        label=gettext_lazy("Pay by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


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


@dataclass(frozen=True)
class PendingRow:
    """One line of the approvals list."""

    kind: str
    pk: int
    case: CollectionCase
    what: str
    amount: str
    requested_by: str
    made_on: date
    reason: str


def approvals_for(user: User) -> list[PendingRow]:
    """Pending plans and settlements in ``user``'s scope that their authority covers, oldest
    first; a fixed number of queries whatever the number of rows."""
    limit = authority_of(user.role)
    scope = cases_visible_to(user)
    rows: list[PendingRow] = []
    if role_can(user.role, "plan_decide"):
        plans = RepaymentPlan.objects.filter(
            status=PlanStatus.PENDING,
            case__in=scope,
            total__lte=limit.plan_max_amount,
            installments__lte=limit.plan_max_installments,
        ).select_related("case__loan", "requested_by")
        rows += [
            PendingRow(
                "plan",
                p.pk,
                p.case,
                _("Plan: %(n)s monthly installments") % {"n": p.installments},
                format_yuan_grouped(p.total),
                p.requested_by.get_username(),
                p.made_on,
                p.reason,
            )
            for p in plans
        ]
    if role_can(user.role, "settlement_decide"):
        settlements = (
            Settlement.objects.filter(status=SettlementStatus.PENDING, case__in=scope)
            .alias(
                waived=F("waive_principal")
                + F("waive_interest")
                + F("waive_fees")
                + F("waive_penalty")
            )
            .filter(
                waived__lte=limit.waiver_max_total, waive_principal__lte=limit.waiver_max_principal
            )
            .exclude(
                # Any component beyond the role's reach (e.g. interest for a collector).
                reduce(
                    operator.or_,
                    [
                        Q(**{f"waive_{name}__gt": 0})
                        for name in ("principal", "interest", "fees", "penalty")
                        if name not in limit.waivable_components()
                    ],
                    Q(pk__in=[]),
                )
            )
            .select_related("case__loan", "requested_by")
        )
        rows += [
            PendingRow(
                "settlement",
                s.pk,
                s.case,
                _("Waiver: penalty %(pe)s, interest %(i)s, fees %(f)s, principal %(pr)s")
                % {
                    "pe": format_yuan_grouped(s.waive_penalty),
                    "i": format_yuan_grouped(s.waive_interest),
                    "f": format_yuan_grouped(s.waive_fees),
                    "pr": format_yuan_grouped(s.waive_principal),
                },
                format_yuan_grouped(s.total_waived),
                s.requested_by.get_username(),
                s.made_on,
                s.reason,
            )
            for s in settlements
        ]
    return sorted(rows, key=lambda row: (row.made_on, row.kind, row.pk))


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """What waits for this person's decision."""
    user = request.user
    assert isinstance(user, User)
    if not (role_can(user.role, "plan_decide") or role_can(user.role, "settlement_decide")):
        raise PermissionDenied(_("your role may not do this"))
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
