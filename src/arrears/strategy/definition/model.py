"""A playbook as parsed: its segment, stages and action rules, and the error that lists
every problem of a definition that cannot be used.

Pure module: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arrears.strategy.definition.vocabulary import (
    CHANNEL_OF,
    DEFAULT_ACTION_PRIORITY,
    DEFAULT_TIME,
    MESSAGE_TYPES,
)


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
    # A fact (``vocabulary.CONDITIONS``) the target party must have on the day, or "".
    when: str = ""
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
