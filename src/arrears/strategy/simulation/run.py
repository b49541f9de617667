"""``playbook_simulate``: a playbook's versions replayed over the closed days of a period,
side by side, without sending, planning or writing anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from arrears.strategy.simulation.costs import channel_costs
from arrears.strategy.simulation.judging import Judge, contact_key
from arrears.strategy.simulation.replay import PlaybookReplay
from arrears.strategy.simulation.stored import (
    case_days,
    closed_days,
    loan_parties,
    paused_on,
    plan_pauses,
    segments_before,
    stage_entries,
    versions_chosen,
)
from arrears.strategy.simulation.tally import VersionTally


@dataclass(frozen=True)
class Simulation:
    """A finished simulation: what was replayed, over which days, at which unit costs, and
    one tally per version in the order asked."""

    playbook: str
    title: str
    first: date
    last: date
    days: int
    costs: dict[str, int]
    tallies: list[VersionTally]


def playbook_simulate(
    *, playbook: str, versions: Sequence[int] = (), first: date, last: date
) -> Simulation:
    """Replay ``playbook`` (its ``versions``, else its current one) over the closed days
    ``first``–``last``: each day one read of every open case with its stored DPD, the
    version's choice, stage and due actions in memory, the gate asked about every contact
    read-only (``Judge``). ``InvalidInput`` for an unknown playbook or version, a period
    that ends before it starts, or a day the cycle did not close.

    Runs in a transaction that is always rolled back: the replay only reads, and the
    rollback makes sure it leaves nothing behind whatever a reader does."""
    costs = channel_costs()
    with transaction.atomic():
        try:
            return _simulate(playbook, versions, first, last, costs)
        finally:
            transaction.set_rollback(True)


def _simulate(
    name: str, numbers: Sequence[int], first: date, last: date, costs: dict[str, int]
) -> Simulation:
    chosen = versions_chosen(name, numbers)
    days = closed_days(first, last)
    before = segments_before(chosen.playbook)
    entries = stage_entries(
        first,
        [
            (stage.from_dpd, stage.to_dpd)
            for version in chosen.versions
            for stage in version.definition.stages
        ],
    )
    replays = [
        PlaybookReplay(version.definition, before=before, entries=entries)
        for version in chosen.versions
    ]
    tallies = [
        VersionTally(version.number, version.definition.title, version.current)
        for version in chosen.versions
    ]
    parties = loan_parties(first, last)
    pauses = plan_pauses(first, last)
    judge = Judge(first, last)
    for on in days:
        cases = case_days(on)
        paused = paused_on(pauses, on)
        planned = []
        for replay, tally in zip(replays, tallies, strict=True):
            held, due = replay.day(on, cases, parties, paused)
            tally.cases.update(held)
            planned.append(due)
        answers = judge.day(on, [action for due in planned for action in due])
        for tally, due in zip(tallies, planned, strict=True):
            for action in due:
                tally.add(action, answers.get(contact_key(action)) if action.channel else None)
    return Simulation(
        playbook=chosen.playbook.name,
        title=chosen.playbook.title,
        first=first,
        last=last,
        days=len(days),
        costs=costs,
        tallies=tallies,
    )
