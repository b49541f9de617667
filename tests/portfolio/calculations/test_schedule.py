"""Repayment schedules: published check figures, month ends, and exact sums."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from arrears.portfolio.calculations.schedule import annuity_payment, build_schedule


def test_annuity_of_a_million_at_4_9_percent_over_30_years_is_5307_27() -> None:
    assert (
        annuity_payment(principal=100_000_000, annual_rate=Decimal("0.049"), term_months=360)
        == 530_727
    )


def test_equal_principal_starts_at_6861_11_and_falls_by_11_34_each_month() -> None:
    schedule = build_schedule(
        principal=100_000_000,
        annual_rate=Decimal("0.049"),
        term_months=360,
        method="equal_principal",
        disbursed_on=date(2026, 1, 15),
    )
    totals = [item.principal + item.interest for item in schedule]

    assert totals[0] == 686_111
    assert all(abs((a - b) - 1134) <= 1 for a, b in pairwise(totals[:-1]))


def test_the_worked_example_first_installment() -> None:
    schedule = build_schedule(
        principal=12_000_000,
        annual_rate=Decimal("0.12"),
        term_months=12,
        method="annuity",
        disbursed_on=date(2026, 1, 31),
    )

    first = schedule[0]
    assert (first.due_on, first.principal, first.interest) == (date(2026, 2, 28), 946_185, 120_000)


def test_due_dates_keep_the_disbursement_day_clamped_to_month_end_without_drift() -> None:
    schedule = build_schedule(
        principal=1_200_000,
        annual_rate=Decimal("0.1"),
        term_months=4,
        method="annuity",
        disbursed_on=date(2023, 12, 31),
    )

    assert [item.due_on for item in schedule] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_a_first_due_date_sets_the_day_of_month_of_later_ones() -> None:
    schedule = build_schedule(
        principal=1_200_000,
        annual_rate=Decimal("0.1"),
        term_months=3,
        method="equal_principal",
        disbursed_on=date(2026, 1, 10),
        first_due_on=date(2026, 2, 20),
    )

    assert [item.due_on for item in schedule] == [
        date(2026, 2, 20),
        date(2026, 3, 20),
        date(2026, 4, 20),
    ]


def test_interest_only_repays_all_principal_in_the_last_period() -> None:
    schedule = build_schedule(
        principal=10_000_000,
        annual_rate=Decimal("0.12"),
        term_months=3,
        method="interest_only",
        disbursed_on=date(2026, 1, 5),
    )

    assert [(item.principal, item.interest) for item in schedule] == [
        (0, 100_000),
        (0, 100_000),
        (10_000_000, 100_000),
    ]


def test_a_bullet_loan_is_one_installment_with_simple_interest_for_the_term() -> None:
    schedule = build_schedule(
        principal=10_000_000,
        annual_rate=Decimal("0.12"),
        term_months=6,
        method="bullet",
        disbursed_on=date(2026, 1, 31),
    )

    assert len(schedule) == 1
    assert (schedule[0].due_on, schedule[0].principal, schedule[0].interest) == (
        date(2026, 7, 31),
        10_000_000,
        600_000,
    )


def test_a_zero_rate_annuity_splits_principal_evenly_with_the_rest_last() -> None:
    schedule = build_schedule(
        principal=1_000,
        annual_rate=Decimal("0"),
        term_months=3,
        method="annuity",
        disbursed_on=date(2026, 1, 1),
    )

    assert [(item.principal, item.interest) for item in schedule] == [(333, 0), (333, 0), (334, 0)]


@pytest.mark.parametrize("method", ["annuity", "equal_principal", "interest_only", "bullet"])
def test_a_tiny_principal_never_makes_a_negative_part(method: str) -> None:
    schedule = build_schedule(
        principal=7,
        annual_rate=Decimal("0.3"),
        term_months=10,
        method=method,
        disbursed_on=date(2026, 1, 1),
    )

    assert all(item.principal >= 0 for item in schedule)
    assert sum(item.principal for item in schedule) == 7


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError):
        build_schedule(
            principal=100,
            annual_rate=Decimal("0.1"),
            term_months=1,
            method="monthly",
            disbursed_on=date(2026, 1, 1),
        )
