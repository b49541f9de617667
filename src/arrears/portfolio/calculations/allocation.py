"""The replay: allocation of payments, penalty accrual and a loan's state on a business date.

Pure module (no Django). The reference semantics (docs/reference-semantics.md):
- payments count on ``paid_on`` and apply in order of (paid_on, payment key); inside a
  payment, oldest installment first; inside an installment by the allocation order
  (default fees → penalty → interest → principal, 民法典 art. 561);
- only installments with due_on ≤ the payment day take money; the penalty a payment on
  day d can settle is what accrued through d − 1;
- an installment accrues penalty on each day d with due_on + grace_days < d ≤ D, on its
  principal unpaid after the payments of day d; per installment the exact Σ fen·days is
  kept and rounded once (``accrual.penalty_from_fen_days``);
- money beyond what is due is credit, held first-in first-out by payment, that settles
  later installments at the start of their due dates;
- an installment is overdue on D when D > due_on and anything of it is unpaid after the
  payments of D; DPD = D − due_on of the oldest overdue installment;
- a waiver (减免) on day d counts after the payments of d, so it is judged against the
  state on d that the person granting it saw: it lowers only the components it names, of
  the installments due through d (oldest first), then, for principal, of those not yet
  due (earliest first), never below zero; what finds nothing to lower is dropped, never
  kept as credit. The penalty it can lower is what accrued through d, and waived
  principal accrues no penalty from d + 1. A waiver is never money received: it is in
  ``waived``, not ``paid``, and its allocation lines say ``waiver``.

Accrual is lazy: an installment's unpaid principal only changes when money reaches it, so
its fen·days are brought up to date just before that (and once at the end), never day by
day. A 360-period loan with a hundred payments replays in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from arrears.portfolio.calculations.delinquency import bucket_for
from arrears.portfolio.calculations.schedule import ScheduledInstallment

ALLOCATION_ORDER_DEFAULT: tuple[str, ...] = ("fees", "penalty", "interest", "principal")
COMPONENTS: tuple[str, ...] = ("principal", "interest", "fees", "penalty")
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """What the replay needs of a loan's contract beyond its schedule."""

    penalty_rate: Decimal
    grace_days: int = 0
    day_count: int = 360
    allocation_order: tuple[str, ...] = ALLOCATION_ORDER_DEFAULT

    def __post_init__(self) -> None:
        if sorted(self.allocation_order) != sorted(COMPONENTS):
            raise ValueError(
                f"allocation order must name each of {', '.join(COMPONENTS)} once, "
                f"not {', '.join(self.allocation_order)}"
            )


@dataclass(frozen=True, slots=True)
class PaymentIn:
    """A payment as the replay sees it: the creditor's id, the day it counts, the fen."""

    key: str
    paid_on: date
    amount: int


@dataclass(frozen=True, slots=True)
class WaiverIn:
    """A waiver as the replay sees it: its reference, the day it counts, fen per component."""

    key: str
    waived_on: date
    principal: int = 0
    interest: int = 0
    fees: int = 0
    penalty: int = 0


@dataclass(slots=True)
class Components:
    """An amount split by component, in fen."""

    principal: int = 0
    interest: int = 0
    fees: int = 0
    penalty: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fees + self.penalty

    def __add__(self, other: Components) -> Components:
        return Components(
            self.principal + other.principal,
            self.interest + other.interest,
            self.fees + other.fees,
            self.penalty + other.penalty,
        )

    def __sub__(self, other: Components) -> Components:
        return Components(
            self.principal - other.principal,
            self.interest - other.interest,
            self.fees - other.fees,
            self.penalty - other.penalty,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "principal": self.principal,
            "interest": self.interest,
            "fees": self.fees,
            "penalty": self.penalty,
        }


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """Money of one payment applied to one installment on one day, by component."""

    payment_key: str
    seq: int
    applied_on: date
    principal: int
    interest: int
    fees: int
    penalty: int
    waiver: bool = False  # a waiver's key, not a payment's: no money moved

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fees + self.penalty


@dataclass(slots=True)
class InstallmentState:
    """One installment on the replay date: due (penalty = accrued), paid, waived and
    outstanding (due − paid − waived)."""

    seq: int
    due_on: date
    due: Components
    paid: Components
    outstanding: Components
    penalty_fen_days: int
    is_overdue: bool
    waived: Components = field(default_factory=Components)


