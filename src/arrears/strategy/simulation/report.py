"""A simulation as the command prints it: JSON (``{"versions": [...]}``, one object per
version, in the order asked) or a text table with the versions side by side, in the
reader's language."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext as _g

from arrears.compliance.choices import Channel
from arrears.compliance.reasons import reason_message
from arrears.core.money import format_yuan
from arrears.strategy.choices import ActionType
from arrears.strategy.definition import ACTION_TYPES
from arrears.strategy.simulation.run import Simulation
from arrears.strategy.simulation.tally import CHANNELS, INTERNAL, VersionTally

LABEL_WIDTH = 44
COLUMN_WIDTH = 14


def simulation_json(simulation: Simulation) -> dict[str, Any]:
    """The report's JSON: the period, the unit costs in yuan and each version's totals.
    The keys are a contract: later versions add keys, never rename them."""
    return {
        "playbook": simulation.playbook,
        "title": simulation.title,
        "from": simulation.first.isoformat(),
        "to": simulation.last.isoformat(),
        "days": simulation.days,
        "unit_costs": {channel: format_yuan(fen) for channel, fen in simulation.costs.items()},
        "versions": [tally.as_json(simulation.costs) for tally in simulation.tallies],
    }


def _width(text: str) -> int:
    """Columns a terminal gives ``text`` (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _row(label: str, cells: list[str]) -> str:
    padding = " " * max(LABEL_WIDTH - _width(label), 1)
    columns = "".join(" " * max(COLUMN_WIDTH - _width(cell), 1) + cell for cell in cells)
    return f"{label}{padding}{columns}".rstrip()


def _channel_label(channel: str) -> str:
    return _g("Internal task") if channel == INTERNAL else str(Channel(channel).label)


def _reason_label(tallies: list[VersionTally], code: str) -> str:
    """A reason code with the gate's own words for it, as the reader reads them."""
    examples = []
    for tally in tallies:
        for reason in tally.reason_examples.get(code, []):
            message = reason_message(reason)
            if message not in examples:
                examples.append(message)
    shown = "; ".join(examples[:2]) + ("; …" if len(examples) > 2 else "")
    return f"  [{code}] {shown}"


def simulation_text(simulation: Simulation) -> list[str]:
    """The report as lines of text, the versions in columns side by side."""
    tallies = simulation.tallies
    costs = simulation.costs
    lines = [
        _g("Strategy simulation: %(playbook)s (%(title)s), %(first)s to %(last)s, %(days)s days")
        % {
            "playbook": simulation.playbook,
            "title": simulation.title,
            "first": simulation.first.isoformat(),
            "last": simulation.last.isoformat(),
            "days": simulation.days,
        }
    ]
    headers = [
        f"v{tally.number}" + (f" ({_g('current')})" if tally.current else "") for tally in tallies
    ]
    lines.append(_row("", headers))
    lines.append(_row(_g("Cases simulated"), [str(len(t.cases)) for t in tallies]))
    lines.append(_row(_g("Actions planned"), [str(sum(t.by_type.values())) for t in tallies]))
    for kind in ACTION_TYPES:
        if any(t.by_type[kind] for t in tallies):
            label = f"  {ActionType(kind).label}"
            lines.append(_row(label, [str(t.by_type[kind]) for t in tallies]))
    lines.append(_g("By channel"))
    for channel in CHANNELS:
        if any(t.by_channel[channel] for t in tallies):
            label = f"  {_channel_label(channel)}"
            lines.append(_row(label, [str(t.by_channel[channel]) for t in tallies]))
    lines.append(
        _row(_g("Refused by the compliance gate"), [str(t.blocked + t.deferred) for t in tallies])
    )
    lines.append(_row("  " + _g("blocked"), [str(t.blocked) for t in tallies]))
    lines.append(_row("  " + _g("moved to a later time"), [str(t.deferred) for t in tallies]))
    codes = sorted({code for tally in tallies for code in tally.reasons})
    for code in codes:
        lines.append(_row(_reason_label(tallies, code), [str(t.reasons[code]) for t in tallies]))
    lines.append(_g("Cost (yuan)"))
    spent = [tally.cost_fen(costs) for tally in tallies]
    for channel, unit in costs.items():
        label = "  " + _g("%(channel)s, %(unit)s each") % {
            "channel": _channel_label(channel),
            "unit": format_yuan(unit),
        }
        lines.append(_row(label, [format_yuan(cost[channel]) for cost in spent]))
    lines.append(_row("  " + _g("Total"), [format_yuan(sum(cost.values())) for cost in spent]))
    lines.append(_row(_g("Cases reaching legal"), [str(len(t.legal_cases)) for t in tallies]))
    lines.append(
        _g(
            "An approximation: no payment beyond what is stored, simulated contacts do not count"
            " towards the gate's caps, holds as they stand now (docs/strategy.md)."
        )
    )
    return lines
