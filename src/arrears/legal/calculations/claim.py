"""The claim on a loan on a date, itemised for a court. Pure module (no Django).

Every figure is the ledger's own (``portfolio.calculations.allocation.replay`` on the claim
date D), so the claim and the loan's page agree to the fen:
- ``principal``: all principal outstanding on D, fallen due or not (what a lawsuit asks
  back). The lines split it per installment into principal fallen due (due_on ≤ D) and
  principal not yet due; with ``accelerate`` (加速到期) the latter is stated as due on D.
- ``interest`` and ``fees``: the contractual interest and fees of installments fallen due
  (due_on ≤ D) and unpaid (due − paid − waived). Interest of periods not yet due is not
  claimed, not even the days of the current period (a lawyer adds them by hand if wanted).
- ``penalty``: the penalty outstanding on D (accrued − paid − waived) of every installment.
- ``costs``: the recoverable legal costs incurred on or before D.
- ``credit``: money received beyond what was due (held for later installments); it only
  exists when nothing is overdue, and is deducted from the total.
- ``total`` = principal + interest + fees + penalty + costs − credit.

Penalty lines explain the ledger's figure: per installment, one line per stretch of days
with the same unpaid principal (base × rate × days / day_count, shown to the fen), then, if
the rounded lines differ from the ledger's single rounding of Σ fen·days, a rounding line,
then the penalty already paid and waived as negative lines. The lines of each component add
up to its figure exactly.

The cap (``cap``) tests the charges (interest + fees + penalty; costs are not charges)
against the ceiling a court supports (``caps``): the allowance is the ceiling rate on the
principal outstanding each day from disbursement to D, less the charges already paid; any
claimed charge above what is left is the ``reduction``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from arrears.core.money import format_yuan, round_half_up
from arrears.legal.calculations.caps import CapRule, charges_allowance
from arrears.portfolio.calculations.allocation import InstallmentState, LoanState, LoanTerms

COMPONENT_ORDER: tuple[str, ...] = ("principal", "interest", "fees", "penalty", "costs", "credit")
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One line of the itemised calculation a judge can follow (amounts in fen).

    ``label`` is Chinese: it goes into court papers. ``period_from``/``period_to`` are the
    accrual days (both inclusive) of a penalty line; other lines carry the installment's due
    date (or the cost's date) in ``period_to``. ``base``, ``rate`` and ``days`` are set on
    penalty lines (and ``base`` = the contractual amount on interest and fee lines).
    """

    component: str
    label: str
    period_from: date | None
    period_to: date | None
    base: int | None
    rate: Decimal | None
    days: int | None
    amount: int


@dataclass(frozen=True, slots=True)
class ClaimCap:
    """The ceiling a court supports on the charges, and what it leaves of the claim (fen).

    ``supportable_charges`` = max(0, allowance − charges_paid); ``reduction`` =
    max(0, claimed_charges − supportable_charges); ``total_supportable`` = the claim's
    total − reduction.
    """

    rule: str
    annual_rate: Decimal
    supportable_charges: int
    reduction: int
    total_supportable: int
    lender_type: str = ""
    claimed_charges: int = 0
    charges_paid: int = 0
    allowance: int = 0
    principal_fen_days: int = 0
    contract_on: date | None = None
    lpr: Decimal | None = None
    lpr_effective_on: date | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """What a creditor claims for a loan on ``as_of`` (all amounts in fen); see the module
    docstring for the exact meaning of each figure."""

    loan_id: str
    as_of: date
    principal: int
    interest: int
    penalty: int
    fees: int
    costs: int
    total: int
    accelerated: bool
    cap: ClaimCap
    lines: tuple[ClaimLine, ...]
    principal_fallen_due: int = 0
    principal_not_yet_due: int = 0
    credit: int = 0
    lender_type: str = ""


@dataclass(frozen=True, slots=True)
class CostIn:
    """A recoverable legal cost as the claim sees it: its Chinese label, date and fen."""

    label: str
    incurred_on: date
    amount: int


@dataclass(frozen=True, slots=True)
class PenaltySegment:
    """Days ``first``..``last`` (inclusive) on which an installment accrued penalty on an
    unchanged unpaid principal ``base`` (fen)."""

    first: date
    last: date
    base: int

    @property
    def days(self) -> int:
        """How many days the stretch has."""
        return (self.last - self.first).days + 1


