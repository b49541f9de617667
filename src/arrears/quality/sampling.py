"""Drawing the calls a reviewer listens to (抽检). Pure module.

Per collector, either a share of their calls (``rate_bp`` basis points of the calls, rounded
up so a collector with any call has at least one drawn) or a number of calls; calls with an
automatic flag are always in, on top of the draw. The draw is reproducible: the same seed
and the same calls give the same sample, whatever order the calls come in.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    """A call that may be drawn: its activity id, who made it, whether it is flagged."""

    activity_id: int
    collector_id: int
    flagged: bool = False


def sample_size(count: int, *, rate_bp: int | None, per_collector: int | None) -> int:
    """How many of ``count`` calls to draw: ``per_collector`` (at most ``count``), or
    ``rate_bp`` / 10,000 of them rounded up."""
    if per_collector is not None:
        return min(count, per_collector)
    if rate_bp is None:
        raise ValueError("give a rate or a number of calls per collector")
    return min(count, -(-count * rate_bp // 10_000))


def sample_draw_pure(
    calls: Iterable[Call],
    *,
    seed: int,
    rate_bp: int | None = None,
    per_collector: int | None = None,
) -> list[Call]:
    """The calls drawn, ordered by collector then activity id."""
    by_collector: dict[int, list[Call]] = defaultdict(list)
    for call in calls:
        by_collector[call.collector_id].append(call)
    drawn: list[Call] = []
    for collector_id in sorted(by_collector):
        own = sorted(by_collector[collector_id], key=lambda call: call.activity_id)
        flagged = [call for call in own if call.flagged]
        others = [call for call in own if not call.flagged]
        size = sample_size(len(own), rate_bp=rate_bp, per_collector=per_collector)
        # One generator per collector, seeded by both: adding a collector's calls does not
        # change another collector's draw.
        rng = random.Random(f"{seed}:{collector_id}")
        chosen = rng.sample(others, max(0, min(len(others), size - len(flagged))))
        drawn.extend(sorted(flagged + chosen, key=lambda call: call.activity_id))
    return drawn
