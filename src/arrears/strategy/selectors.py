"""Reads of the strategy app: a case's place in its playbook and its actions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from arrears.cases.models import CollectionCase
from arrears.compliance.models import Hold
from arrears.outreach.selectors import case_messages
from arrears.portfolio.models import Loan, LoanParty
from arrears.strategy.definition import dump_yaml, parse
from arrears.strategy.models import CaseStrategy, PlannedAction, Playbook, PlaybookVersion


def case_current(loan: Loan) -> CollectionCase | None:
    """The loan's open case, else its latest one (a loan opens a case only when none is
    open, so the latest opened is the open one when there is one)."""
    return CollectionCase.objects.filter(loan=loan).order_by("-opened_on", "-id").first()


def case_overview(loan: Loan) -> dict[str, Any]:
    """The ``arrears case LOAN_ID --json`` contract: later issues add keys, never rename."""
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
    messages = case_messages(case.pk)
    sent = {m["planned_action_id"]: m for m in messages}
    answer["actions"] = [
        {
            "date": action.business_date.isoformat(),
            "due_at": action.due_at.isoformat(),
            "type": action.type,
            "target_role": action.target_role,
            "channel": action.channel or None,
            "status": _action_status(action.status, sent.get(action.pk)),
            "rule": action.rule,
            "blocked_reasons": (sent.get(action.pk) or {}).get("blocked_reasons")
            or action.blocked_reasons,
        }
        for action in PlannedAction.objects.filter(case=case).order_by(
            "business_date", "due_at", "-priority", "id"
        )
    ]
    answer["messages"] = messages
    return answer


def _action_status(planned: str, message: dict[str, Any] | None) -> str:
    """A message's fate is its action's: sent or delivered is done; blocked or cancelled at
    send time shows as such; a failed or unknown message leaves the action queued for a
    person to see on the message."""
    if message is None:
        return planned
    return {
        "sent": "done",
        "delivered": "done",
        "blocked": "blocked",
        "cancelled": "cancelled",
    }.get(message["status"], planned)


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
