"""Reads of the strategy app: a case's place in its playbook and its actions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q

from arrears.cases.choices import PlanStatus, WorkItemStatus
from arrears.cases.models import CollectionCase, RepaymentPlan, WorkItem
from arrears.compliance.models import Hold
from arrears.portfolio.models import Loan, LoanParty
from arrears.strategy.definition import dump_yaml, parse
from arrears.strategy.models import CaseStrategy, PlannedAction, Playbook, PlaybookVersion


def case_current(loan: Loan) -> CollectionCase | None:
    """The loan's open case, else its latest one (a loan opens a case only when none is
    open, so the latest opened is the open one when there is one)."""
    return CollectionCase.objects.filter(loan=loan).order_by("-opened_on", "-id").first()


def plan_pausing(case_id: int) -> int | None:
    """The id of the case's active repayment plan, which pauses its playbook; else None."""
    return (
        RepaymentPlan.objects.filter(case_id=case_id, status=PlanStatus.ACTIVE)
        .values_list("pk", flat=True)
        .first()
    )


def case_paused(case: CollectionCase) -> bool:
    """Whether the case's playbook plans nothing today: a manager paused it, or the
    borrower keeps an active repayment plan."""
    manual = CaseStrategy.objects.filter(case=case, paused=True).exists()
    return manual or plan_pausing(case.pk) is not None


def cases_paused(case_ids: Iterable[int], *, on: date) -> dict[int, str]:
    """Of ``case_ids``, those whose playbook is paused on ``on``, each with why — in two
    queries whatever the number of cases (the outbox worker asks for every batch)."""
    ids = list(set(case_ids))
    paused = {
        case_id: "case paused by a manager"
        for case_id in CaseStrategy.objects.filter(case_id__in=ids, paused=True)
        .filter(Q(paused_until__isnull=True) | Q(paused_until__gte=on))
        .values_list("case_id", flat=True)
    }
    for case_id, plan_id in RepaymentPlan.objects.filter(
        case_id__in=ids, status=PlanStatus.ACTIVE
    ).values_list("case_id", "pk"):
        paused[case_id] = f"repayment plan {plan_id} active"
    return paused


def case_overview(loan: Loan) -> dict[str, Any]:
    """The strategy's part of ``arrears case LOAN_ID --json`` (the outreach app adds each
    action's message, ``outreach.selectors.case_overview``). The keys are a contract:
    later issues add keys, never rename."""
    case = case_current(loan)
    answer: dict[str, Any] = {
        "loan_id": loan.loan_id,
        "case": None,
        "playbook": None,
        "version": None,
        "stage": None,
        "arm": None,
        "paused": False,
        "holds": [],
        "actions": [],
        "messages": [],
    }
    parties = {
        party_id: role
        for party_id, role in LoanParty.objects.filter(loan=loan).values_list("party_id", "role")
    }
    answer["holds"] = [
        {
            "kind": kind,
            "channel": channel,
            "party_role": parties.get(party_id) if party_id else None,
            "reason": reason,
            "since": since.isoformat(),
        }
        for kind, channel, party_id, reason, since in Hold.objects.filter(lifted_at__isnull=True)
        .filter(Q(loan=loan) | Q(party_id__in=list(parties)))
        .order_by("created_at")
        .values_list("kind", "channel", "party_id", "reason", "created_at")
    ]
    if case is None:
        return answer
    answer["case"] = {
        "id": case.pk,
        "status": case.status,
        "opened_on": case.opened_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "dpd": case.current_dpd,
        "bucket": case.bucket,
    }
    strategy = CaseStrategy.objects.filter(case=case).select_related("playbook", "version").first()
    if strategy is not None:
        answer.update(
            playbook=strategy.playbook.name,
            playbook_title=strategy.playbook.title,
            version=strategy.version.number,
            stage=strategy.stage or None,
            stage_entered_on=(
                strategy.stage_entered_on.isoformat() if strategy.stage_entered_on else None
            ),
            arm=strategy.arm or None,
            paused=strategy.paused,
            paused_until=strategy.paused_until.isoformat() if strategy.paused_until else None,
        )
    pausing_plan = plan_pausing(case.pk)
    if pausing_plan is not None:
        answer.update(paused=True, paused_by_plan=pausing_plan)
    # A task's fate is its work item's: the item carries the planned action's id.
    tasks = dict(WorkItem.objects.filter(case=case).values_list("planned_action_id", "status"))
    answer["actions"] = [
        {
            "id": action.pk,
            "date": action.business_date.isoformat(),
            "due_at": action.due_at.isoformat(),
            "type": action.type,
            "target_role": action.target_role,
            "channel": action.channel or None,
            "status": _task_status(action.status, tasks.get(action.pk)),
            "rule": action.rule,
            "blocked_reasons": action.blocked_reasons,
        }
        for action in PlannedAction.objects.filter(case=case).order_by(
            "business_date", "due_at", "-priority", "id"
        )
    ]
    return answer


def _task_status(planned: str, work_item: str | None) -> str:
    """A task is done when its work item is, and cancelled when its work item was
    withdrawn (a plan or a pause took the case's tasks away); otherwise as planned."""
    if planned != "queued" or work_item is None:
        return planned
    fates: dict[str, str] = {WorkItemStatus.DONE: "done", WorkItemStatus.CANCELLED: "cancelled"}
    return fates.get(work_item, planned)


def playbook_yaml(name: str, number: int | None = None) -> str | None:
    """The YAML of a playbook's version (the current one by default), or None."""
    playbook = Playbook.objects.filter(name=name).first()
    if playbook is None or not playbook.version:
        return None
    version = PlaybookVersion.objects.filter(
        playbook=playbook, number=number or playbook.version
    ).first()
    if version is None:
        return None
    return dump_yaml(parse(version.definition))
