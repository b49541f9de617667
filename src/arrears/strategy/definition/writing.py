"""Writing a playbook definition back as plain data or YAML, in one canonical form.

Pure module: no Django import.
"""

from __future__ import annotations

from typing import Any

import yaml

from arrears.core.money import format_yuan
from arrears.strategy.definition.model import ActionRule, PlaybookDefinition, Segment
from arrears.strategy.definition.vocabulary import (
    DEFAULT_ACTION_PRIORITY,
    DEFAULT_TIME,
    SEGMENT_LIST_KEYS,
)


def _segment_data(segment: Segment) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in SEGMENT_LIST_KEYS:
        items: tuple[str, ...] = getattr(segment, key)
        if items:
            data[key] = list(items)
    if segment.amount_min_fen is not None:
        data["amount_min"] = format_yuan(segment.amount_min_fen)
    if segment.amount_max_fen is not None:
        data["amount_max"] = format_yuan(segment.amount_max_fen)
    return data


def _action_data(rule: ActionRule) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": rule.name,
        "title": rule.title,
        "type": rule.type,
        "target": rule.target,
    }
    if rule.at_dpd is not None:
        data["at_dpd"] = rule.at_dpd
    else:
        data["on_day"] = rule.on_day
    optional: tuple[tuple[str, object, object], ...] = (
        ("every", rule.every, None),
        ("until_dpd", rule.until_dpd, None),
        ("until_day", rule.until_day, None),
        ("when", rule.when, ""),
        ("time", rule.time, DEFAULT_TIME),
        ("template", rule.template, ""),
        ("queue", rule.queue, ""),
        ("priority", rule.priority, DEFAULT_ACTION_PRIORITY),
    )
    for key, value, default in optional:
        if value != default:
            data[key] = value
    return data


def to_data(defn: PlaybookDefinition) -> dict[str, Any]:
    """Write a definition back as plain data in canonical form.

    Keys come in the documented order and defaults are left out, so two equal playbooks
    always export identically; ``to_dpd: null`` stays explicit on an open-ended stage
    because a missing upper bound is easy to misread as a forgotten one.
    """
    data: dict[str, Any] = {"name": defn.name, "title": defn.title}
    if defn.description:
        data["description"] = defn.description
    if defn.priority:
        data["priority"] = defn.priority
    segment = _segment_data(defn.segment)
    if segment:
        data["segment"] = segment
    data["stages"] = [
        {
            "name": stage.name,
            "title": stage.title,
            "from_dpd": stage.from_dpd,
            "to_dpd": stage.to_dpd,
            "actions": [_action_data(rule) for rule in stage.actions],
        }
        for stage in defn.stages
    ]
    return data


def dump_yaml(defn: PlaybookDefinition) -> str:
    """Write a playbook as canonical YAML (the form the shipped files are kept in)."""
    text: str = yaml.safe_dump(
        to_data(defn),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
    return text
