"""Reads of the positions the cycle stores: a loan's state as its last cycle left it."""

from __future__ import annotations

import dataclasses
from datetime import date

from arrears.portfolio.calculations.allocation import Components, InstallmentState, LoanState
from arrears.portfolio.models import Installment, InstallmentPosition, Loan, LoanPosition


def position_state(loan: Loan, on: date) -> tuple[LoanState, LoanPosition] | None:
    """The loan's state on ``on`` (the last cycle's date) as its stored position has it,
    in the replay's shape; None when the cycle has not reached the loan yet.

    A position that no cycle step touched since its ``as_of`` is still the state on the
    cycle date: nothing about the loan changed in between (that is why it was left alone).
    """
    cycle_date = on
    position = LoanPosition.objects.filter(loan=loan).first()
    if position is None:
        return None
    positions = {p.installment_id: p for p in InstallmentPosition.objects.filter(loan_id=loan.pk)}
    items: list[InstallmentState] = []
    # Positions are sparse: no row means settled without penalty when the installment was
    # due before the position's next due date, and wholly unpaid from that date on.
    boundary = _from_day(position.next_due_day)
    for installment in Installment.objects.filter(loan=loan).order_by("due_on", "seq"):
        found = positions.get(installment.pk)
        scheduled = Components(installment.principal, installment.interest, installment.fees, 0)
        if found is not None:
            due = dataclasses.replace(scheduled, penalty=found.penalty_accrued)
            outstanding = Components(
                found.principal_unpaid,
                found.interest_unpaid,
                found.fees_unpaid,
                found.penalty_accrued - found.penalty_paid,
            )
        elif boundary is not None and installment.due_on >= boundary:
            due, outstanding = scheduled, scheduled
        else:
            due, outstanding = scheduled, Components(0, 0, 0, 0)
        items.append(
            InstallmentState(
                seq=installment.seq,
                due_on=installment.due_on,
                due=due,
                paid=due - outstanding,
                outstanding=outstanding,
                penalty_fen_days=found.fen_days if found is not None else 0,
                is_overdue=cycle_date > installment.due_on and outstanding.total > 0,
            )
        )
    state = LoanState(
        as_of=cycle_date,
        installments=items,
        allocations=[],
        dpd=position.dpd,
        bucket=position.bucket,
        overdue=Components(
            position.overdue_principal,
            position.overdue_interest,
            position.overdue_fees,
            position.overdue_penalty,
        ),
        penalty_accrued=position.penalty_accrued,
        credit_balance=position.credit_balance,
        principal_outstanding=position.principal_outstanding,
        next_due_on=_from_day(position.next_due_day),
        oldest_overdue_due_on=_from_day(position.oldest_overdue_day),
    )
    return state, position


def _from_day(day: int | None) -> date | None:
    return date.fromordinal(day) if day is not None else None
