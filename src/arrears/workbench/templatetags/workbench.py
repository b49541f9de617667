"""Template helpers of the workbench: what the signed-in person's role may do."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from arrears.accounts.roles import role_can
from arrears.core.money import format_yuan_grouped

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    """``{% if request.user|can:"queue" %}``: may this user's role do ``capability``?
    Menus and buttons only; every view checks again."""
    role = getattr(user, "role", "")
    return bool(role) and role_can(str(role), capability)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ revealed|get_item:point.id }}``: a dict's value for a computed key, or ''."""
    if not isinstance(mapping, dict):
        return ""
    return mapping.get(key, mapping.get(str(key), ""))


@register.filter
def yuan(fen: Any) -> str:
    """Integer fen shown as grouped yuan: ``{{ 1234567|yuan }}`` → 12,345.67."""
    try:
        return format_yuan_grouped(int(fen))
    except (TypeError, ValueError):
        return ""


# The daily cycle's steps (``cycle.choices.STEPS``) in words.
_CYCLE_STEPS: dict[str, Any] = {
    "post_payments": _("Post payments"),
    "accrue": _("Accrue penalty interest"),
    "loan_state": _("Loan state"),
    "classify": _("Classify loans"),
    "limitation": _("Limitation periods"),
    "cases": _("Open and close cases"),
    "commitments": _("Promises and plans"),
    "score": _("Score cases"),
    "plan": _("Plan actions"),
    "unreachable": _("Unreachable cases"),
    "outbox": _("Queue messages"),
    "history": _("History"),
    "rolls": _("Roll-rate cells"),
    "placements": _("End agency placements"),
}


def _vocabularies() -> dict[str, dict[str, Any]]:
    # Imported when first used: the vocabularies' apps load after the template library.
    from arrears.accounts.choices import Role
    from arrears.cases.choices import (
        CaseStatus,
        ContactOutcome,
        PartyReached,
        PlanStatus,
        PromiseStatus,
        SettlementStatus,
        WorkItemStatus,
    )
    from arrears.compliance.choices import Channel, HoldKind
    from arrears.portfolio.choices import ContactKind, ContactStatus, PartyRole
    from arrears.strategy.choices import ActionStatus, ActionType
    from arrears.strategy.labels import STAGE_LABELS

    return {
        "action": dict(ActionType.choices),
        "action_status": dict(ActionStatus.choices),
        "case_status": dict(CaseStatus.choices),
        "channel": {**dict(ActionType.choices), **dict(Channel.choices)},
        "contact_kind": dict(ContactKind.choices),
        "contact_status": dict(ContactStatus.choices),
        "hold": dict(HoldKind.choices),
        "outcome": dict(ContactOutcome.choices),
        "party_reached": dict(PartyReached.choices),
        "party_role": dict(PartyRole.choices),
        "plan_status": dict(PlanStatus.choices),
        "promise_status": dict(PromiseStatus.choices),
        "role": dict(Role.choices),
        "settlement_status": dict(SettlementStatus.choices),
        "stage": dict(STAGE_LABELS),
        "step": _CYCLE_STEPS,
        "work_item_status": dict(WorkItemStatus.choices),
    }


_LABELS: dict[str, dict[str, Any]] = {}


@register.filter
def label(code: Any, vocabulary: str) -> str:
    """``{{ item.type|label:"action" }}``: a code shown by its translated label in the
    named vocabulary (see ``_vocabularies``); an unknown code is shown as it is."""
    if not _LABELS:
        _LABELS.update(_vocabularies())
    if code is None or code == "":
        return ""
    found = _LABELS.get(vocabulary, {}).get(str(code))
    return str(found) if found is not None else str(code)
