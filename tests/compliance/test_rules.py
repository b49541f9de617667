"""The contact rules at their edges (compliance/rules.py): hours, caps, third parties, holds."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from arrears.compliance.rules import (
    CN,
    US_REGF,
    PastContact,
    Proposed,
    Situation,
    evaluate,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHICAGO = ZoneInfo("America/Chicago")


def at(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def call(
    when: str, outcome: str = "no_answer", number: str = "13800000000", by: str = "lender"
) -> PastContact:
    return PastContact(at(when), "call", outcome, number, by)


def borrower_call(when: str, zone: ZoneInfo = SHANGHAI, number: str = "13800000000") -> Proposed:
    return Proposed(at(when, zone), "call", "borrower", number=number)


@pytest.mark.parametrize(
    ("clock", "allowed", "next_at"),
    [
        ("07:59", False, "2026-07-01T08:00"),
        ("08:00", True, None),
        ("21:59", True, None),
        ("22:00", False, "2026-07-02T08:00"),
    ],
)
def test_cn_contact_only_between_eight_and_twenty_two_in_the_debtors_time(
    clock: str, allowed: bool, next_at: str | None
) -> None:
    decision = evaluate(CN, borrower_call(f"2026-07-01T{clock}"), Situation())

    assert decision.allowed is allowed
    assert decision.next_allowed_at == (at(next_at) if next_at else None)


def test_the_hour_is_the_debtors_not_the_collectors() -> None:
    # 23:30 in Shanghai is 15:30 UTC: the debtor's clock decides.
    proposed = Proposed(datetime(2026, 7, 1, 15, 30, tzinfo=ZoneInfo("UTC")), "sms", "borrower")
    decision = evaluate(CN, proposed, Situation(time_zone="Asia/Shanghai"))

    assert not decision.allowed and "23:30 Asia/Shanghai" in decision.reasons[0]


def test_a_debtor_who_agreed_may_be_called_late() -> None:
    decision = evaluate(CN, borrower_call("2026-07-01T22:30"), Situation(quiet_hours_consent=True))

    assert decision.allowed


def test_the_fourth_conversation_of_a_day_is_refused_whoever_made_the_others() -> None:
    # Two by the lender's collectors and one by its agency: all count for the debtor.
    talks = [
        call("2026-07-01T09:00", "conversation"),
        call("2026-07-01T11:00", "conversation"),
        call("2026-07-01T14:00", "conversation", by="agency:某某资产管理"),
    ]

    third = evaluate(CN, borrower_call("2026-07-01T15:00"), Situation(history=talks[:2]))
    fourth = evaluate(CN, borrower_call("2026-07-01T15:00"), Situation(history=talks))

    assert third.allowed
    assert not fourth.allowed
    assert fourth.reasons == ["3 conversations today already (at most 3)"]
    assert fourth.next_allowed_at == at("2026-07-02T08:00")


def test_the_seventh_attempt_to_one_number_is_refused_but_another_number_is_not() -> None:
    tries = [call(f"2026-07-01T{h}:00") for h in ("08", "09", "10", "11", "12", "13")]

    sixth = evaluate(CN, borrower_call("2026-07-01T14:00"), Situation(history=tries[:5]))
    seventh = evaluate(CN, borrower_call("2026-07-01T14:00"), Situation(history=tries))
    other = evaluate(
        CN, borrower_call("2026-07-01T14:00", number="13900000000"), Situation(history=tries)
    )

    assert sixth.allowed and other.allowed
    assert seventh.reasons == ["6 call attempts to this number today already (at most 6)"]


def test_yesterdays_calls_do_not_count_today() -> None:
    talks = [call(f"2026-06-30T{h}:00", "conversation") for h in ("09", "11", "14")]

    assert evaluate(CN, borrower_call("2026-07-01T08:00"), Situation(history=talks)).allowed


def test_late_and_over_the_cap_waits_for_the_next_morning() -> None:
    talks = [call(f"2026-07-01T{h}:00", "conversation") for h in ("09", "11", "14")]
    decision = evaluate(CN, borrower_call("2026-07-01T22:30"), Situation(history=talks))

    assert len(decision.reasons) == 2
    assert decision.next_allowed_at == at("2026-07-02T08:00")


def contact_person(purpose: str = "pass_message") -> Proposed:
    return Proposed(at("2026-07-01T10:00"), "call", "contact_person", purpose=purpose)


def test_a_contact_person_only_when_the_debtor_is_unreachable() -> None:
    two_failed = [call("2026-06-30T09:00", "no_answer"), call("2026-06-30T10:00", "no_answer")]
    three_failed = [call("2026-06-29T09:00", "no_answer"), *two_failed]
    answered_last = [*three_failed, call("2026-06-30T11:00", "conversation")]

    reachable = evaluate(CN, contact_person(), Situation(debtor_history=two_failed))
    unreachable = evaluate(CN, contact_person(), Situation(debtor_history=three_failed))
    answered = evaluate(CN, contact_person(), Situation(debtor_history=answered_last))
    invalid = evaluate(CN, contact_person(), Situation(debtor_numbers_all_invalid=True))

    assert not reachable.allowed and reachable.next_allowed_at is None
    assert "the debtor is reachable" in reachable.reasons[0]
    assert unreachable.allowed and invalid.allowed
    assert not answered.allowed


def test_a_contact_person_is_never_asked_to_collect_nor_called_after_refusing() -> None:
    unreachable = Situation(debtor_numbers_all_invalid=True)
    refused = Situation(
        debtor_numbers_all_invalid=True, history=[call("2026-06-20T10:00", "refused")]
    )

    collect = evaluate(CN, contact_person("collect"), unreachable)
    again = evaluate(CN, contact_person(), refused)

    assert collect.reasons == ["a contact person may only be asked to pass on a message"]
    assert again.reasons == ["this contact person refused to pass on messages"]


@pytest.mark.parametrize("role", ["guarantor", "counter_guarantor", "co_borrower"])
def test_guarantors_are_liable_parties_and_need_no_unreachable_debtor(role: str) -> None:
    proposed = Proposed(at("2026-07-01T10:00"), "call", role)

    assert evaluate(CN, proposed, Situation()).allowed


@pytest.mark.parametrize("kind", ["dispute", "complaint", "represented", "bankruptcy", "deceased"])
def test_each_hold_stops_every_channel(kind: str) -> None:
    for channel in ("call", "sms", "email", "visit", "letter", "legal"):
        proposed = Proposed(at("2026-07-01T10:00"), channel, "borrower", staff=2)
        decision = evaluate(CN, proposed, Situation(holds=[(kind, "")]))
        assert decision.reasons == [f"hold: {kind}"] and decision.next_allowed_at is None


def test_litigation_leaves_only_the_legal_channel() -> None:
    holds = Situation(holds=[("litigation", "")])

    assert evaluate(CN, Proposed(at("2026-07-01T10:00"), "legal", "borrower"), holds).allowed
    assert not evaluate(CN, borrower_call("2026-07-01T10:00"), holds).allowed


def test_an_opt_out_closes_its_channel_only() -> None:
    opted = Situation(holds=[("opt_out", "sms")])
    sms = Proposed(at("2026-07-01T10:00"), "sms", "borrower")

    assert evaluate(CN, sms, opted).reasons == ["the party opted out of sms"]
    assert evaluate(CN, borrower_call("2026-07-01T10:00"), opted).allowed


def test_a_visit_needs_two_staff() -> None:
    alone = Proposed(at("2026-07-01T10:00"), "visit", "borrower", staff=1)
    pair = Proposed(at("2026-07-01T10:00"), "visit", "borrower", staff=2)

    assert evaluate(CN, alone, Situation()).reasons == ["a visit needs at least 2 staff"]
    assert evaluate(CN, pair, Situation()).allowed


def us_call(when: str) -> Proposed:
    return borrower_call(when, CHICAGO)


def us(when: str, outcome: str = "no_answer") -> PastContact:
    return PastContact(at(when, CHICAGO), "call", outcome, "3125550100")


@pytest.mark.parametrize(
    ("clock", "allowed"), [("07:59", False), ("08:00", True), ("20:59", True), ("21:00", False)]
)
def test_regf_hours_are_eight_to_nine(clock: str, allowed: bool) -> None:
    situation = Situation(time_zone="America/Chicago")

    assert evaluate(US_REGF, us_call(f"2026-07-01T{clock}"), situation).allowed is allowed


def test_regf_seven_attempts_in_seven_days_then_wait_for_the_oldest_to_leave() -> None:
    # One attempt a day from 25 June to 1 July: seven in seven consecutive days.
    tries = [us(f"2026-06-{day}T10:00") for day in (25, 26, 27, 28, 29, 30)]
    seventh_day = [*tries, us("2026-07-01T09:00")]

    allowed = evaluate(
        US_REGF, us_call("2026-07-01T09:00"), Situation("America/Chicago", history=tries)
    )
    refused = evaluate(
        US_REGF, us_call("2026-07-01T11:00"), Situation("America/Chicago", history=seventh_day)
    )

    assert allowed.allowed
    assert refused.reasons == ["7 call attempts in the last 7 days (at most 7)"]
    # 25 June leaves the window on 2 July.
    assert refused.next_allowed_at == at("2026-07-02T08:00", CHICAGO)


def test_regf_no_call_for_seven_days_after_a_conversation() -> None:
    talked = Situation("America/Chicago", history=[us("2026-07-01T10:00", "conversation")])

    sixth_day = evaluate(US_REGF, us_call("2026-07-07T12:00"), talked)
    seventh_day = evaluate(US_REGF, us_call("2026-07-08T12:00"), talked)

    assert not sixth_day.allowed
    assert sixth_day.next_allowed_at == at("2026-07-08T08:00", CHICAGO)
    assert seventh_day.allowed


def test_regf_messages_must_offer_an_opt_out() -> None:
    bare = Proposed(at("2026-07-01T10:00", CHICAGO), "email", "borrower", has_opt_out_line=False)

    decision = evaluate(US_REGF, bare, Situation("America/Chicago"))

    assert decision.reasons == ["every email must tell the reader how to opt out"]
    assert evaluate(CN, bare, Situation("America/Chicago")).allowed
