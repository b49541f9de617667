"""What a simulated playbook version added up to over the period: cases, actions by type
and channel, the compliance gate's refusals by reason, the cost, cases sent to legal.

Pure module: no Django import (``compliance.rules`` is pure too).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from arrears.compliance.rules import Decision, Reason
from arrears.core.money import format_yuan
from arrears.strategy.definition import ACTION_TYPES, CHANNEL_OF
from arrears.strategy.simulation.replay import DueAction

# The channel key of internal tasks, which reach no debtor and pass no gate.
INTERNAL = "internal"
CHANNELS: tuple[str, ...] = (
    *dict.fromkeys(channel for channel in CHANNEL_OF.values() if channel),
    INTERNAL,
)
LEGAL_REFERRAL = "legal_referral"
# How many different wordings of one reason code are kept to show it (a hold's kind, the
# local time of a quiet-hours refusal).
REASON_EXAMPLES = 3


@dataclass
class VersionTally:
    """The running totals of one version; ``as_json`` is its part of the report."""

    number: int
    title: str
    current: bool = False
    cases: set[int] = field(default_factory=set)
    by_type: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    carried_out: Counter[str] = field(default_factory=Counter)  # by channel, not blocked
    blocked: int = 0
    deferred: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    reason_examples: dict[str, list[Reason]] = field(default_factory=dict)
    legal_cases: set[int] = field(default_factory=set)

    def add(self, action: DueAction, decision: Decision | None) -> None:
        """Count one due action with the gate's answer (None: a task no gate judges)."""
        channel = action.channel or INTERNAL
        self.by_type[action.type] += 1
        self.by_channel[channel] += 1
        if action.type == LEGAL_REFERRAL:
            self.legal_cases.add(action.case_id)
        if decision is not None and not decision.allowed:
            if decision.next_allowed_at is None:
                self.blocked += 1
            else:
                self.deferred += 1
            for code in dict.fromkeys(reason.code for reason in decision.refusals):
                self.reasons[code] += 1
            for reason in decision.refusals:
                examples = self.reason_examples.setdefault(reason.code, [])
                if reason not in examples and len(examples) < REASON_EXAMPLES:
                    examples.append(reason)
        if decision is None or decision.allowed or decision.next_allowed_at is not None:
            self.carried_out[channel] += 1

    def cost_fen(self, costs: dict[str, int]) -> dict[str, int]:
        """The cost of what would be carried out (blocked contacts cost nothing), by
        costed channel, in fen."""
        return {channel: self.carried_out[channel] * unit for channel, unit in costs.items()}

    def as_json(self, costs: dict[str, int]) -> dict[str, Any]:
        """The version's column of the report (``{"versions": [...]}``); money in yuan."""
        cost = self.cost_fen(costs)
        return {
            "version": self.number,
            "title": self.title,
            "current": self.current,
            "cases": len(self.cases),
            "actions": {
                "total": sum(self.by_type.values()),
                "by_type": {kind: self.by_type[kind] for kind in ACTION_TYPES},
                "by_channel": {channel: self.by_channel[channel] for channel in CHANNELS},
            },
            "refused": {
                "contacts": self.blocked + self.deferred,
                "blocked": self.blocked,
                "deferred": self.deferred,
                "by_reason": dict(sorted(self.reasons.items())),
            },
            "cost": {
                "by_channel": {channel: format_yuan(fen) for channel, fen in cost.items()},
                "total": format_yuan(sum(cost.values())),
            },
            "legal_cases": len(self.legal_cases),
        }
