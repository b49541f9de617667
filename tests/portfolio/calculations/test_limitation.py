"""The limitation period and what restarts it (民法典 arts. 188, 189, 192, 195)."""

from __future__ import annotations

from datetime import date

from arrears.portfolio.calculations.limitation import limitation_expires_on

LAST_DUE = date(2024, 2, 29)  # expiry without events: 2027-02-28 (no 29 February then)


def test_three_years_from_the_last_due_date_or_the_last_payment() -> None:
    assert limitation_expires_on(LAST_DUE, None) == date(2027, 2, 28)
    assert limitation_expires_on(LAST_DUE, date(2025, 5, 6)) == date(2028, 5, 6)
    assert limitation_expires_on(LAST_DUE, date(2023, 5, 6)) == date(2027, 2, 28)
    assert limitation_expires_on(None, None) is None


def test_a_demand_while_the_period_runs_restarts_it() -> None:
    events = [(date(2026, 3, 1), "demand"), (date(2028, 12, 1), "demand")]
    # The second demand is within three years of the first: it restarts again.
    assert limitation_expires_on(LAST_DUE, None, events) == date(2031, 12, 1)


def test_a_demand_or_a_suit_after_expiry_restarts_nothing() -> None:
    late = [(date(2027, 3, 1), "demand"), (date(2027, 4, 1), "legal_action")]
    assert limitation_expires_on(LAST_DUE, None, late) == date(2027, 2, 28)
    # On the expiry day itself the period still runs.
    assert limitation_expires_on(LAST_DUE, None, [(date(2027, 2, 28), "demand")]) == date(
        2030, 2, 28
    )


def test_an_acknowledgment_counts_even_after_expiry() -> None:
    events = [(date(2027, 6, 1), "demand"), (date(2027, 9, 1), "acknowledgment")]
    assert limitation_expires_on(LAST_DUE, None, events) == date(2030, 9, 1)


def test_events_before_the_period_starts_change_nothing() -> None:
    events = [(date(2023, 1, 1), "demand"), (date(2025, 1, 1), "acknowledgment")]
    assert limitation_expires_on(LAST_DUE, date(2025, 6, 1), events) == date(2028, 6, 1)


def test_events_count_in_date_order_whatever_order_they_were_recorded_in() -> None:
    # Recorded late: the acknowledgment of 2027-01-10 keeps the period running, so the
    # demand of 2029-05-05 (within the renewed period) restarts it once more.
    events = [(date(2029, 5, 5), "demand"), (date(2027, 1, 10), "acknowledgment")]
    assert limitation_expires_on(LAST_DUE, None, events) == date(2032, 5, 5)
