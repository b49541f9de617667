"""A playbook version replayed over stored days: which cases it takes, the stage each is
in, and the actions its rules make due — the plan step's decisions, made in memory.

Pure module: no Django import. The readers (``stored``) hand it each closed day's open
cases as ``CaseDay`` rows, one pass per day over all of them; it answers with the day's
``DueAction``s. The timing is ``strategy.definition.is_due``, the formula the set-based
planner (``strategy.due``) mirrors in SQL, so a replay plans what the cycle would have.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.strategy.definition import (
    CHANNEL_OF,
    PlaybookDefinition,
    Segment,
    Stage,
    is_due,
    stage_for,
)

# Loan parties by loan id, then by role: what a rule's ``target`` reaches.
Parties = Mapping[int, Mapping[str, Sequence[int]]]


@dataclass(frozen=True, slots=True)
class CaseDay:
    """An open case on one closed day as the cycle stored it: the loan's DPD, classification
    and overdue amount that day (``cycle_loanhistory``) and what segments look at."""

    case_id: int
    loan_id: int
    creditor_id: int
    opened_on: date
    dpd: int
    classification: str
    overdue_fen: int
    creditor: str
    product: str
    guarantee_type: str
    branch: str


@dataclass(frozen=True, slots=True)
class DueAction:
    """One action a rule makes due for one party of a case on a day; ``channel`` is "" for
    an internal task (placement, legal referral, review) that never reaches the debtor."""

    case_id: int
    loan_id: int
    creditor_id: int
    party_id: int
    role: str
    type: str
    channel: str
    clock: str  # HH:MM in the debtors' zone


def segment_matches(segment: Segment, case: CaseDay) -> bool:
    """Whether ``case`` falls in ``segment`` (an empty criterion matches any case), read as
    ``strategy.playbook_choice`` reads it in SQL: overdue amount bounds inclusive."""
    if segment.creditors and case.creditor not in segment.creditors:
        return False
    if segment.products and case.product not in segment.products:
        return False
    if segment.guarantee_types and case.guarantee_type not in segment.guarantee_types:
        return False
    if segment.branches and case.branch not in segment.branches:
        return False
    if segment.classifications and case.classification not in segment.classifications:
        return False
    if segment.amount_min_fen is not None and case.overdue_fen < segment.amount_min_fen:
        return False
    return segment.amount_max_fen is None or case.overdue_fen <= segment.amount_max_fen


class PlaybookReplay:
    """One playbook version walked forward day by day over the stored cases.

    A case is taken the first day it is seen when the version's segment matches it and no
    playbook ranked before this one (``before``: the segments of the active playbooks of
    higher priority) matches it; the choice then holds until the case closes, as the plan
    step's assignment does. Its stage is the one its DPD falls in. A case already open
    when the period starts entered it the day the stored history says (``entries``), else
    the day its DPD reached the stage's start (a loan that does not pay gains a day of DPD
    a day), not before the case opened. Later it enters a new stage the day its DPD moves
    into one, and keeps its stage while no stage covers its DPD, as the plan step does.
    """

    def __init__(
        self,
        definition: PlaybookDefinition,
        *,
        before: Sequence[Segment] = (),
        entries: Mapping[tuple[int, int | None, int], date] | None = None,
    ):
        self.definition = definition
        self.before = tuple(before)
        # (stage from, to DPD, case id) → the day a case open before the period entered the
        # stage as the cycle saw it (``stored.stage_entries``).
        self.entries = entries or {}
        self._taken: dict[int, bool] = {}
        self._stages: dict[int, tuple[Stage, date]] = {}

    def _takes(self, case: CaseDay) -> bool:
        taken = self._taken.get(case.case_id)
        if taken is None:
            taken = segment_matches(self.definition.segment, case) and not any(
                segment_matches(segment, case) for segment in self.before
            )
            self._taken[case.case_id] = taken
        return taken

    def _stage(self, case: CaseDay, on: date) -> tuple[Stage, date] | None:
        """The case's stage on ``on`` and the day it entered it, moving it when its DPD
        falls in another stage."""
        current = self._stages.get(case.case_id)
        found = stage_for(self.definition, case.dpd)
        if found is None:
            return current
        if current is None:
            since = self.entries.get((found.from_dpd, found.to_dpd, case.case_id))
            if since is None:
                since = on - timedelta(days=max(case.dpd - found.from_dpd, 0))
            current = (found, max(since, case.opened_on))
        elif current[0].name != found.name:
            current = (found, on)
        self._stages[case.case_id] = current
        return current

    def day(
        self,
        on: date,
        cases: Iterable[CaseDay],
        parties: Parties,
        paused: Collection[int] = (),
    ) -> tuple[list[int], list[DueAction]]:
        """The cases this version holds on ``on`` and the actions due for them that day
        (none for a ``paused`` case: its borrower keeps a repayment plan)."""
        held: list[int] = []
        due: list[DueAction] = []
        for case in cases:
            if not self._takes(case):
                continue
            held.append(case.case_id)
            staged = self._stage(case, on)
            if staged is None or case.case_id in paused:
                continue
            stage, entered = staged
            stage_day = (on - entered).days + 1
            roles = parties.get(case.loan_id, {})
            for rule in stage.actions:
                if not is_due(rule, dpd=case.dpd, stage_day=stage_day):
                    continue
                channel = CHANNEL_OF.get(rule.type) or ""
                for party_id in roles.get(rule.target, ()):
                    due.append(
                        DueAction(
                            case.case_id,
                            case.loan_id,
                            case.creditor_id,
                            party_id,
                            rule.target,
                            rule.type,
                            channel,
                            rule.time,
                        )
                    )
        return held, due
