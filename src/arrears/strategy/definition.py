"""The playbook definition format: what a collection strategy says to do, and when.

A playbook is a YAML file (or the equal Python dict) naming the cases it applies to (its
segment), the DPD windows it splits arrears into (its stages) and, per stage, the action
rules that fire on given days: messages that go to the outbox and tasks that become work
items. This module parses and validates that format, writes it back in one canonical
form, and holds the timing rule that decides whether a rule is due on a given day.

Pure module: no Django import, so the format can be checked anywhere (CLI, tests, CI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import yaml

from arrears.core.money import format_yuan

MESSAGE_TYPES: tuple[str, ...] = (
    "sms",
    "email",
    "letter",
    "overdue_notice",
    "guarantor_notice",
    "lawyer_letter",
)
TASK_TYPES: tuple[str, ...] = ("call", "visit", "placement", "legal_referral", "review")
ACTION_TYPES: tuple[str, ...] = (
    "sms",
    "email",
    "call",
    "visit",
    "letter",
    "overdue_notice",
    "guarantor_notice",
    "lawyer_letter",
    "placement",
    "legal_referral",
    "review",
)
# The contact channel an action uses, so contact-frequency rules can count it; None marks
# internal tasks that never reach the debtor.
CHANNEL_OF: dict[str, str | None] = {
    "sms": "sms",
    "email": "email",
    "letter": "letter",
    "overdue_notice": "letter",
    "guarantor_notice": "letter",
    "lawyer_letter": "letter",
    "call": "call",
    "visit": "visit",
    "placement": None,
    "legal_referral": None,
    "review": None,
}
TARGET_ROLES: tuple[str, ...] = ("borrower", "co_borrower", "guarantor", "counter_guarantor")
GUARANTEE_TYPES: tuple[str, ...] = ("credit", "guarantee", "mortgage", "pledge")
CLASSIFICATIONS: tuple[str, ...] = ("normal", "special_mention", "substandard", "doubtful", "loss")

DEFAULT_TIME = "09:00"
DEFAULT_ACTION_PRIORITY = 50
SLUG_MAX_LENGTH = 60

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TIME_RE = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_AMOUNT_RE = re.compile(r"^(?P<sign>[-+]?)(?P<int>\d+)(?:\.(?P<frac>\d+))?$")

_PLAYBOOK_KEYS = ("name", "title", "description", "priority", "segment", "stages")
_SEGMENT_LIST_KEYS = ("creditors", "products", "guarantee_types", "branches", "classifications")
_SEGMENT_KEYS = (*_SEGMENT_LIST_KEYS, "amount_min", "amount_max")
_STAGE_KEYS = ("name", "title", "from_dpd", "to_dpd", "actions")
_ACTION_KEYS = (
    "name",
    "title",
    "type",
    "target",
    "at_dpd",
    "on_day",
    "every",
    "until_dpd",
    "until_day",
    "time",
    "template",
    "queue",
    "priority",
)
_SEGMENT_VOCABULARY: dict[str, tuple[str, tuple[str, ...]]] = {
    "guarantee_types": ("guarantee type", GUARANTEE_TYPES),
    "classifications": ("classification", CLASSIFICATIONS),
}


@dataclass(frozen=True, kw_only=True)
class Segment:
    """Which cases a playbook applies to; an empty criterion matches every case."""

    creditors: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    guarantee_types: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    classifications: tuple[str, ...] = ()
    amount_min_fen: int | None = None
    amount_max_fen: int | None = None


@dataclass(frozen=True, kw_only=True)
class ActionRule:
    """One thing to do in a stage: what, to whom, from which day, and how often."""

    name: str
    title: str
    type: str
    target: str
    at_dpd: int | None = None
    on_day: int | None = None
    every: int | None = None
    until_dpd: int | None = None
    until_day: int | None = None
    time: str = DEFAULT_TIME
    template: str = ""
    queue: str = ""
    priority: int = DEFAULT_ACTION_PRIORITY

    @property
    def basis(self) -> str:
        """``"dpd"`` when the rule counts days past due, ``"day"`` when days in the stage."""
        return "dpd" if self.at_dpd is not None else "day"

    @property
    def start(self) -> int:
        """The first day (on the rule's basis) the rule is due."""
        start = self.at_dpd if self.at_dpd is not None else self.on_day
        assert start is not None, "a parsed rule has exactly one of at_dpd / on_day"
        return start

    @property
    def until(self) -> int | None:
        """The last day (on the rule's basis, inclusive) a repeat may fire, if bounded."""
        return self.until_dpd if self.at_dpd is not None else self.until_day

    @property
    def channel(self) -> str | None:
        """The contact channel the action uses, or None for an internal task."""
        return CHANNEL_OF[self.type]

    @property
    def is_message(self) -> bool:
        """True when the action goes to the outbox rather than becoming a work item."""
        return self.type in MESSAGE_TYPES


@dataclass(frozen=True, kw_only=True)
class Stage:
    """A DPD window of a playbook with the rules that apply while a case is in it."""

    name: str
    title: str
    from_dpd: int
    to_dpd: int | None = None
    actions: tuple[ActionRule, ...] = ()

    def contains(self, dpd: int) -> bool:
        """Whether a case at ``dpd`` days past due is in this stage."""
        return dpd >= self.from_dpd and (self.to_dpd is None or dpd <= self.to_dpd)


@dataclass(frozen=True, kw_only=True)
class PlaybookDefinition:
    """A whole playbook as parsed from its YAML file."""

    name: str
    title: str
    description: str = ""
    priority: int = 0
    segment: Segment = field(default_factory=Segment)
    stages: tuple[Stage, ...] = ()


class DefinitionError(ValueError):
    """A playbook definition that cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        heading = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"{heading} in playbook definition:\n" + "\n".join(self.errors))


# ---------------------------------------------------------------------------- parsing

_MISSING = object()


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _window(from_dpd: int, to_dpd: int | None) -> str:
    return f"DPD {from_dpd}+" if to_dpd is None else f"DPD {from_dpd}–{to_dpd}"


class _Reader:
    """Reads one definition, recording problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path or 'playbook'}: {message}")

    def mapping(self, value: object, path: str, keys: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {_describe(value)}")
            return None
        expected = ", ".join(keys)
        for key in value:
            if key not in keys:
                self.error(_join(path, str(key)), f"unknown key (expected one of: {expected})")
        return value

    def string(
        self, data: dict[str, Any], key: str, path: str, *, required: bool = False
    ) -> str | None:
        value: object = data.get(key, _MISSING)
        where = _join(path, key)
        if value is _MISSING or value is None:
            if required:
                self.error(where, "required")
                return None
            return ""
        if not isinstance(value, str):
            self.error(where, f"expected a string, got {_describe(value)}")
            return None
        if required and not value.strip():
            self.error(where, "must not be empty")
            return None
        return value

    def slug(self, data: dict[str, Any], key: str, path: str) -> str | None:
        value = self.string(data, key, path, required=True)
        if value is None:
            return None
        where = _join(path, key)
        if len(value) > SLUG_MAX_LENGTH:
            self.error(where, f"'{value}' is longer than {SLUG_MAX_LENGTH} characters")
            return None
        if not _SLUG_RE.match(value):
            self.error(
                where,
                f"'{value}' is not a slug (lowercase letters, digits and hyphens, "
                "starting with a letter or digit)",
            )
            return None
        return value

    def integer(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        default: int | None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value: object = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        where = _join(path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, f"expected a whole number, got {_describe(value)}")
            return None
        if minimum is not None and value < minimum:
            self.error(where, f"must be >= {minimum}, got {value}")
            return None
        if maximum is not None and value > maximum:
            self.error(where, f"must be <= {maximum}, got {value}")
            return None
        return value

    def choice(
        self, data: dict[str, Any], key: str, path: str, noun: str, options: tuple[str, ...]
    ) -> str | None:
        value = self.string(data, key, path, required=True)
        if value is None:
            return None
        if value not in options:
            self.error(
                _join(path, key),
                f"unknown {noun} '{value}' (expected one of: {', '.join(options)})",
            )
            return None
        return value

    def amount(self, data: dict[str, Any], key: str, path: str) -> int | None:
        value: object = data.get(key)
        if value is None:
            return None
        where = _join(path, key)
        if not isinstance(value, str):
            # Strings only: a YAML float such as 0.1 is binary and would need rounding.
            self.error(
                where,
                f'expected an amount in yuan as a quoted string such as "1000.00", '
                f"got {_describe(value)}",
            )
            return None
        match = _AMOUNT_RE.match(value.strip())
        if not match:
            self.error(where, f"'{value}' is not an amount in yuan (write it like \"1000.00\")")
            return None
        frac = match.group("frac") or ""
        fen = int(match.group("int")) * 100 + int((frac + "00")[:2])
        if match.group("sign") == "-" and fen:
            self.error(where, f"'{value}' must be >= 0")
            return None
        if len(frac) > 2:
            self.error(where, f"'{value}' has more than two decimals (fen is the smallest unit)")
            return None
        return fen

    def time(self, data: dict[str, Any], key: str, path: str) -> str | None:
        value: object = data.get(key)
        if value is None:
            return DEFAULT_TIME
        where = _join(path, key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            # YAML 1.1 reads an unquoted 10:30 as the base-60 number 630.
            hint = f"{value // 60:02d}:{value % 60:02d}"
            self.error(
                where,
                f'expected "HH:MM" as a quoted string, got the number {value} '
                f'(an unquoted time is read as base 60; write "{hint}")',
            )
            return None
        if not isinstance(value, str) or not _TIME_RE.match(value):
            shown = f"'{value}'" if isinstance(value, str) else _describe(value)
            self.error(where, f'expected a time "HH:MM" between 00:00 and 23:59, got {shown}')
            return None
        return value

    def names(self, data: dict[str, Any], key: str, path: str) -> tuple[str, ...] | None:
        value: object = data.get(key)
        if value is None:
            return ()
        where = _join(path, key)
        if not isinstance(value, list):
            self.error(where, f"expected a list, got {_describe(value)}")
            return None
        noun, options = _SEGMENT_VOCABULARY.get(key, ("", ()))
        items: list[str] = []
        ok = True
        for index, item in enumerate(value):
            item_path = f"{where}[{index}]"
            if not isinstance(item, str) or not item.strip():
                self.error(item_path, f"expected a non-empty string, got {_describe(item)}")
                ok = False
            elif options and item not in options:
                self.error(
                    item_path, f"unknown {noun} '{item}' (expected one of: {', '.join(options)})"
                )
                ok = False
            elif item in items:
                self.error(item_path, f"'{item}' is listed twice")
                ok = False
            else:
                items.append(item)
        return tuple(items) if ok else None

    # ------------------------------------------------------------------ sections

    def playbook(self, value: object) -> PlaybookDefinition | None:
        data = self.mapping(value, "", _PLAYBOOK_KEYS)
        if data is None:
            return None
        name = self.slug(data, "name", "")
        title = self.string(data, "title", "", required=True)
        description = self.string(data, "description", "")
        priority = self.integer(data, "priority", "", default=0)
        segment = self.segment(data.get("segment"))
        stages = self.stages(data.get("stages", _MISSING))
        if (
            name is None
            or title is None
            or description is None
            or priority is None
            or segment is None
            or stages is None
        ):
            return None
        return PlaybookDefinition(
            name=name,
            title=title,
            description=description,
            priority=priority,
            segment=segment,
            stages=stages,
        )

    def segment(self, value: object) -> Segment | None:
        if value is None:
            return Segment()
        data = self.mapping(value, "segment", _SEGMENT_KEYS)
        if data is None:
            return None
        errors_before = len(self.errors)
        lists = {key: self.names(data, key, "segment") for key in _SEGMENT_LIST_KEYS}
        amount_min = self.amount(data, "amount_min", "segment")
        amount_max = self.amount(data, "amount_max", "segment")
        if amount_min is not None and amount_max is not None and amount_min > amount_max:
            self.error(
                "segment.amount_max",
                f"{format_yuan(amount_max)} is below amount_min {format_yuan(amount_min)}",
            )
        if len(self.errors) > errors_before:
            return None
        return Segment(
            creditors=lists["creditors"] or (),
            products=lists["products"] or (),
            guarantee_types=lists["guarantee_types"] or (),
            branches=lists["branches"] or (),
            classifications=lists["classifications"] or (),
            amount_min_fen=amount_min,
            amount_max_fen=amount_max,
        )

    def stages(self, value: object) -> tuple[Stage, ...] | None:
        if value is _MISSING or value is None:
            self.error("stages", "required (at least one stage)")
            return None
        if not isinstance(value, list):
            self.error("stages", f"expected a list, got {_describe(value)}")
            return None
        if not value:
            self.error("stages", "at least one stage is required")
            return None
        read = [self.stage(item, f"stages[{index}]") for index, item in enumerate(value)]
        parsed = [stage for stage, _ in read]
        self.check_stage_names(value)
        # Windows are checked even for stages with other mistakes, so one pass shows all.
        self.check_windows([window for _, window in read])
        if any(stage is None for stage in parsed):
            return None
        return tuple(stage for stage in parsed if stage is not None)

    def check_stage_names(self, items: list[Any]) -> None:
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                self.error(
                    f"stages[{index}].name", f"'{name}' is already used by stages[{seen[name]}]"
                )
            else:
                seen[name] = index

    def check_windows(self, stages: list[Stage | None]) -> None:
        """Order, overlap and open ends of the stage windows (``None``: window unreadable)."""
        placed = [(index, stage) for index, stage in enumerate(stages) if stage is not None]
        last = len(stages) - 1
        for (_, before), (index, stage) in pairwise(placed):
            if stage.from_dpd < before.from_dpd:
                self.error(
                    f"stages[{index}].from_dpd",
                    f"stage '{stage.name}' (from DPD {stage.from_dpd}) is listed after stage "
                    f"'{before.name}' (from DPD {before.from_dpd}); list stages in ascending "
                    "from_dpd order",
                )
        for index, stage in placed:
            if stage.to_dpd is None and index != last:
                self.error(
                    f"stages[{index}].to_dpd",
                    f"only the last stage may be open-ended (to_dpd: null); stage "
                    f"'{stage.name}' is not the last",
                )
        for position, (index, stage) in enumerate(placed):
            for _, other in placed[:position]:
                if _overlap(stage, other):
                    self.error(
                        f"stages[{index}]",
                        f"stage '{stage.name}' ({_window(stage.from_dpd, stage.to_dpd)}) "
                        f"overlaps stage '{other.name}' ({_window(other.from_dpd, other.to_dpd)})",
                    )

    def stage(self, value: object, path: str) -> tuple[Stage | None, Stage | None]:
        """The stage if valid, and a bare stage holding just its window if that is readable."""
        data = self.mapping(value, path, _STAGE_KEYS)
        if data is None:
            return None, None
        name = self.slug(data, "name", path)
        title = self.string(data, "title", path, required=True)
        from_dpd = self.integer(data, "from_dpd", path, default=None, minimum=1)
        if "from_dpd" not in data or data["from_dpd"] is None:
            self.error(_join(path, "from_dpd"), "required")
        to_dpd = self.integer(data, "to_dpd", path, default=None, minimum=1)
        to_ok = data.get("to_dpd") is None or to_dpd is not None
        if from_dpd is not None and to_dpd is not None and to_dpd < from_dpd:
            self.error(_join(path, "to_dpd"), f"must be >= from_dpd ({from_dpd}), got {to_dpd}")
            to_ok = False
        window = (from_dpd, to_dpd) if from_dpd is not None and to_ok else None
        actions = self.actions(data.get("actions"), path, window)
        shell = None
        if from_dpd is not None and to_ok:
            raw_name = data.get("name")
            label = raw_name if isinstance(raw_name, str) else path
            shell = Stage(name=label, title="", from_dpd=from_dpd, to_dpd=to_dpd)
        if name is None or title is None or from_dpd is None or not to_ok or actions is None:
            return None, shell
        stage = Stage(name=name, title=title, from_dpd=from_dpd, to_dpd=to_dpd, actions=actions)
        return stage, shell

    def actions(
        self, value: object, path: str, window: tuple[int, int | None] | None
    ) -> tuple[ActionRule, ...] | None:
        if value is None:
            return ()
        where = _join(path, "actions")
        if not isinstance(value, list):
            self.error(where, f"expected a list, got {_describe(value)}")
            return None
        parsed = [
            self.action(item, f"{where}[{index}]", window) for index, item in enumerate(value)
        ]
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                self.error(
                    f"{where}[{index}].name",
                    f"'{name}' is already used by actions[{seen[name]}] in this stage",
                )
            else:
                seen[name] = index
        if any(rule is None for rule in parsed):
            return None
        return tuple(rule for rule in parsed if rule is not None)

    def action(
        self, value: object, path: str, window: tuple[int, int | None] | None
    ) -> ActionRule | None:
        data = self.mapping(value, path, _ACTION_KEYS)
        if data is None:
            return None
        errors_before = len(self.errors)
        name = self.slug(data, "name", path)
        title = self.string(data, "title", path, required=True)
        kind = self.choice(data, "type", path, "action type", ACTION_TYPES)
        target = self.choice(data, "target", path, "target", TARGET_ROLES)
        at_dpd = self.integer(data, "at_dpd", path, default=None, minimum=1)
        on_day = self.integer(data, "on_day", path, default=None, minimum=1)
        every = self.integer(data, "every", path, default=None, minimum=1)
        until_dpd = self.integer(data, "until_dpd", path, default=None, minimum=1)
        until_day = self.integer(data, "until_day", path, default=None, minimum=1)
        time = self.time(data, "time", path)
        template = self.string(data, "template", path)
        queue = self.string(data, "queue", path)
        priority = self.integer(
            data, "priority", path, default=DEFAULT_ACTION_PRIORITY, minimum=0, maximum=100
        )

        given = {key for key in ("at_dpd", "on_day") if data.get(key) is not None}
        if not given:
            self.error(path, "needs exactly one of at_dpd / on_day, got neither")
        elif len(given) == 2:
            self.error(path, "needs exactly one of at_dpd / on_day, got both")
        if at_dpd is not None and window is not None and "on_day" not in given:
            low, high = window
            if at_dpd < low or (high is not None and at_dpd > high):
                self.error(
                    _join(path, "at_dpd"),
                    f"DPD {at_dpd} lies outside the stage ({_window(low, high)}), "
                    "so the rule would never fire",
                )
        for key, start_key, start in (
            ("until_dpd", "at_dpd", at_dpd),
            ("until_day", "on_day", on_day),
        ):
            if data.get(key) is None:
                continue
            if data.get("every") is None:
                self.error(_join(path, key), "only makes sense with every (a repeating rule)")
            if data.get(start_key) is None:
                self.error(_join(path, key), f"only allowed together with {start_key}")
            until = until_dpd if key == "until_dpd" else until_day
            if start is not None and until is not None and until < start:
                self.error(_join(path, key), f"must be >= {start_key} ({start}), got {until}")
        if template and kind in TASK_TYPES:
            self.error(
                _join(path, "template"),
                f"only message types take a template; '{kind}' is a task "
                f"(message types: {', '.join(MESSAGE_TYPES)})",
            )
        if queue and kind in MESSAGE_TYPES:
            self.error(
                _join(path, "queue"),
                f"only task types go to a queue; '{kind}' is a message "
                f"(task types: {', '.join(TASK_TYPES)})",
            )

        if (
            len(self.errors) > errors_before
            or name is None
            or title is None
            or kind is None
            or target is None
            or time is None
            or template is None
            or queue is None
            or priority is None
        ):
            return None
        return ActionRule(
            name=name,
            title=title,
            type=kind,
            target=target,
            at_dpd=at_dpd,
            on_day=on_day,
            every=every,
            until_dpd=until_dpd,
            until_day=until_day,
            time=time,
            template=template,
            queue=queue,
            priority=priority,
        )


def _overlap(a: Stage, b: Stage) -> bool:
    a_reaches_b = a.to_dpd is None or a.to_dpd >= b.from_dpd
    b_reaches_a = b.to_dpd is None or b.to_dpd >= a.from_dpd
    return a_reaches_b and b_reaches_a


def parse(data: object) -> PlaybookDefinition:
    """Validate a playbook given as plain data (e.g. loaded YAML) and build its definition.

    Raises ``DefinitionError`` listing every problem found, each prefixed with its path
    (``stages[1].actions[0].type: ...``), so a file can be fixed in one pass.
    """
    reader = _Reader()
    definition = reader.playbook(data)
    if reader.errors or definition is None:
        raise DefinitionError(reader.errors or ["playbook: could not be read"])
    return definition


# ---------------------------------------------------------------------------- writing


def _segment_data(segment: Segment) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in _SEGMENT_LIST_KEYS:
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


def load_yaml(text: str) -> PlaybookDefinition:
    """Parse a playbook from YAML text; syntax errors are reported with their line."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "yaml"
        problem = exc.problem or exc.context or "invalid YAML"
        raise DefinitionError([f"{where}: YAML syntax error: {problem}"]) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError([f"yaml: YAML syntax error: {exc}"]) from exc
    return parse(data)


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


# ---------------------------------------------------------------------------- timing


def stage_for(defn: PlaybookDefinition, dpd: int) -> Stage | None:
    """The stage whose DPD window holds ``dpd``, or None when no stage covers it."""
    for stage in defn.stages:
        if stage.contains(dpd):
            return stage
    return None


def is_due(rule: ActionRule, *, dpd: int, stage_day: int) -> bool:
    """Whether ``rule`` fires for a case at ``dpd`` that is on day ``stage_day`` of its stage.

    Day 1 of a stage is the day the case entered it. The set-based planner in SQL
    implements the same rule and the two must agree, so keep this formula as it is.
    """
    x = dpd if rule.at_dpd else stage_day
    k = rule.start
    until = rule.until
    if x < k:
        return False
    repeats = x == k if rule.every is None else (x - k) % rule.every == 0
    return repeats and (until is None or x <= until)


def rule_sentence(playbook_title: str, version: int, stage: Stage, rule: ActionRule) -> str:
    """The line users see for a rule, e.g. ``担保贷款 v3 › 第4天 › 反担保人电话``."""
    when = f"第{rule.at_dpd}天" if rule.at_dpd is not None else f"{stage.title} 第{rule.on_day}天"
    if rule.every is not None:
        when += "起每天" if rule.every == 1 else f"起每{rule.every}天"
    return f"{playbook_title} v{version} › {when} › {rule.title}"
