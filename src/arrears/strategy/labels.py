"""Playbooks' words for people: a stage's title, a strategy event's detail.

A playbook names its stages with codes (``remind``, ``escalate``) and may give each a title
(its YAML's ``title``); pages show the title of the version the case follows, else the
translatable label of a known stage code, else the code itself. A strategy event stores a
short, language-neutral detail (``consumer-loan v1 (champion) › remind``, ``pause ended``,
``plan 7``); ``event_detail`` puts it into the reader's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from arrears.strategy.choices import ActionType, Arm, TargetRole
from arrears.strategy.models import Playbook, PlaybookVersion

# The stage codes of the shipped playbooks, for a version whose stage has no title.
STAGE_LABELS: dict[str, Any] = {
    "remind": _("Reminders and negotiation"),
    "escalate": _("Lawyer's letter and agency"),
    "legal": _("Legal proceedings"),
    "service": _("Service reminders"),
    "in-house": _("In-house collection"),
    "agency": _("Collection agency"),
    "day-by-day": _("Day-by-day collection"),
}


def titles_of(definition: Any) -> dict[str, str]:
    """A version's stage titles by stage code, from its stored definition."""
    stages = definition.get("stages", []) if isinstance(definition, Mapping) else []
    return {
        str(stage["name"]): str(stage.get("title") or "")
        for stage in stages
        if isinstance(stage, Mapping) and stage.get("name")
    }


def stage_titles(version_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each version's stage titles by stage code (one query)."""
    ids = {pk for pk in version_ids if pk}
    if not ids:
        return {}
    return {
        pk: titles_of(definition)
        for pk, definition in PlaybookVersion.objects.filter(pk__in=ids).values_list(
            "pk", "definition"
        )
    }


def stage_label(stage: str, titles: Mapping[str, str] | None = None) -> str:
    """A stage's title in ``titles`` (its version's), else its code's label, else the code."""
    if not stage:
        return ""
    title = (titles or {}).get(stage)
    if title:
        return title
    label = STAGE_LABELS.get(stage)
    return str(label) if label is not None else stage


def playbook_titles() -> dict[str, str]:
    """Every playbook's title by its name (code)."""
    return {name: title for name, title in Playbook.objects.values_list("name", "title")}


_ASSIGNED = re.compile(
    r"^(?P<name>[\w-]+) v(?P<number>\d+)(?: \((?P<arm>\w+)\))?(?: › (?P<stage>.+))?$"
)
_MOVED = re.compile(r"^(?P<name>[\w-]+) v(?P<number>\d+)(?: (?P<stage>\S+))?$")
_UNTIL = re.compile(r"^until (?P<day>\d{4}-\d{2}-\d{2})$")
_PLAN = re.compile(r"^plan (?P<id>\d+)(?: (?P<status>\w+))?$")
_ONE_OFF = re.compile(r"^(?P<type>\w+) → (?P<role>\w+) on (?P<day>\d{4}-\d{2}-\d{2})$")
_REASONS = (
    (re.compile(r"^repayment plan (?P<id>\d+) active$"), _("repayment plan %(id)s active")),
    (
        re.compile(r"^repayment plan broken: an installment was missed$"),
        _("repayment plan broken: an installment was missed"),
    ),
    (re.compile(r"^repayment plan completed$"), _("repayment plan completed")),
    (re.compile(r"^repayment plan (?P<id>\d+) cancelled$"), _("repayment plan %(id)s cancelled")),
)
_PLAN_STATUS: dict[str, Any] = {
    "broken": _("broken"),
    "completed": _("completed"),
    "cancelled": _("cancelled"),
}


def _playbook_version(name: str, number: str, playbooks: Mapping[str, str]) -> str:
    return f"{playbooks.get(name) or name} v{number}"


def event_detail(
    kind: str,
    detail: str,
    *,
    playbooks: Mapping[str, str],
    titles: Mapping[str, str] | None = None,
) -> str:
    """A strategy event's detail in the reader's words (``playbooks``: titles by name;
    ``titles``: the case's current version's stage titles). A detail of no known form is
    shown as it is."""
    if not detail:
        return ""
    if kind == "stage":
        return stage_label(detail, titles)
    if kind == "assigned" and (match := _ASSIGNED.match(detail)):
        text = _playbook_version(match["name"], match["number"], playbooks)
        if match["arm"]:
            text += f" ({dict(Arm.choices).get(match['arm'], match['arm'])})"
        if match["stage"]:
            text += f" › {stage_label(match['stage'], titles)}"
        return text
    if kind == "moved" and (match := _MOVED.match(detail)):
        text = _playbook_version(match["name"], match["number"], playbooks)
        if match["stage"]:
            text += f" › {stage_label(match['stage'], titles)}"
        return text
    if detail == "pause ended":
        return _g("pause ended")
    if match := _UNTIL.match(detail):
        return _g("until %(day)s") % {"day": match["day"]}
    if match := _PLAN.match(detail):
        text = _g("repayment plan %(id)s") % {"id": match["id"]}
        if match["status"]:
            text += f" {_PLAN_STATUS.get(match['status'], match['status'])}"
        return text
    if match := _ONE_OFF.match(detail):
        return _g("%(type)s → %(role)s on %(day)s") % {
            "type": dict(ActionType.choices).get(match["type"], match["type"]),
            "role": dict(TargetRole.choices).get(match["role"], match["role"]),
            "day": match["day"],
        }
    return detail


def event_reason(reason: str) -> str:
    """A reason the cycle wrote on a strategy event, in the reader's words (a person's own
    reason is shown as written)."""
    for pattern, message in _REASONS:
        if match := pattern.match(reason):
            return str(message) % match.groupdict()
    return reason
