"""Deadlines follow from a matter's events by the rules in data: no database needed."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.legal.calculations.deadlines import (
    Event,
    add_years,
    matter_deadlines,
    parse_rules,
    rules,
)
from arrears.legal.choices import MatterEventKind, MatterKind

D = date(2026, 11, 2)


def due(kind: str, events: list[Event], code: str) -> date | None:
    found = [d.due_on for d in matter_deadlines(kind, events) if d.code == code]
    return found[0] if found else None


def test_a_payment_order_served_on_d_must_be_objected_to_by_d_plus_15() -> None:
    events = [Event("filed", date(2026, 10, 1)), Event("accepted", date(2026, 10, 5))]
    events += [Event("issued", date(2026, 10, 15)), Event("served", D)]

    assert due("payment_order", events, "payment_order_objection") == date(2026, 11, 17)
    # Filing and acceptance were met by later events, so their periods are gone.
    codes = {d.code for d in matter_deadlines("payment_order", events)}
    assert codes == {"payment_order_objection", "enforcement_after_payment_order"}


def test_an_objection_ends_the_objection_period_and_the_enforcement_one() -> None:
    events = [Event("served", D), Event("objection", date(2026, 11, 10))]

    assert matter_deadlines("payment_order", events) == []


def test_the_court_has_five_days_to_accept_and_fifteen_more_to_issue() -> None:
    assert due("payment_order", [Event("filed", D)], "court_accepts_payment_order") == date(
        2026, 11, 7
    )
    accepted = [Event("filed", D), Event("accepted", date(2026, 11, 6))]
    assert due("payment_order", accepted, "court_accepts_payment_order") is None
    assert due("payment_order", accepted, "court_issues_payment_order") == date(2026, 11, 21)


def test_the_appeal_period_runs_from_service_of_the_judgment_not_of_the_complaint() -> None:
    served_complaint = [Event("filed", date(2026, 6, 1)), Event("served", date(2026, 6, 20))]
    assert due("lawsuit", served_complaint, "appeal") is None

    judged = [*served_complaint, Event("judgment", date(2026, 9, 1)), Event("served", D)]
    assert due("lawsuit", judged, "appeal") == date(2026, 11, 17)
    assert due("lawsuit", [*judged, Event("effective", date(2026, 11, 18))], "appeal") is None


def test_enforcement_must_be_applied_for_within_two_years_of_the_last_day_of_performance() -> None:
    events = [Event("effective", date(2026, 1, 5)), Event("performance_deadline", D)]

    assert due("lawsuit", events, "enforcement_application") == date(2028, 11, 2)
    filed = [*events, Event("enforcement_filed", date(2027, 3, 1))]
    assert due("lawsuit", filed, "enforcement_application") is None


def test_a_missed_deadline_stays_listed_until_its_event_is_recorded() -> None:
    events = [Event("served", date(2020, 1, 1))]

    assert due("payment_order", events, "payment_order_objection") == date(2020, 1, 16)


def test_deadlines_come_soonest_first() -> None:
    events = [Event("accepted", D), Event("preservation_granted", D)]

    dues = [d.due_on for d in matter_deadlines("lawsuit", events)]
    assert dues == sorted(dues) and len(dues) == 2


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [(date(2024, 2, 29), 2, date(2026, 2, 28)), (date(2026, 11, 2), 2, date(2028, 11, 2))],
)
def test_years_end_on_the_same_calendar_date(start: date, years: int, end: date) -> None:
    assert add_years(start, years) == end


def test_every_rule_names_matter_kinds_and_events_that_exist() -> None:
    for rule in rules():
        assert rule.matter_kinds <= set(MatterKind.values), rule.code
        named = {rule.start_event, *rule.until, *([rule.after] if rule.after else [])}
        assert named <= set(MatterEventKind.values), rule.code
        assert rule.rule and rule.label and (rule.days or rule.years), rule.code


def test_an_incomplete_rule_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        parse_rules({"rules": [{"code": "x", "matter_kinds": ["lawsuit"]}]})
