"""Legal deadlines from a matter's events, by rules kept as data (``data/deadlines.json``).

Pure module (no Django). A rule says: for matters of these kinds, a deadline runs from the
latest event of kind ``from`` (recorded on or after the latest ``after`` event, when the
rule names one), ``days`` then ``years`` later; it is met, and leaves the list, once an event
of a kind in ``until`` is recorded on or after its start. A payment order served on D thus
lists its objection deadline on D + 15 until an objection (or payment) is recorded.

Periods counted in days end on the date ``start + days`` (民事诉讼法 art. 85: the day the
period starts is not counted); years end on the same calendar date, 29 February moving to
28 February. A deadline that falls on a holiday moves to the next working day under art. 85
as well; that move is left to the legal officer (the list shows the statutory date), since
the court's own calendar decides it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "deadlines.json"


@dataclass(frozen=True)
class DeadlineRule:
    """One statutory period, as ``data/deadlines.json`` states it."""

    code: str
    matter_kinds: frozenset[str]
    start_event: str
    until: frozenset[str]
    label: str
    rule: str
    days: int = 0
    years: int = 0
    after: str | None = None
    check: str = ""


@dataclass(frozen=True)
class Event:
    """A matter's event as the rules need it: its kind and the date it happened."""

    kind: str
    on: date


@dataclass(frozen=True)
class Deadline:
    """A period running on a matter: what must happen by ``due_on`` and the rule behind it."""

    code: str
    label: str
    due_on: date
    starts_on: date
    rule: str


def add_years(day: date, years: int) -> date:
    """The same calendar date ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@cache
def rules() -> tuple[DeadlineRule, ...]:
    """The shipped rules, read once."""
    return parse_rules(json.loads(RULES_FILE.read_text(encoding="utf-8")))


def parse_rules(document: dict[str, object]) -> tuple[DeadlineRule, ...]:
    """Rules from the JSON document's ``rules`` list; a malformed rule raises ValueError."""
    raw = document.get("rules")
    if not isinstance(raw, list):
        raise ValueError("the deadline rules need a 'rules' list")
    parsed = []
    for item in raw:
        try:
            parsed.append(
                DeadlineRule(
                    code=str(item["code"]),
                    matter_kinds=frozenset(item["matter_kinds"]),
                    start_event=str(item["from"]),
                    until=frozenset(item["until"]),
                    label=str(item["label"]),
                    rule=str(item["rule"]),
                    days=int(item.get("days", 0)),
                    years=int(item.get("years", 0)),
                    after=item.get("after"),
                    check=str(item.get("check", "")),
                )
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"deadline rule {item!r} is incomplete: {exc}") from exc
    return tuple(parsed)


def _latest(events: Sequence[Event], kind: str, *, not_before: date | None) -> date | None:
    days = [e.on for e in events if e.kind == kind and (not_before is None or e.on >= not_before)]
    return max(days) if days else None


def matter_deadlines(
    matter_kind: str, events: Iterable[Event], *, ruleset: Sequence[DeadlineRule] | None = None
) -> list[Deadline]:
    """The deadlines running on a matter of ``matter_kind`` with these events, soonest
    first. A deadline already past is still listed until its ``until`` event is recorded:
    a missed period is what a legal officer most needs to see."""
    history = list(events)
    running = []
    for rule in rules() if ruleset is None else ruleset:
        if matter_kind not in rule.matter_kinds:
            continue
        after = None
        if rule.after is not None:
            after = _latest(history, rule.after, not_before=None)
            if after is None:
                continue
        start = _latest(history, rule.start_event, not_before=after)
        if start is None:
            continue
        if any(e.kind in rule.until and e.on >= start for e in history):
            continue
        due = add_years(start + timedelta(days=rule.days), rule.years)
        running.append(Deadline(rule.code, rule.label, due, start, rule.rule))
    running.sort(key=lambda d: (d.due_on, d.code))
    return running
