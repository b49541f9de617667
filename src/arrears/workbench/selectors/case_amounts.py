"""What a case's loan owes on the business date, as the case page shows it: the replay of
its schedule, payments and waivers (exact to the fen), by component."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arrears.core.frozen import FrozenQuery
from arrears.core.money import format_yuan_grouped
from arrears.portfolio.calculations.allocation import Components, LoanState, PaymentIn, replay
from arrears.portfolio.models import Loan, Payment
from arrears.portfolio.selectors import installments_of, loan_terms, waivers_of


@dataclass(frozen=True)
class Amounts:
    """Amounts by component, in fen."""

    principal: int = 0
    interest: int = 0
    fees: int = 0
    penalty: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fees + self.penalty

    def yuan(self) -> dict[str, str]:
        return {
            "principal": format_yuan_grouped(self.principal),
            "interest": format_yuan_grouped(self.interest),
            "fees": format_yuan_grouped(self.fees),
            "penalty": format_yuan_grouped(self.penalty),
            "total": format_yuan_grouped(self.total),
        }

    @classmethod
    def of(cls, parts: Components) -> Amounts:
        return cls(parts.principal, parts.interest, parts.fees, parts.penalty)


@dataclass(frozen=True)
class PaymentView:
    payment_id: str
    paid_on: date
    amount: int
    channel: str

    @property
    def amount_yuan(self) -> str:
        return format_yuan_grouped(self.amount)


@dataclass(frozen=True)
class LoanAmounts:
    """The loan on the business date: its replayed state, what is overdue and outstanding,
    and the payments that count by then."""

    state: LoanState
    overdue: Amounts
    outstanding: Amounts
    payments: list[PaymentView]


_PAYMENTS = FrozenQuery(
    lambda loan_id: (
        Payment.objects.filter(loan_id=loan_id)
        .order_by("paid_on", "payment_id")
        .values_list("payment_id", "paid_on", "amount", "channel")
    )
)


def amounts_on(loan: Loan, on: date, *, waived: bool = True) -> LoanAmounts:
    """The replay of ``loan``'s schedule, payments and waivers on business date ``on``.
    Three queries (payments, installments, waivers); two when the caller knows the loan has
    no waiver (``waived=False``, ``case_presence``)."""
    # Every payment of the loan, those after ``on`` left out here: the statement is the
    # same for every loan and date, so it is compiled once (``core.frozen``).
    payments = [PaymentView(*row) for row in _PAYMENTS.list(loan_id=loan.pk) if row[1] <= on]
    state = replay(
        installments=installments_of(loan),
        payments=[
            PaymentIn(key=p.payment_id, paid_on=p.paid_on, amount=p.amount) for p in payments
        ],
        terms=loan_terms(loan),
        as_of=on,
        allocations=False,
        waivers=waivers_of(loan, through=on) if waived else [],
    )
    outstanding = Components()
    for item in state.installments:
        outstanding = outstanding + item.outstanding
    return LoanAmounts(
        state=state,
        overdue=Amounts.of(state.overdue),
        outstanding=Amounts.of(outstanding),
        payments=payments,
    )
