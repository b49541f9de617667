"""Waivers in the ledger: they lower only the components they name, oldest first, never
below zero, and are never counted as money collected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.portfolio.calculations.allocation import (
    LoanState,
    LoanTerms,
    PaymentIn,
    WaiverIn,
    replay,
)
from arrears.portfolio.calculations.schedule import ScheduledInstallment
from arrears.portfolio.models import Allocation, Creditor, Loan
from arrears.portfolio.selectors import loan_state
from arrears.portfolio.services import tape_ingest, waiver_post
from tests.factories import loan_row, payment_row, write_csv

TERMS = LoanTerms(penalty_rate=Decimal("0.18"))
SCHEDULE = [
    ScheduledInstallment(1, date(2026, 2, 1), 1_000_00, 100_00, 0),
    ScheduledInstallment(2, date(2026, 3, 1), 1_000_00, 90_00, 0),
    ScheduledInstallment(3, date(2026, 4, 1), 1_000_00, 80_00, 0),
]
ON = date(2026, 3, 20)


def state(*waivers: WaiverIn, payments: tuple[PaymentIn, ...] = (), as_of: date = ON) -> LoanState:
    return replay(
        installments=SCHEDULE, payments=payments, terms=TERMS, as_of=as_of, waivers=waivers
    )


def test_a_penalty_waiver_makes_the_penalty_zero_and_leaves_principal_and_interest() -> None:
    before = state()

    after = state(WaiverIn("S-1", ON, penalty=before.overdue.penalty))

    assert before.overdue.penalty > 0
    assert after.overdue.penalty == 0
    assert after.overdue.principal == before.overdue.principal == 2_000_00
    assert after.overdue.interest == before.overdue.interest
    assert after.dpd == before.dpd
    assert after.waived.penalty == before.overdue.penalty


def test_a_principal_waiver_settles_part_of_the_oldest_overdue_installment_first() -> None:
    after = state(WaiverIn("S-1", ON, principal=400_00))

    first, second, _ = after.installments
    assert first.outstanding.principal == 600_00
    assert second.outstanding.principal == 1_000_00
    assert first.waived.principal == 400_00
    assert after.principal_outstanding == 2_600_00


def test_a_principal_waiver_beyond_what_is_overdue_reaches_principal_not_yet_due() -> None:
    after = state(WaiverIn("S-1", ON, principal=2_500_00))

    assert [i.outstanding.principal for i in after.installments] == [0, 0, 500_00]
    # Interest was not named, so the installments stay overdue for it.
    assert after.overdue.interest == 190_00
    assert after.installments[2].outstanding.interest == 80_00


def test_a_waiver_larger_than_what_is_owed_never_goes_below_zero() -> None:
    after = state(WaiverIn("S-1", ON, interest=10_000_00, penalty=10_000_00))

    assert after.overdue.interest == 0
    assert after.overdue.penalty == 0
    # Interest not yet due is not waived in advance, and nothing becomes credit.
    assert after.installments[2].outstanding.interest == 80_00
    assert after.credit_balance == 0


def test_a_payment_after_a_penalty_waiver_settles_interest_and_principal_instead() -> None:
    pay = (PaymentIn("P-1", date(2026, 3, 21), 1_100_00),)

    without = state(payments=pay, as_of=date(2026, 3, 21))
    with_waiver = state(
        WaiverIn("S-1", ON, penalty=10_000_00), payments=pay, as_of=date(2026, 3, 21)
    )

    assert without.installments[0].paid.penalty > 0
    assert with_waiver.installments[0].paid.penalty == 0
    assert with_waiver.installments[0].outstanding.total == 0


def test_waived_principal_stops_accruing_penalty_from_the_waiver_day() -> None:
    later = date(2026, 5, 20)

    full = state(as_of=later)
    waived = state(WaiverIn("S-1", ON, principal=3_000_00), as_of=later)

    assert waived.penalty_accrued < full.penalty_accrued
    assert waived.principal_outstanding == 0


def test_the_replay_marks_waiver_lines_apart_from_payment_lines() -> None:
    after = state(WaiverIn("S-1", ON, penalty=1_00), payments=(PaymentIn("P-1", ON, 50_00),))

    kinds = {(line.payment_key, line.waiver) for line in after.allocations}
    assert kinds == {("S-1", True), ("P-1", False)}


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(tmp_path / "l.csv", [loan_row("W1", disbursed_on="2026-01-01")]),
    )
    tape_ingest(
        creditor=creditor,
        kind="payments",
        path=write_csv(tmp_path / "p.csv", [payment_row("PAY1", "W1", "2026-03-05", "500.00")]),
    )
    return Loan.objects.get(loan_id="W1")


@pytest.mark.django_db
def test_a_posted_waiver_shows_in_the_loan_state_and_does_not_count_as_collected(
    loan: Loan,
) -> None:
    on = date(2026, 4, 15)
    before = loan_state(loan, as_of=on)
    version = loan.payments_version
    allocations = list(Allocation.objects.filter(loan=loan).values_list("payment_id", flat=True))

    waiver_post(
        loan=loan, reference="S-9", waived_on=on, penalty=before.overdue.penalty, principal=100_00
    )
    after = loan_state(loan, as_of=on)
    loan.refresh_from_db()

    assert after.overdue.penalty == 0
    assert after.overdue.principal == before.overdue.principal - 100_00
    assert after.paid == before.paid  # collected money is unchanged
    assert after.waived.total == before.overdue.penalty + 100_00
    assert loan.payments_version == version + 1  # the next cycle replays the loan
    # The allocation journal still holds only the payment's money.
    assert list(Allocation.objects.filter(loan=loan).values_list("payment_id", flat=True)) == (
        allocations
    )
    assert loan_state(loan, as_of=date(2026, 4, 14)).overdue.penalty > 0


@pytest.mark.django_db
def test_a_waiver_of_nothing_is_refused(loan: Loan) -> None:
    from arrears.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        waiver_post(loan=loan, reference="S-0", waived_on=date(2026, 4, 15))
