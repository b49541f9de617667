"""Writes of repayment plans (分期还款方案): requesting one from a quote, deciding one that
waited for approval, cancelling one. Each act is one transaction with its audit row.

Within the requester's authority (``AuthorityLimit`` of their role) a plan is active at
once; beyond it, it waits for someone whose limits cover it. An active plan pauses the
case's playbook: the borrower is keeping an arrangement, reminders would only annoy (the
strategy reads the plan's status; this app does not reach into the strategy). The daily
cycle (``cases.batch.plans_judge``) completes or breaks it.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.choices import CaseStatus, PlanStatus
from arrears.cases.models import AuthorityLimit, CollectionCase, PlanInstallment, RepaymentPlan
from arrears.cases.plan_quote import QuoteError, plan_quote
from arrears.cases.services import work_items_cancel_for_case
from arrears.core.audit import audit_record
from arrears.core.errors import Forbidden, InvalidInput

LIVE = (PlanStatus.PENDING, PlanStatus.ACTIVE)


def authority_of(role: str) -> AuthorityLimit:
    """The limits of ``role``; a role without a row may grant nothing."""
    return AuthorityLimit.objects.filter(role=role).first() or AuthorityLimit(role=role)


def plan_within_authority(*, role: str, total: int, installments: int) -> bool:
    """May someone in ``role`` grant a plan of ``total`` fen in ``installments`` on their own?"""
    limit = authority_of(role)
    return total <= limit.plan_max_amount and installments <= limit.plan_max_installments


def _activate(plan: RepaymentPlan) -> None:
    """The plan starts: the case's open tasks are withdrawn at once. The playbook pauses
    because the strategy reads active plans (no new actions are planned for the case, and
    the outbox worker holds back its queued messages), not because this module tells it."""
    plan.status = PlanStatus.ACTIVE
    work_items_cancel_for_case(case_id=plan.case_id)


@transaction.atomic
def plan_request(
    *,
    case: CollectionCase,
    by: User,
    total: int,
    down_payment: int,
    installments: int,
    start_on: date,
    on: date,
    reason: str,
    tolerance_days: int = 3,
    down_on: date | None = None,
) -> RepaymentPlan:
    """Make a plan for ``case`` from a quote: active at once when ``by``'s authority covers
    the amount and the number of installments, else waiting for approval.

    One live (pending or active) plan per case; a closed case takes none.
    """
    if case.status != CaseStatus.OPEN:
        raise InvalidInput("the case is closed", field="case")
    if not reason.strip():
        raise InvalidInput("say why this plan suits the borrower", field="reason")
    if tolerance_days < 0 or tolerance_days > 30:
        raise InvalidInput("the tolerance is 0 to 30 days", field="tolerance_days")
    try:
        lines = plan_quote(
            total=total,
            down_payment=down_payment,
            installments=installments,
            start_on=start_on,
            today=on,
            down_on=down_on,
        )
    except QuoteError as error:
        raise InvalidInput(str(error), field=error.field) from error
    if RepaymentPlan.objects.filter(case=case, status__in=LIVE).exists():
        raise InvalidInput(
            "the case has a plan already: cancel it or wait for its decision", field="case"
        )
    plan = RepaymentPlan(
        case=case,
        loan_id=case.loan_id,
        total=total,
        down_payment=down_payment,
        installments=installments,
        start_on=start_on,
        tolerance_days=tolerance_days,
        status=PlanStatus.PENDING,
        reason=reason.strip(),
        requested_by=by,
        made_on=on,
    )
    within = plan_within_authority(role=by.role, total=total, installments=installments)
    if within:
        plan.decided_by, plan.decided_at = by, timezone.now()
        plan.decision_note = "within the requester's authority"
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as error:  # a second request at the same moment
        raise InvalidInput("the case has a plan already", field="case") from error
    PlanInstallment.objects.bulk_create(
        PlanInstallment(plan=plan, number=line.number, due_on=line.due_on, amount=line.amount)
        for line in lines
    )
    if within:
        _activate(plan)
        plan.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="plan.request",
        subject_type="repayment_plan",
        subject_id=plan.pk,
        data={
            "case": case.pk,
            "loan": case.loan_id,
            "total": total,
            "down_payment": down_payment,
            "installments": installments,
            "start_on": start_on.isoformat(),
            "status": plan.status,
            "on": on.isoformat(),
        },
    )
    return plan


def _locked(plan: RepaymentPlan) -> RepaymentPlan:
    return RepaymentPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)


@transaction.atomic
def plan_decide(
    *, plan: RepaymentPlan, by: User, approve: bool, note: str, on: date
) -> RepaymentPlan:
    """Approve or reject a plan waiting for approval. Only someone whose authority covers
    the plan may decide it; approving makes it active and pauses the playbook."""
    plan = _locked(plan)
    if plan.status != PlanStatus.PENDING:
        raise InvalidInput("the plan is not waiting for a decision", field="plan")
    if not plan_within_authority(role=by.role, total=plan.total, installments=plan.installments):
        raise Forbidden("this plan is beyond your authority")
    if not approve and not note.strip():
        raise InvalidInput("say why the plan is rejected", field="note")
    plan.decided_by, plan.decided_at, plan.decision_note = by, timezone.now(), note.strip()
    if approve:
        _activate(plan)
    else:
        plan.status, plan.ended_on = PlanStatus.REJECTED, on
    plan.save()
    audit_record(
        actor=by,
        action="plan.approve" if approve else "plan.reject",
        subject_type="repayment_plan",
        subject_id=plan.pk,
        data={"case": plan.case_id, "note": plan.decision_note, "on": on.isoformat()},
    )
    return plan


@transaction.atomic
def plan_cancel(*, plan: RepaymentPlan, by: User, reason: str, on: date) -> RepaymentPlan:
    """End a pending or active plan by agreement (e.g. the borrower asks for another); the
    playbook of a case whose active plan ends resumes."""
    plan = _locked(plan)
    if plan.status not in LIVE:
        raise InvalidInput("the plan has ended already", field="plan")
    if not reason.strip():
        raise InvalidInput("say why", field="reason")
    plan.status, plan.ended_on = PlanStatus.CANCELLED, on
    plan.decision_note = (plan.decision_note + "\n" if plan.decision_note else "") + reason.strip()
    plan.save()
    audit_record(
        actor=by,
        action="plan.cancel",
        subject_type="repayment_plan",
        subject_id=plan.pk,
        data={"case": plan.case_id, "reason": reason.strip(), "on": on.isoformat()},
    )
    return plan