def principal_reductions(state: LoanState) -> dict[int, list[tuple[date, int]]]:
    """Per installment, the principal paid or waived as (first day it no longer accrues,
    fen): money paid on day d counts for day d itself, a waiver on d from d + 1 (the replay's
    rules, ``allocation`` module docstring)."""
    found: dict[int, list[tuple[date, int]]] = {}
    for line in state.allocations:
        if line.principal:
            start = line.applied_on + _ONE_DAY if line.waiver else line.applied_on
            found.setdefault(line.seq, []).append((start, line.principal))
    for reductions in found.values():
        reductions.sort()
    return found


def penalty_segments(
    item: InstallmentState,
    reductions: Sequence[tuple[date, int]],
    *,
    grace_days: int,
    as_of: date,
) -> list[PenaltySegment]:
    """The stretches of constant unpaid principal on which ``item`` accrued penalty through
    ``as_of``: days after due_on + grace, the principal unpaid after each day's payments.

    Their Σ base × days equals the replay's ``penalty_fen_days`` for the installment.
    """
    first = item.due_on + timedelta(days=grace_days + 1)
    if first > as_of:
        return []
    base = item.due.principal - sum(amount for day, amount in reductions if day <= first)
    segments: list[PenaltySegment] = []
    cursor = first
    for day, amount in reductions:
        if day <= first or day > as_of:
            continue
        if day > cursor:
            if base:
                segments.append(PenaltySegment(cursor, day - _ONE_DAY, base))
            cursor = day
        base -= amount
    if base:
        segments.append(PenaltySegment(cursor, as_of, base))
    return segments


def _penalty_lines(
    item: InstallmentState, segments: list[PenaltySegment], terms: LoanTerms
) -> list[ClaimLine]:
    rate = Fraction(terms.penalty_rate)
    lines = [
        ClaimLine(
            "penalty",
            f"第{item.seq}期罚息（逾期本金{format_yuan(segment.base)}元）",
            segment.first,
            segment.last,
            segment.base,
            terms.penalty_rate,
            segment.days,
            round_half_up(segment.base * segment.days * rate / terms.day_count),
        )
        for segment in segments
    ]
    # The ledger rounds Σ fen·days once per installment; segments rounded one by one can
    # differ by a fen or two, which is shown rather than hidden in a segment.
    rounding = item.due.penalty - sum(line.amount for line in lines)
    if rounding:
        label = f"第{item.seq}期罚息尾差（逐日累计后一次四舍五入）"
        lines.append(ClaimLine("penalty", label, None, None, None, None, None, rounding))
    if item.paid.penalty:
        label = f"第{item.seq}期已还罚息"
        lines.append(ClaimLine("penalty", label, None, None, None, None, None, -item.paid.penalty))
    if item.waived.penalty:
        label = f"第{item.seq}期已减免罚息"
        amount = -item.waived.penalty
        lines.append(ClaimLine("penalty", label, None, None, None, None, None, amount))
    return lines


def _principal_line(item: InstallmentState, as_of: date, accelerate: bool) -> ClaimLine:
    amount = item.outstanding.principal
    if item.due_on <= as_of:
        label = f"第{item.seq}期到期未还本金"
        return ClaimLine("principal", label, None, item.due_on, None, None, None, amount)
    if accelerate:
        label = f"第{item.seq}期本金（原定{item.due_on.isoformat()}到期，宣布提前到期）"
        return ClaimLine("principal", label, None, as_of, None, None, None, amount)
    label = f"第{item.seq}期未到期本金（{item.due_on.isoformat()}到期，按合同余额主张）"
    return ClaimLine("principal", label, None, item.due_on, None, None, None, amount)


def principal_fen_days(state: LoanState, *, disbursed_on: date, as_of: date) -> int:
    """Σ over the days disbursed_on .. as_of − 1 of the principal outstanding that day, after
    the day's payments: the day of disbursement counts and the claim date does not
    (算头不算尾), and principal repaid on a day no longer counts from that day."""
    balance = sum(item.due.principal for item in state.installments)
    changes = sorted(
        (day, amount)
        for reductions in principal_reductions(state).values()
        for day, amount in reductions
    )
    total = 0
    cursor = disbursed_on
    for day, amount in changes:
        if day >= as_of:
            break
        if day > cursor:
            total += balance * (day - cursor).days
            cursor = day
        balance -= amount
    if as_of > cursor:
        total += balance * (as_of - cursor).days
    return total


