"""A deliberately naive replay that walks day by day, written straight from the rules.

It is slow and obviously faithful to the reference semantics; the real replay (lazy,
event-driven) must agree with it on every input the property tests generate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from arrears.core.money import round_half_up
from arrears.portfolio.calculations.allocation import LoanTerms, PaymentIn
from arrears.portfolio.calculations.schedule import ScheduledInstallment


@dataclass
class OracleInstallment:
    item: ScheduledInstallment
    paid: dict[str, int] = field(
        default_factory=lambda: {"principal": 0, "interest": 0, "fees": 0, "penalty": 0}
    )
    fen_days: int = 0

    def penalty(self, terms: LoanTerms) -> int:
        return round_half_up(Decimal(self.fen_days) * terms.penalty_rate / terms.day_count)

    def need(self, component: str, terms: LoanTerms) -> int:
        if component == "penalty":
            return self.penalty(terms) - self.paid["penalty"]
        return int(getattr(self.item, component)) - self.paid[component]


@dataclass
class OracleState:
    dpd: int
    credit: int
    penalty_accrued: int
    paid: list[dict[str, int]]


def daily_replay(
    installments: list[ScheduledInstallment],
    payments: list[PaymentIn],
    terms: LoanTerms,
    as_of: date,
) -> OracleState:
    book = [OracleInstallment(item) for item in sorted(installments, key=lambda i: i.due_on)]
    todo = sorted((p for p in payments if p.paid_on <= as_of), key=lambda p: (p.paid_on, p.key))
    credit = 0
    start = min([book[0].item.due_on, *(p.paid_on for p in todo)])
    day = start
    while day <= as_of:
        for entry in book:  # credit settles installments on their due dates
            if entry.item.due_on == day:
                for component in terms.allocation_order:
                    take = min(entry.need(component, terms), credit)
                    entry.paid[component] += take
                    credit -= take
        for payment in (p for p in todo if p.paid_on == day):
            left = payment.amount
            for entry in book:
                if entry.item.due_on > day:
                    continue
                for component in terms.allocation_order:
                    take = min(entry.need(component, terms), left)
                    entry.paid[component] += take
                    left -= take
            credit += left
        for entry in book:  # accrue day d on principal unpaid after day d's payments
            if day > entry.item.due_on + timedelta(days=terms.grace_days):
                entry.fen_days += entry.item.principal - entry.paid["principal"]
        day += timedelta(days=1)
    dpd = 0
    for entry in book:
        unpaid = sum(entry.need(c, terms) for c in ("principal", "interest", "fees", "penalty"))
        if as_of > entry.item.due_on and unpaid > 0:
            dpd = (as_of - entry.item.due_on).days
            break
    return OracleState(
        dpd=dpd,
        credit=credit,
        penalty_accrued=sum(entry.penalty(terms) for entry in book),
        paid=[dict(entry.paid) for entry in book],
    )
