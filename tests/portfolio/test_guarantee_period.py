"""The guarantee period (保证期间, 民法典 arts. 692–694) as ``calculations.guarantee_period``
works it out: agreed, default and accelerated ends, and what preserves a guarantee."""

from __future__ import annotations

from datetime import date

from arrears.portfolio.calculations.guarantee_period import (
    LAPSED,
    PRESERVED,
    RUNNING,
    events_for,
    guarantee_state,
    period_ends_on,
)


def state(kind: str = "joint", events: list[tuple[date, str]] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "agreed_end": None,
        "agreed_months": None,
        "main_due_on": date(2026, 1, 15),
        "accelerated_on": None,
        "on": date(2026, 7, 15),
    }
    args.update(kw)
    return guarantee_state(kind=kind, events=events or [], **args)  # type: ignore[arg-type]


def test_with_no_agreement_the_period_is_six_months_from_the_final_due_date() -> None:
    assert period_ends_on("joint", None, None, date(2026, 1, 15)) == date(2026, 7, 15)


def test_a_month_end_due_date_ends_on_the_last_day_of_the_sixth_month() -> None:
    # Art. 202: no corresponding day (31 February) → the month's last day.
    assert period_ends_on("joint", None, None, date(2026, 8, 31)) == date(2027, 2, 28)
    assert period_ends_on("joint", None, None, date(2027, 8, 31)) == date(2028, 2, 29)
    assert period_ends_on("general", None, None, date(2026, 12, 31)) == date(2027, 6, 30)


def test_an_agreed_end_after_the_main_debt_counts() -> None:
    assert period_ends_on("joint", date(2028, 1, 15), None, date(2026, 1, 15)) == date(2028, 1, 15)


def test_an_agreed_end_on_or_before_the_main_debts_due_date_counts_as_no_agreement() -> None:
    due = date(2026, 1, 15)
    assert period_ends_on("joint", due, None, due) == date(2026, 7, 15)
    assert period_ends_on("joint", date(2025, 12, 31), None, due) == date(2026, 7, 15)


def test_an_agreed_length_in_months_counts_from_the_final_due_date() -> None:
    assert period_ends_on("joint", None, 24, date(2026, 8, 31)) == date(2028, 8, 31)
    assert period_ends_on("joint", None, 18, date(2026, 8, 31)) == date(2028, 2, 29)


def test_acceleration_before_the_final_due_date_starts_the_period_on_its_day() -> None:
    ends = period_ends_on("joint", None, None, date(2027, 1, 31), date(2026, 8, 31))
    assert ends == date(2027, 2, 28)
    # Declared after the last installment fell due: nothing moves.
    assert period_ends_on("joint", None, None, date(2026, 1, 15), date(2026, 3, 1)) == date(
        2026, 7, 15
    )


def test_a_demand_to_a_joint_guarantor_inside_the_period_preserves_it() -> None:
    found = state(events=[(date(2026, 7, 15), "demand")], on=date(2026, 9, 1))

    assert found.status == PRESERVED
    assert found.preserved_on == date(2026, 7, 15)  # the period's last day still counts
    assert found.limitation_ends_on == date(2029, 7, 15)  # art. 694: three years from it


def test_a_demand_after_the_period_does_not_revive_the_guarantee() -> None:
    found = state(events=[(date(2026, 7, 16), "demand")], on=date(2026, 9, 1))

    assert found.status == LAPSED
    assert found.preserved_on is None
    assert found.limitation_ends_on is None


def test_a_general_guarantee_needs_a_suit_against_the_debtor_not_a_demand() -> None:
    demanded = state("general", [(date(2026, 5, 1), "demand")], on=date(2026, 9, 1))
    sued = state("general", [(date(2026, 5, 1), "legal_action")], on=date(2026, 9, 1))

    assert demanded.status == LAPSED
    assert sued.status == PRESERVED


def test_running_until_the_end_and_flagged_within_thirty_days() -> None:
    early = state(on=date(2026, 6, 14))
    flagged = state(on=date(2026, 6, 15))

    assert early.status == RUNNING and not early.is_ending(date(2026, 6, 14))
    assert flagged.status == RUNNING and flagged.is_ending(date(2026, 6, 15))
    assert not state(events=[(date(2026, 6, 1), "demand")], on=date(2026, 6, 20)).is_ending(
        date(2026, 6, 20)
    )


def test_acts_count_for_the_guarantor_they_name_and_suits_against_the_debtor_for_general() -> None:
    events = [
        (date(2026, 3, 1), "demand", 7),
        (date(2026, 3, 2), "demand", 8),
        (date(2026, 3, 3), "legal_action", None),
        (date(2026, 3, 4), "acknowledgment", None),
    ]

    assert events_for("joint", 7, events) == [(date(2026, 3, 1), "demand")]
    assert events_for("general", 8, events) == [
        (date(2026, 3, 2), "demand"),
        (date(2026, 3, 3), "legal_action"),
    ]
