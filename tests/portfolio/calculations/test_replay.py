"""The replay on hand-worked examples: what a collector would read off a statement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from arrears.portfolio.calculations.allocation import LoanTerms, PaymentIn, replay
from arrears.portfolio.calculations.delinquency import bucket_for
from arrears.portfolio.calculations.schedule import ScheduledInstallment, build_schedule

WORKED = build_schedule(
    principal=12_000_000,
    annual_rate=Decimal("0.12"),
    term_months=12,
    method="annuity",
    disbursed_on=date(2026, 1, 31),
)
TERMS = LoanTerms(penalty_rate=Decimal("0.18"))
FIRST_TOTAL = 946_185 + 120_000


def state(payments: list[PaymentIn], as_of: date, terms: LoanTerms = TERMS, schedule=WORKED):  # type: ignore[no-untyped-def]
    return replay(installments=schedule, payments=payments, terms=terms, as_of=as_of)


def test_the_worked_example_day_by_day() -> None:
    payment = [PaymentIn("P1", date(2026, 3, 5), 500_000)]

    on_0301 = state(payment, date(2026, 3, 1))
    on_0305 = state(payment, date(2026, 3, 5))
    on_0401 = state(payment, date(2026, 4, 1))

    assert (on_0301.dpd, on_0301.penalty_accrued) == (1, 473)
    line = on_0305.allocations[0]
    assert (line.penalty, line.interest, line.principal) == (1_892, 120_000, 378_108)
    assert on_0305.dpd == 5
    assert (on_0305.penalty_accrued, on_0305.overdue.penalty) == (2_176, 284)
    assert on_0305.overdue.principal == 568_077
    assert (on_0401.dpd, on_0401.bucket) == (32, "M2")


def test_a_payment_on_the_due_date_is_not_overdue() -> None:
    paid = state([PaymentIn("P1", date(2026, 2, 28), FIRST_TOTAL)], date(2026, 3, 10))

    assert (paid.dpd, paid.bucket, paid.penalty_accrued) == (0, "M0", 0)
    assert paid.installments[0].outstanding.total == 0


def test_an_unpaid_installment_on_its_due_date_is_not_yet_overdue() -> None:
    today = state([], date(2026, 2, 28))

    assert today.dpd == 0 and today.overdue.total == 0
    assert today.next_due_on == date(2026, 3, 31)


def test_one_day_late_is_dpd_1_until_paid_and_costs_no_penalty_when_paid_that_day() -> None:
    # Day d accrues on principal unpaid *after* day d's payments, so money arriving on the
    # first late day clears the installment before any penalty exists.
    late = [PaymentIn("P1", date(2026, 3, 1), FIRST_TOTAL)]

    before_paying = state([], date(2026, 3, 1))
    on_the_day = state(late, date(2026, 3, 1))

    assert (before_paying.dpd, before_paying.penalty_accrued) == (1, 473)
    assert (on_the_day.dpd, on_the_day.penalty_accrued, on_the_day.credit_balance) == (0, 0, 0)


def test_two_days_late_owes_the_first_days_penalty_which_is_settled_first() -> None:
    short = state([PaymentIn("P1", date(2026, 3, 2), FIRST_TOTAL)], date(2026, 3, 2))
    full = state([PaymentIn("P1", date(2026, 3, 2), FIRST_TOTAL + 473)], date(2026, 3, 2))

    # Penalty comes first in the allocation order, so 4.73 of principal stays unpaid.
    assert short.dpd == 2
    assert (short.overdue.principal, short.installments[0].paid.penalty) == (473, 473)
    assert (full.dpd, full.installments[0].paid.penalty, full.credit_balance) == (0, 473, 0)


def test_a_partial_payment_pays_penalty_and_interest_before_principal() -> None:
    partial = state([PaymentIn("P1", date(2026, 2, 28), 200_000)], date(2026, 3, 2))

    first = partial.installments[0]
    assert (first.paid.interest, first.paid.principal) == (120_000, 80_000)
    assert partial.dpd == 2
    assert first.due.penalty == 866  # 866,185 fen × 2 days × 18 % / 360 = 866.185


def test_a_backdated_payment_counts_from_its_own_date() -> None:
    on_time = PaymentIn("P1", date(2026, 2, 28), FIRST_TOTAL)
    later = PaymentIn("P2", date(2026, 4, 5), FIRST_TOTAL)

    as_imported = state([later, on_time], date(2026, 4, 30))
    in_order = state([on_time, later], date(2026, 4, 30))

    assert as_imported == in_order
    assert as_imported.installments[0].paid.penalty == 0


def test_an_overpayment_is_credit_until_the_next_due_date() -> None:
    payments = [PaymentIn("P1", date(2026, 2, 28), FIRST_TOTAL + 300_000)]

    before = state(payments, date(2026, 3, 30))
    on_due = state(payments, date(2026, 3, 31))

    assert before.credit_balance == 300_000 and before.installments[1].paid.total == 0
    assert on_due.credit_balance == 0
    second = on_due.installments[1]
    assert second.paid.total == 300_000 and second.paid.interest == second.due.interest
    credit_line = [line for line in on_due.allocations if line.applied_on == date(2026, 3, 31)]
    assert credit_line[0].payment_key == "P1"


def test_money_paid_before_the_first_due_date_is_credit_that_settles_it() -> None:
    early = state([PaymentIn("P1", date(2026, 2, 10), FIRST_TOTAL)], date(2026, 3, 5))

    assert early.dpd == 0 and early.credit_balance == 0
    assert early.allocations[0].applied_on == date(2026, 2, 28)


def test_no_penalty_within_the_grace_days_then_only_from_the_day_after() -> None:
    graced = LoanTerms(penalty_rate=Decimal("0.18"), grace_days=3)

    within = state([], date(2026, 3, 3), graced)
    after = state([], date(2026, 3, 4), graced)

    assert within.dpd == 3 and within.penalty_accrued == 0
    assert after.penalty_accrued == 473


def test_a_product_may_count_penalty_on_365_days() -> None:
    act365 = LoanTerms(penalty_rate=Decimal("0.18"), day_count=365)

    assert state([], date(2026, 3, 1), act365).penalty_accrued == 467  # 946185 × 0.18 / 365


def test_a_principal_first_allocation_order_is_honoured() -> None:
    principal_first = LoanTerms(
        penalty_rate=Decimal("0.18"),
        allocation_order=("principal", "interest", "fees", "penalty"),
    )

    result = state([PaymentIn("P1", date(2026, 3, 5), 500_000)], date(2026, 3, 5), principal_first)

    assert result.installments[0].paid.principal == 500_000
    assert result.installments[0].paid.interest == 0


def test_an_allocation_order_must_name_every_component_once() -> None:
    with pytest.raises(ValueError, match="allocation order"):
        LoanTerms(penalty_rate=Decimal("0.18"), allocation_order=("principal", "principal"))


def test_payments_after_the_business_date_are_ignored() -> None:
    future = state([PaymentIn("P1", date(2026, 3, 10), FIRST_TOTAL)], date(2026, 3, 5))

    assert future.dpd == 5 and future.allocations == []


def test_dpd_runs_from_the_oldest_overdue_installment() -> None:
    schedule = [
        ScheduledInstallment(1, date(2026, 1, 10), 1_000, 0),
        ScheduledInstallment(2, date(2026, 2, 10), 1_000, 0),
    ]

    two_missed = state([], date(2026, 2, 20), schedule=schedule)
    first_paid = state(
        [PaymentIn("P", date(2026, 1, 10), 1_000)], date(2026, 2, 20), schedule=schedule
    )

    assert two_missed.dpd == 41 and first_paid.dpd == 10


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [
        (0, "M0"),
        (1, "M1"),
        (30, "M1"),
        (31, "M2"),
        (90, "M3"),
        (91, "M4"),
        (180, "M6"),
        (181, "M7"),
    ],
)
def test_buckets(dpd: int, bucket: str) -> None:
    assert bucket_for(dpd) == bucket
