"""Assignment rules (分案): which collector of a team gets each case of the team's pool.

Pure module: no Django import. The daily batch (``cases.batch.assignment``) reads the team's
collectors, their load and the pool, calls ``assign`` and writes the result.

The rules, in order:

1. **Same borrower, same collector** (when the team has it on): a borrower who already has
   a collector in this team keeps that collector, so the borrower hears one voice and the
   collector sees the whole debt. Only while that collector has room.
2. **The team's method** for everything else:

   - *round robin* (轮流): cases in id order, each to the next collector in id order that
     has room, continuing after the collector who got the last round-robin case (the
     cursor), so a team's daily intake is shared evenly across days, not restarted at the
     same person every morning;
   - *balanced amount* (金额均衡): largest cases first, each to the collector with the least
     overdue amount assigned so far, so the money each one chases evens out.

3. **Capacity**: nobody is given more open cases than their capacity; a case that fits
   nobody stays in the team pool (unassigned) for the next day or for a manual assignment.

Everything is deterministic: the same input always gives the same placements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Rule names as ``cases.choices.AssignmentRule`` spells them (a test keeps them equal).
SAME_BORROWER = "same_borrower"
ROUND_ROBIN = "round_robin"
BALANCED_AMOUNT = "balanced_amount"
METHODS = (ROUND_ROBIN, BALANCED_AMOUNT)


@dataclass(frozen=True)
class Collector:
    """A collector (or field agent) of the team: how many open cases they may hold, how many
    they hold now, and the overdue amount (fen) of those cases."""

    id: int
    capacity: int
    open_cases: int = 0
    assigned_amount: int = 0


@dataclass(frozen=True)
class PoolCase:
    """An unassigned open case of the team: its borrower (party id, when known) and the
    overdue amount (fen) it carries."""

    id: int
    borrower_id: int | None
    amount: int


@dataclass(frozen=True)
class Placement:
    """The decision for one case: it goes to ``collector_id`` by ``rule``."""

    case_id: int
    collector_id: int
    rule: str


@dataclass
class _Load:
    """A collector's load while the assignment runs."""

    collector: Collector
    open_cases: int
    amount: int

    @property
    def has_room(self) -> bool:
        return self.open_cases < self.collector.capacity

    def take(self, case: PoolCase) -> None:
        self.open_cases += 1
        self.amount += case.amount


def assign(
    *,
    collectors: Iterable[Collector],
    cases: Iterable[PoolCase],
    method: str,
    same_borrower: bool = True,
    borrower_links: Mapping[int, Sequence[int]] | None = None,
    last_collector_id: int | None = None,
) -> list[Placement]:
    """Decide who gets each case of ``cases``; cases left out stay in the team pool.

    ``borrower_links`` maps a borrower's party id to the collectors who already work that
    borrower's other cases, preferred first; only those in ``collectors`` count. Cases of
    the same borrower in this batch follow the first one's collector. ``last_collector_id``
    is the round-robin cursor: the collector who got the team's previous round-robin case.
    """
    if method not in METHODS:
        raise ValueError(f"unknown assignment method {method!r}")
    loads = {c.id: _Load(c, c.open_cases, c.assigned_amount) for c in collectors}
    links: dict[int, list[int]] = {
        borrower: [cid for cid in ids if cid in loads]
        for borrower, ids in (borrower_links or {}).items()
    }
    placements: list[Placement] = []
    rest: list[PoolCase] = []

    for case in sorted(cases, key=lambda c: c.id):
        if same_borrower and case.borrower_id is not None:
            for collector_id in links.get(case.borrower_id, ()):
                if loads[collector_id].has_room:
                    loads[collector_id].take(case)
                    placements.append(Placement(case.id, collector_id, SAME_BORROWER))
                    break
            else:
                rest.append(case)
        else:
            rest.append(case)

    # The borrower's first case decides for the borrower's other cases in this batch.
    def remember(case: PoolCase, collector_id: int) -> None:
        if same_borrower and case.borrower_id is not None:
            links.setdefault(case.borrower_id, []).insert(0, collector_id)

    if method == ROUND_ROBIN:
        order = sorted(loads)
        start = _after(order, last_collector_id)
        for case in rest:
            target = _linked_with_room(case, links, loads, same_borrower)
            rule = SAME_BORROWER
            if target is None:
                rule = ROUND_ROBIN
                for step in range(len(order)):
                    candidate = order[(start + step) % len(order)]
                    if loads[candidate].has_room:
                        target = candidate
                        start = (start + step + 1) % len(order)
                        break
            if target is None:
                continue
            loads[target].take(case)
            placements.append(Placement(case.id, target, rule))
            remember(case, target)
    else:
        for case in sorted(rest, key=lambda c: (-c.amount, c.id)):
            target = _linked_with_room(case, links, loads, same_borrower)
            rule = SAME_BORROWER
            if target is None:
                rule = BALANCED_AMOUNT
                open_ = [load for load in loads.values() if load.has_room]
                if open_:
                    target = min(
                        open_, key=lambda load: (load.amount, load.open_cases, load.collector.id)
                    ).collector.id
            if target is None:
                continue
            loads[target].take(case)
            placements.append(Placement(case.id, target, rule))
            remember(case, target)
    return sorted(placements, key=lambda p: p.case_id)


def _after(order: Sequence[int], cursor: int | None) -> int:
    """Index in ``order`` of the first collector after ``cursor`` (wrapping round); a cursor
    who has left the team still marks the place in the id order."""
    if cursor is None or not order:
        return 0
    for index, collector_id in enumerate(order):
        if collector_id > cursor:
            return index
    return 0


def _linked_with_room(
    case: PoolCase,
    links: Mapping[int, Sequence[int]],
    loads: Mapping[int, _Load],
    same_borrower: bool,
) -> int | None:
    """A collector of this borrower (one given another of the borrower's cases earlier in
    this batch comes first) who still has room."""
    if not same_borrower or case.borrower_id is None:
        return None
    for collector_id in links.get(case.borrower_id, ()):
        if loads[collector_id].has_room:
            return collector_id
    return None