@dataclass(slots=True)
class LoanState:
    """A loan on business date ``as_of``, exactly as its payments replay."""

    as_of: date
    installments: list[InstallmentState]
    allocations: list[AllocationLine]
    dpd: int
    bucket: str
    overdue: Components
    penalty_accrued: int
    credit_balance: int
    principal_outstanding: int
    next_due_on: date | None
    oldest_overdue_due_on: date | None
    paid: Components = field(default_factory=Components)
    waived: Components = field(default_factory=Components)


@dataclass(slots=True)
class _Fund:
    """Money of one payment not yet applied (a payment in progress, or credit)."""

    key: str
    amount: int


class _Replay:
    """Mutable working state of one replay; arrays indexed by installment position."""

    def __init__(
        self,
        items: list[ScheduledInstallment],
        terms: LoanTerms,
        lines: dict[tuple[str, int, date], list[int]] | None,
    ) -> None:
        self.items = items
        self.terms = terms
        self.paid = [[0, 0, 0, 0] for _ in items]  # principal, interest, fees, penalty
        self.waived = [[0, 0, 0, 0] for _ in items]
        self.waiver_lines: dict[tuple[str, int, date], list[int]] = {}
        self.fen_days = [0] * len(items)
        grace = timedelta(days=terms.grace_days)
        # Accrual counted through this date; days after due_on + grace accrue.
        self.accrued_through = [item.due_on + grace for item in items]
        self.lines = lines
        self.order = [COMPONENTS.index(name) for name in terms.allocation_order]
        # The rate as an exact fraction once, not per call: the replay asks for penalties
        # many times per installment.
        numerator, denominator = Decimal(terms.penalty_rate).as_integer_ratio()
        self.rate_num, self.rate_den = numerator, denominator * terms.day_count

    def accrue(self, index: int, through: date) -> None:
        start = self.accrued_through[index]
        if through > start:
            unpaid = self.items[index].principal - self.paid[index][0] - self.waived[index][0]
            if unpaid:
                self.fen_days[index] += unpaid * (through - start).days
            self.accrued_through[index] = through

    def penalty(self, index: int) -> int:
        # penalty_from_fen_days with the fraction already taken apart (round half up).
        return (2 * self.fen_days[index] * self.rate_num + self.rate_den) // (2 * self.rate_den)

    def need(self, index: int, component: int) -> int:
        item = self.items[index]
        settled = self.paid[index][component] + self.waived[index][component]
        if component == 3:
            return self.penalty(index) - settled
        due = (item.principal, item.interest, item.fees)[component]
        return due - settled

    def pour(self, index: int, day: date, funds: list[_Fund]) -> None:
        """Settle installment ``index`` on ``day`` from ``funds``, first in first out."""
        self.accrue(index, day - _ONE_DAY)
        seq = self.items[index].seq
        for component in self.order:
            need = self.need(index, component)
            while need > 0 and funds:
                fund = funds[0]
                take = min(need, fund.amount)
                self.paid[index][component] += take
                if self.lines is not None:
                    line = self.lines.setdefault((fund.key, seq, day), [0, 0, 0, 0])
                    line[component] += take
                need -= take
                fund.amount -= take
                if not fund.amount:
                    funds.pop(0)

    def waive(self, index: int, day: date, key: str, left: list[int], parts: range) -> None:
        """Lower components ``parts`` of installment ``index`` on ``day`` by what is left
        of a waiver (``left``, by component), never below zero."""
        self.accrue(index, day)
        for component in parts:
            take = min(self.need(index, component), left[component])
            if take > 0:
                self.waived[index][component] += take
                left[component] -= take
                if self.lines is not None:
                    seq = self.items[index].seq
                    line = self.waiver_lines.setdefault((key, seq, day), [0, 0, 0, 0])
                    line[component] += take

    def settled(self, index: int) -> bool:
        return all(self.need(index, component) <= 0 for component in range(4))


