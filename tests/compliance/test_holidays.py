"""Chinese public holidays as quiet days: the rule, the official calendar, the gate."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytest_django import DjangoAssertNumQueries

from arrears.compliance.holidays import public_holidays
from arrears.compliance.models import CompliancePolicy, ContactRefusal
from arrears.compliance.rules import CN, PastContact, Proposed, Situation, evaluate
from arrears.compliance.selectors import quiet_days_for
from arrears.compliance.services import contact_check
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from tests.compliance.test_contact_check import borrower
from tests.factories import loan_row, write_csv
from tests.test_pure_modules import SRC, imported_modules

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The State Council's 2026 arrangement (as chinese_calendar has it): the Mid-Autumn Festival
# Friday 25 to Sunday 27 September, National Day Thursday 1 to Wednesday 7 October off;
# Saturday 10 October is a make-up working day.
MID_AUTUMN_2026 = frozenset(date(2026, 9, d) for d in (25, 26, 27))
NATIONAL_DAY_2026 = frozenset(date(2026, 10, d) for d in range(1, 8))
HOLIDAY_REASON = "2026-10-01 is a public holiday (quiet day for this creditor)"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def borrower_on(channel: str, when: str) -> Proposed:
    return Proposed(at(when), channel, "borrower", number="13800000000", staff=2)


# The rule (pure)


def test_a_call_on_a_quiet_day_waits_for_the_morning_after_the_holiday() -> None:
    decision = evaluate(
        CN, borrower_on("call", "2026-10-01T10:00"), Situation(quiet_days=NATIONAL_DAY_2026)
    )

    assert not decision.allowed
    assert decision.reasons == [HOLIDAY_REASON]
    assert decision.next_allowed_at == at("2026-10-08T08:00")
    assert decision.next_allowed_at.isoformat() == "2026-10-08T08:00:00+08:00"


def test_without_quiet_days_the_same_call_is_allowed() -> None:
    assert evaluate(CN, borrower_on("call", "2026-10-01T10:00"), Situation()).allowed


@pytest.mark.parametrize("channel", ["call", "sms", "email", "visit"])
def test_every_timed_channel_is_quiet(channel: str) -> None:
    decision = evaluate(
        CN, borrower_on(channel, "2026-10-03T15:00"), Situation(quiet_days=NATIONAL_DAY_2026)
    )

    assert decision.reasons == ["2026-10-03 is a public holiday (quiet day for this creditor)"]


@pytest.mark.parametrize("channel", ["letter", "legal"])
def test_untimed_channels_are_open_on_a_quiet_day(channel: str) -> None:
    decision = evaluate(
        CN, borrower_on(channel, "2026-10-01T10:00"), Situation(quiet_days=NATIONAL_DAY_2026)
    )

    assert decision.allowed


def test_consent_to_evening_contact_does_not_lift_a_holiday() -> None:
    situation = Situation(quiet_hours_consent=True, quiet_days=NATIONAL_DAY_2026)

    evening = evaluate(CN, borrower_on("call", "2026-10-01T23:00"), situation)
    day_after = evaluate(CN, borrower_on("call", "2026-10-08T23:00"), situation)

    assert evening.reasons == [HOLIDAY_REASON]  # the hours reason is lifted, the holiday not
    assert evening.next_allowed_at == at("2026-10-08T08:00")
    assert day_after.allowed


def test_late_on_the_eve_of_a_holiday_waits_until_after_it() -> None:
    decision = evaluate(
        CN, borrower_on("call", "2026-09-24T22:30"), Situation(quiet_days=MID_AUTUMN_2026)
    )

    # Only the hours apply at 22:30 on the eve; the next morning is quiet, so the answer
    # steps on to the first day after the three-day holiday.
    assert decision.reasons == ["outside 08:00–22:00 in the debtor's time (22:30 Asia/Shanghai)"]
    assert decision.next_allowed_at == at("2026-09-28T08:00")


def test_a_full_day_on_the_eve_of_a_holiday_waits_until_after_it() -> None:
    talks = [
        PastContact(at(f"2026-09-24T{hour:02d}:00"), "call", "conversation", "13800000000")
        for hour in (9, 11, 14)
    ]

    decision = evaluate(
        CN,
        borrower_on("call", "2026-09-24T21:30"),
        Situation(history=talks, quiet_days=MID_AUTUMN_2026),
    )

    assert decision.reasons == ["3 conversations today already (at most 3)"]
    assert decision.next_allowed_at == at("2026-09-28T08:00")


def test_before_dawn_on_a_quiet_day_the_holiday_decides_when() -> None:
    decision = evaluate(
        CN, borrower_on("sms", "2026-10-07T02:00"), Situation(quiet_days=NATIONAL_DAY_2026)
    )

    assert decision.reasons == [
        "outside 08:00–22:00 in the debtor's time (02:00 Asia/Shanghai)",
        "2026-10-07 is a public holiday (quiet day for this creditor)",
    ]
    assert decision.next_allowed_at == at("2026-10-08T08:00")


# The official calendar


def test_national_day_2026_is_the_first_to_the_seventh_of_october() -> None:
    found = public_holidays(date(2026, 9, 19), date(2026, 10, 18))

    # Neither the make-up working Saturday (10 Oct) nor an ordinary weekend (19-20 Sep,
    # 11 Oct, 17-18 Oct).
    assert found == MID_AUTUMN_2026 | NATIONAL_DAY_2026
    assert public_holidays(date(2026, 10, 1), date(2026, 10, 7)) == NATIONAL_DAY_2026


def test_an_ordinary_saturday_is_no_public_holiday() -> None:
    saturday = date(2026, 10, 17)

    assert saturday.weekday() == 5
    assert public_holidays(saturday, saturday) == frozenset()


def test_a_year_without_an_official_arrangement_has_no_quiet_days() -> None:
    assert public_holidays(date(2099, 9, 28), date(2099, 10, 10)) == frozenset()


def test_the_holidays_module_is_pure() -> None:
    names = imported_modules(SRC / "compliance" / "holidays.py")

    assert not [n for n in names if n.split(".")[0] in ("django", "arrears")]


# The gate


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("H1")])
    )
    return Loan.objects.get(loan_id="H1")


def ask(loan: Loan, when: str, channel: str = "call") -> tuple[bool, list[str], str | None]:
    decision = contact_check(
        loan=loan, party=borrower(loan), channel=channel, at=datetime.fromisoformat(when)
    )
    moment = decision.next_allowed_at
    return decision.allowed, decision.reasons, moment.isoformat() if moment else None


@pytest.mark.django_db
def test_a_creditor_keeping_holidays_quiet_is_refused_on_national_day(loan: Loan) -> None:
    CompliancePolicy.objects.create(creditor=loan.creditor, quiet_public_holidays=True)

    holiday = ask(loan, "2026-10-01T10:00+08:00")
    eve = ask(loan, "2026-09-30T22:30+08:00")
    letter = ask(loan, "2026-10-01T10:00+08:00", channel="letter")
    after = ask(loan, "2026-10-08T10:00+08:00")

    assert holiday == (False, [HOLIDAY_REASON], "2026-10-08T08:00:00+08:00")
    assert eve[2] == "2026-10-08T08:00:00+08:00"  # the morning after is National Day
    stored = [{"code": "quiet_day", "params": {"day": "2026-10-01"}}]
    assert ContactRefusal.objects.filter(reasons=stored).count() == 1
    assert letter[0] is True and after[0] is True


@pytest.mark.django_db
def test_a_creditor_not_keeping_holidays_quiet_may_call_on_national_day(loan: Loan) -> None:
    without_policy = ask(loan, "2026-10-01T10:00+08:00")
    CompliancePolicy.objects.create(creditor=loan.creditor)
    with_policy_off = ask(loan, "2026-10-01T10:00+08:00")

    assert without_policy == with_policy_off == (True, [], None)
    assert not ContactRefusal.objects.exists()


@pytest.mark.django_db
def test_the_quiet_days_are_read_around_the_day_in_one_query(
    loan: Loan, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    CompliancePolicy.objects.create(creditor=loan.creditor, quiet_public_holidays=True)
    around = date(2026, 10, 2)

    with django_assert_num_queries(1):
        days = quiet_days_for(loan, around)

    assert days == NATIONAL_DAY_2026  # from 1 October (the day before) to 1 November
    assert min(days) >= around - timedelta(days=1)
    assert quiet_days_for(loan, date(2026, 10, 9)) == frozenset()  # none in the 30 days after
