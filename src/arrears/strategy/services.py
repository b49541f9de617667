"""Writes of the strategy app: publishing playbook versions, and a manager's acts on one
case (pause, resume, move, a one-off action), each with a reason and recorded as an event."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from arrears.cases.models import CollectionCase
from arrears.cases.services import work_items_cancel_for_case
from arrears.compliance.choices import MESSAGE_CHANNELS
from arrears.core.errors import InvalidInput
from arrears.strategy.choices import ActionType, EventKind, TargetRole
from arrears.strategy.definition import (
    CHANNEL_OF,
    DefinitionError,
    PlaybookDefinition,
    load_yaml,
    parse,
    to_data,
)
from arrears.strategy.models import (
    CaseStrategy,
    OneOffAction,
    PlannedAction,
    Playbook,
    PlaybookVersion,
    StrategyEvent,
)


@transaction.atomic
def playbook_publish(
    *, definition: PlaybookDefinition, note: str = "", created_by: Any = None
) -> PlaybookVersion:
    """Make ``definition`` the playbook's current version (creating the playbook the first
    time). An unchanged definition returns the current version instead of a copy."""
    data = to_data(definition)
    playbook, _ = Playbook.objects.select_for_update().get_or_create(
        name=definition.name,
        defaults={"title": definition.title, "priority": definition.priority},
    )
    if playbook.version:
        current = PlaybookVersion.objects.get(playbook=playbook, number=playbook.version)
        if current.definition == data:
            return current
    version = PlaybookVersion.objects.create(
        playbook=playbook,
        number=playbook.version + 1,
        definition=data,
        note=note[:300],
        created_by=created_by,
    )
    playbook.version = version.number
    playbook.title = definition.title
    playbook.priority = definition.priority
    playbook.save(update_fields=["version", "title", "priority", "updated_at"])
    return version


def playbook_import(*, text: str, note: str = "", created_by: Any = None) -> PlaybookVersion:
    """Publish a playbook from its YAML text; every mistake in it is reported at once."""
    try:
        definition = load_yaml(text)
    except DefinitionError as error:
        raise InvalidInput("; ".join(error.errors), field="definition") from error
    return playbook_publish(definition=definition, note=note, created_by=created_by)


def _strategy(case: CollectionCase) -> CaseStrategy:
    strategy = CaseStrategy.objects.select_for_update().filter(case=case).first()
    if strategy is None:
        raise InvalidInput(
            f"case of loan {case.loan_id} has no playbook yet (the next cycle assigns one)",
            field="case",
        )
    return strategy


def _need_reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput("say why", field="reason")
    return reason.strip()


def _event(case: CollectionCase, on: date, kind: str, detail: str, reason: str, by: str) -> None:
    StrategyEvent.objects.create(
        case=case, business_date=on, kind=kind, detail=detail[:300], reason=reason, by=by
    )


def _withdraw_queued(case: CollectionCase) -> None:
    """What was queued for the case will not happen: its planned actions and open tasks.
    Its queued messages belong to the outreach app, which holds back the messages of a
    paused case when it sends; ``outreach.services.outbox_cancel_for_case`` cancels them
    at once for callers that compose both (``arrears case``)."""
    PlannedAction.objects.filter(case=case, status="queued").update(status="cancelled")
    work_items_cancel_for_case(case_id=case.pk)


@transaction.atomic
def case_pause(
    *, case: CollectionCase, on: date, reason: str, by: str, until: date | None = None
) -> CaseStrategy:
    """Stop planning for the case (until ``until``, or until resumed); queued messages and
    open tasks of the case are withdrawn."""
    reason = _need_reason(reason)
    if until is not None and until < on:
        raise InvalidInput("a pause cannot end before it starts", field="until")
    strategy = _strategy(case)
    strategy.paused, strategy.paused_until = True, until
    strategy.save(update_fields=["paused", "paused_until"])
    _withdraw_queued(case)
    _event(case, on, EventKind.PAUSED, f"until {until}" if until else "", reason, by)
    return strategy


@transaction.atomic
def case_resume(*, case: CollectionCase, on: date, reason: str, by: str) -> CaseStrategy:
    """Planning for the case starts again with the next cycle day."""
    reason = _need_reason(reason)
    strategy = _strategy(case)
    if not strategy.paused:
        raise InvalidInput("the case is not paused", field="case")
    strategy.paused, strategy.paused_until = False, None
    strategy.save(update_fields=["paused", "paused_until"])
    _event(case, on, EventKind.RESUMED, "", reason, by)
    return strategy


@transaction.atomic
def case_move(
    *,
    case: CollectionCase,
    on: date,
    playbook: str,
    reason: str,
    by: str,
    stage: str = "",
) -> CaseStrategy:
    """Put the case on another playbook and/or stage from the next cycle day after ``on``
    (the day's plan is made already). A stage set here is kept until the case's DPD reaches
    a later stage of the playbook; without one, the DPD chooses."""
    reason = _need_reason(reason)
    target = Playbook.objects.filter(name=playbook, version__gt=0).first()
    if target is None:
        raise InvalidInput(f"no playbook named {playbook!r}", field="playbook")
    version = PlaybookVersion.objects.get(playbook=target, number=target.version)
    definition = parse(version.definition)
    strategy = _strategy(case)
    strategy.playbook, strategy.version = target, version
    if stage:
        names = [s.name for s in definition.stages]
        if stage not in names:
            raise InvalidInput(
                f"{playbook} has no stage {stage!r} (stages: {', '.join(names)})", field="stage"
            )
        strategy.stage, strategy.stage_order = stage, names.index(stage) + 1
        strategy.stage_entered_on = on + timedelta(days=1)
        strategy.stage_pinned = True
    else:
        # The next cycle day stages it by DPD, from the first day of that stage.
        strategy.stage, strategy.stage_order, strategy.stage_pinned = "", 0, False
        strategy.stage_entered_on = None
    strategy.experiment, strategy.arm = None, ""
    strategy.save()
    _withdraw_queued(case)
    _event(
        case, on, EventKind.MOVED, f"{target.name} v{version.number} {stage}".strip(), reason, by
    )
    return strategy


@transaction.atomic
def case_action_add(
    *,
    case: CollectionCase,
    on: date,
    type: str,
    target_role: str,
    title: str,
    reason: str,
    by: str,
    template: str = "",
    queue: str = "",
) -> OneOffAction:
    """Plan one action for the case on ``on``, outside its playbook; the cycle for that
    date plans it through the compliance gate like any other."""
    reason = _need_reason(reason)
    if type not in ActionType.values:
        raise InvalidInput(
            f"unknown action type {type!r} (expected one of: {', '.join(ActionType.values)})",
            field="type",
        )
    if target_role not in TargetRole.values:
        raise InvalidInput(
            f"unknown target {target_role!r} (expected one of: {', '.join(TargetRole.values)})",
            field="target_role",
        )
    if case.status != "open":
        raise InvalidInput("the case is closed", field="case")
    if template and CHANNEL_OF[type] not in MESSAGE_CHANNELS:
        raise InvalidInput("only messages and letters take a template", field="template")
    action = OneOffAction.objects.create(
        case=case,
        business_date=on,
        type=type,
        target_role=target_role,
        title=title.strip() or str(ActionType(type).label),
        template=template,
        queue=queue,
        reason=reason,
        by=by,
    )
    _event(case, on, EventKind.ONE_OFF, f"{type} → {target_role} on {on}", reason, by)
    return action