def replay(
    *,
    installments: Sequence[ScheduledInstallment],
    payments: Iterable[PaymentIn],
    terms: LoanTerms,
    as_of: date,
    allocations: bool = True,
    waivers: Iterable[WaiverIn] = (),
) -> LoanState:
    """The state of a loan on ``as_of``: its payments and waivers (those up to ``as_of``)
    replayed.

    ``allocations=False`` leaves out the allocation lines (the daily cycle keeps states,
    not lines, and saves the bookkeeping).
    """
    items = sorted(installments, key=lambda item: (item.due_on, item.seq))
    ordered = sorted(
        (p for p in payments if p.paid_on <= as_of and p.amount > 0),
        key=lambda p: (p.paid_on, p.key),
    )
    lines: dict[tuple[str, int, date], list[int]] = {}
    work = _Replay(items, terms, lines if allocations else None)
    credit: list[_Fund] = []  # held for the due dates of later installments
    due_days = sorted({item.due_on for item in items if item.due_on <= as_of})
    waivers_by_day: dict[date, list[WaiverIn]] = {}
    for waiver in sorted(
        (w for w in waivers if w.waived_on <= as_of), key=lambda w: (w.waived_on, w.key)
    ):
        waivers_by_day.setdefault(waiver.waived_on, []).append(waiver)
    event_days = sorted(set(due_days) | {p.paid_on for p in ordered} | set(waivers_by_day))
    by_day: dict[date, list[PaymentIn]] = {}
    for payment in ordered:
        by_day.setdefault(payment.paid_on, []).append(payment)
    first_open = 0  # installments before this one are settled for good
    due_count = 0  # installments with due_on ≤ the current day
    for day in event_days:
        while due_count < len(items) and items[due_count].due_on <= day:
            newly_due = due_count
            due_count += 1
            if credit and items[newly_due].due_on == day:
                work.pour(newly_due, day, credit)
        for payment in by_day.get(day, ()):
            funds = [_Fund(payment.key, payment.amount)]
            for index in range(first_open, due_count):
                if not funds:
                    break
                work.pour(index, day, funds)
            credit.extend(funds)
        for waiver in waivers_by_day.get(day, ()):
            left = [waiver.principal, waiver.interest, waiver.fees, waiver.penalty]
            for index in range(first_open, due_count):
                work.waive(index, day, waiver.key, left, range(4))
            for index in range(due_count, len(items)):
                if not left[0]:
                    break
                work.waive(index, day, waiver.key, left, range(1))
        # Settled with no principal left, an installment never accrues or takes money again.
        while first_open < due_count and work.settled(first_open):
            first_open += 1

    states: list[InstallmentState] = []
    overdue = Components()
    total_paid = Components()
    total_waived = Components()
    oldest_overdue: date | None = None
    penalty_accrued = 0
    principal_outstanding = 0
    next_due_on: date | None = None
    for index, item in enumerate(items):
        work.accrue(index, as_of)
        penalty = work.penalty(index)
        penalty_accrued += penalty
        p, i, f, n = work.paid[index]
        due = Components(item.principal, item.interest, item.fees, penalty)
        paid = Components(p, i, f, n)
        waived = Components(*work.waived[index])
        outstanding = due - paid - waived
        is_overdue = as_of > item.due_on and outstanding.total > 0
        if is_overdue:
            overdue = overdue + outstanding
            if oldest_overdue is None:
                oldest_overdue = item.due_on
        if item.due_on > as_of and outstanding.total > 0 and next_due_on is None:
            next_due_on = item.due_on
        principal_outstanding += outstanding.principal
        total_paid = total_paid + paid
        total_waived = total_waived + waived
        states.append(
            InstallmentState(
                item.seq,
                item.due_on,
                due,
                paid,
                outstanding,
                work.fen_days[index],
                is_overdue,
                waived,
            )
        )
    dpd = (as_of - oldest_overdue).days if oldest_overdue else 0
    lines_out = [
        AllocationLine(key, seq, day, p, i, f, n, waiver)
        for waiver, journal in ((False, lines), (True, work.waiver_lines))
        for (key, seq, day), (p, i, f, n) in journal.items()
    ]
    return LoanState(
        as_of=as_of,
        installments=states,
        allocations=lines_out,
        dpd=dpd,
        bucket=bucket_for(dpd),
        overdue=overdue,
        penalty_accrued=penalty_accrued,
        credit_balance=sum(fund.amount for fund in credit),
        principal_outstanding=principal_outstanding,
        next_due_on=next_due_on,
        oldest_overdue_due_on=oldest_overdue,
        paid=total_paid,
        waived=total_waived,
    )