def _cap(
    state: LoanState, rule: CapRule, *, disbursed_on: date, claimed: int, total: int, day_count: int
) -> ClaimCap:
    fen_days = principal_fen_days(state, disbursed_on=disbursed_on, as_of=state.as_of)
    allowance = charges_allowance(fen_days, rule.annual_rate, day_count)
    paid = state.paid.interest + state.paid.fees + state.paid.penalty
    supportable = max(0, allowance - paid)
    reduction = max(0, claimed - supportable)
    return ClaimCap(
        rule=rule.rule,
        annual_rate=rule.annual_rate,
        supportable_charges=supportable,
        reduction=reduction,
        total_supportable=total - reduction,
        lender_type=rule.lender_type,
        claimed_charges=claimed,
        charges_paid=paid,
        allowance=allowance,
        principal_fen_days=fen_days,
        contract_on=rule.contract_on,
        lpr=rule.lpr,
        lpr_effective_on=rule.lpr_effective_on,
    )


def claim_calculate(
    *,
    loan_id: str,
    state: LoanState,
    terms: LoanTerms,
    disbursed_on: date,
    costs: Sequence[CostIn],
    cap_rule: CapRule,
    accelerate: bool = False,
) -> Claim:
    """The claim on ``state.as_of`` from the loan's replayed ``state`` (with its allocation
    lines), its ``terms``, its recoverable ``costs`` and the ceiling ``cap_rule``."""
    as_of = state.as_of
    reductions = principal_reductions(state)
    by_component: dict[str, list[ClaimLine]] = {name: [] for name in COMPONENT_ORDER}
    fallen_due = not_yet_due = 0
    for item in state.installments:
        if item.outstanding.principal:
            by_component["principal"].append(_principal_line(item, as_of, accelerate))
            if item.due_on <= as_of:
                fallen_due += item.outstanding.principal
            else:
                not_yet_due += item.outstanding.principal
        if item.due_on <= as_of and item.outstanding.interest:
            label = f"第{item.seq}期未还利息"
            by_component["interest"].append(
                ClaimLine(
                    "interest",
                    label,
                    None,
                    item.due_on,
                    item.due.interest,
                    None,
                    None,
                    item.outstanding.interest,
                )
            )
        if item.due_on <= as_of and item.outstanding.fees:
            label = f"第{item.seq}期未还费用"
            by_component["fees"].append(
                ClaimLine(
                    "fees",
                    label,
                    None,
                    item.due_on,
                    item.due.fees,
                    None,
                    None,
                    item.outstanding.fees,
                )
            )
        if item.outstanding.penalty:
            segments = penalty_segments(
                item, reductions.get(item.seq, ()), grace_days=terms.grace_days, as_of=as_of
            )
            by_component["penalty"].extend(_penalty_lines(item, segments, terms))
    for cost in sorted(costs, key=lambda cost: cost.incurred_on):
        by_component["costs"].append(
            ClaimLine("costs", cost.label, None, cost.incurred_on, None, None, None, cost.amount)
        )
    if state.credit_balance:
        label = "已收款项余额（冲抵未到期款项）"
        by_component["credit"].append(
            ClaimLine("credit", label, None, as_of, None, None, None, -state.credit_balance)
        )
    sums = {name: sum(line.amount for line in lines) for name, lines in by_component.items()}
    total = sum(sums.values())
    claimed_charges = sums["interest"] + sums["fees"] + sums["penalty"]
    cap = _cap(
        state,
        cap_rule,
        disbursed_on=disbursed_on,
        claimed=claimed_charges,
        total=total,
        day_count=terms.day_count,
    )
    return Claim(
        loan_id=loan_id,
        as_of=as_of,
        principal=sums["principal"],
        interest=sums["interest"],
        penalty=sums["penalty"],
        fees=sums["fees"],
        costs=sums["costs"],
        total=total,
        accelerated=accelerate,
        cap=cap,
        lines=tuple(line for name in COMPONENT_ORDER for line in by_component[name]),
        principal_fallen_due=fallen_due,
        principal_not_yet_due=not_yet_due,
        credit=state.credit_balance,
        lender_type=cap_rule.lender_type,
    )
