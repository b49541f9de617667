"""The guarantee period (保证期间) of a guarantee and whether it was preserved. Pure module
(no Django).

民法典 art. 692: the period is what the guarantee contract agreed; an agreed period that ends
before or together with the main debt's performance period counts as no agreement, and
with none (or an unclear one — "until principal and interest are repaid", 担保制度解释
art. 32) it is six months from the day the main debt's performance period ends. It cannot
be suspended, interrupted or extended. Art. 693: within it the creditor must demand payment
from a joint guarantor (连带责任保证), or sue or arbitrate against the debtor for a general
guarantee (一般保证); otherwise the guarantor is released. Art. 694: from that act the
ordinary three-year limitation period runs against the guarantor.

Counting (arts. 201–202): the starting day is not counted, and a period in months ends on
the corresponding day of the last month, or on that month's last day when it has none. So
six months from a final due date of 31 August end on 28 (or 29) February, from 15 January
on 15 July: ``add_months(start, 6)`` with month-end clamping. An agreed period in months is
counted the same way from the same start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from arrears.core.dates import add_months

DEFAULT_MONTHS = 6  # 民法典 art. 692 para 2
LIMITATION_YEARS = 3  # art. 694, the ordinary period of art. 188
ENDING_WINDOW_DAYS = 30  # the cycle flags a guarantee this many days before it ends

JOINT = "joint"
GENERAL = "general"
# ``LimitationEventKind`` names of the acts that preserve a guarantee (art. 693).
DEMAND = "demand"
LEGAL_ACTION = "legal_action"

RUNNING = "running"
PRESERVED = "preserved"
LAPSED = "lapsed"


def main_debt_ends_on(final_due_on: date | None, accelerated_on: date | None) -> date | None:
    """When the main debt's performance period ends: the last installment's due date, or
    the day the whole loan was declared due (加速到期) when that came earlier."""
    if accelerated_on is not None and (final_due_on is None or accelerated_on < final_due_on):
        return accelerated_on
    return final_due_on


def period_ends_on(
    kind: str,
    agreed_end: date | None,
    agreed_months: int | None,
    main_due_on: date | None,
    accelerated_on: date | None = None,
) -> date | None:
    """The last day of the guarantee period, or None when the main debt has no due date.

    ``kind`` (joint / general) does not move the date; it is taken so every caller states
    the guarantee it means. ``agreed_end`` wins over ``agreed_months``; either counts only
    when it ends after the main debt's performance period (art. 692 para 2), which ends on
    ``main_due_on`` (the final installment's due date) or on ``accelerated_on`` when the
    loan was accelerated before that. With no valid agreement: six months from that day.
    """
    del kind  # same period for both kinds; what preserves it differs (see ``status``)
    start = main_debt_ends_on(main_due_on, accelerated_on)
    if start is None:
        return agreed_end
    if agreed_end is not None and agreed_end > start:
        return agreed_end
    if agreed_months is not None and agreed_months > 0:
        return add_months(start, agreed_months)
    return add_months(start, DEFAULT_MONTHS)


def preserving_kinds(kind: str) -> frozenset[str]:
    """The event kinds that preserve a guarantee of ``kind`` (art. 693): a demand to a joint
    guarantor (a suit or arbitration naming them is a demand too), only a suit or
    arbitration for a general guarantee."""
    return frozenset({LEGAL_ACTION}) if kind == GENERAL else frozenset({DEMAND, LEGAL_ACTION})


def events_for(
    kind: str, party_id: int, events: Iterable[tuple[date, str, int | None]]
) -> list[tuple[date, str]]:
    """The (day, kind) of the loan's recorded acts that bear on the guarantee of ``party_id``:
    those recorded against that guarantor, and for a general guarantee also a suit or
    arbitration against the debtor recorded without a party. ``events`` are the loan's
    (day, kind, party id or None)."""
    return [
        (on, event)
        for on, event, party in events
        if party == party_id or (kind == GENERAL and party is None and event == LEGAL_ACTION)
    ]


def preserved_on(
    kind: str, ends_on: date | None, events: Iterable[tuple[date, str]]
) -> date | None:
    """The first preserving act on or before ``ends_on`` (the period's last day counts), or
    None. ``events`` are (day, kind) of the acts recorded for this guarantee; an act after
    the period does not revive it."""
    wanted = preserving_kinds(kind)
    days = [on for on, event in events if event in wanted and (ends_on is None or on <= ends_on)]
    return min(days, default=None)


@dataclass(frozen=True)
class GuaranteeState:
    """A guarantee on a business date: its period, the act that preserved it, and where it
    stands (``running`` / ``preserved`` / ``lapsed``)."""

    period_ends_on: date | None
    preserved_on: date | None
    status: str
    limitation_ends_on: date | None

    def is_ending(self, on: date, window: int = ENDING_WINDOW_DAYS) -> bool:
        """Still running and ending within ``window`` days of ``on`` (the cycle flag)."""
        return (
            self.status == RUNNING
            and self.period_ends_on is not None
            and 0 <= (self.period_ends_on - on).days <= window
        )


def guarantee_state(
    *,
    kind: str,
    agreed_end: date | None,
    agreed_months: int | None,
    main_due_on: date | None,
    accelerated_on: date | None,
    events: Iterable[tuple[date, str]],
    on: date,
) -> GuaranteeState:
    """Where a guarantee stands on ``on``.

    ``preserved`` once a preserving act inside the period is recorded (then the guarantor's
    three-year limitation runs from it: ``limitation_ends_on``); ``lapsed`` once the period
    ended without one; ``running`` otherwise. Acts dated after ``on`` are not yet known.
    """
    ends = period_ends_on(kind, agreed_end, agreed_months, main_due_on, accelerated_on)
    known = [(day, event) for day, event in events if day <= on]
    preserved = preserved_on(kind, ends, known)
    if preserved is not None:
        limitation = add_months(preserved, 12 * LIMITATION_YEARS)
        return GuaranteeState(ends, preserved, PRESERVED, limitation)
    if ends is not None and on > ends:
        return GuaranteeState(ends, None, LAPSED, None)
    return GuaranteeState(ends, None, RUNNING, None)
