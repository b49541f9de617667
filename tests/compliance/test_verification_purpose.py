"""The ``verification`` purpose (compliance/rules.py): a sign-in code the party asked for is
exempt from hours, quiet days, caps and holds, for a liable party on a message channel, and
is never a contact on the journal."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from arrears.compliance.models import ContactAttempt, ContactRefusal
from arrears.compliance.rules import (
    CN,
    US_REGF,
    VERIFICATION,
    PastContact,
    Proposed,
    Situation,
    evaluate,
)
from arrears.compliance.services import contact_check, hold_place
from arrears.portfolio.models import Creditor, Loan, LoanParty
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

SHANGHAI = ZoneInfo("Asia/Shanghai")
LATE = datetime(2026, 7, 1, 23, 30, tzinfo=SHANGHAI)
HELD = Situation(holds=[("dispute", ""), ("opt_out", "sms"), ("litigation", "")])


def code_sms(role: str = "borrower", channel: str = "sms", at: datetime = LATE) -> Proposed:
    return Proposed(at=at, channel=channel, role=role, purpose=VERIFICATION)


@pytest.mark.parametrize("pack", [CN, US_REGF])
def test_a_code_goes_at_half_past_eleven_when_a_reminder_may_not(pack: object) -> None:
    reminder = Proposed(at=LATE, channel="sms", role="borrower")

    assert evaluate(pack, code_sms(), Situation()).allowed  # type: ignore[arg-type]
    assert not evaluate(pack, reminder, Situation()).allowed  # type: ignore[arg-type]


def test_a_code_passes_a_dispute_an_opt_out_and_a_lawsuit() -> None:
    reminder = Proposed(
        at=datetime(2026, 7, 1, 10, tzinfo=SHANGHAI), channel="sms", role="borrower"
    )

    assert evaluate(CN, code_sms(), HELD).allowed
    assert set(evaluate(CN, reminder, HELD).reason_codes) == {
        "hold",
        "opted_out",
        "hold_litigation",
    }


def test_a_code_goes_on_a_quiet_public_holiday_and_by_email() -> None:
    holiday = Situation(quiet_days=frozenset({date(2026, 10, 1)}))
    noon = datetime(2026, 10, 1, 12, tzinfo=SHANGHAI)

    assert evaluate(CN, code_sms(at=noon), holiday).allowed
    assert evaluate(CN, code_sms(channel="email", at=noon), holiday).allowed


def test_a_code_is_not_held_back_by_a_day_of_calls_used_up() -> None:
    calls = tuple(
        PastContact(datetime(2026, 7, 1, 9 + n, tzinfo=SHANGHAI), "call", "conversation")
        for n in range(3)
    )

    assert evaluate(
        CN, code_sms(at=datetime(2026, 7, 1, 13, tzinfo=SHANGHAI)), Situation(history=calls)
    ).allowed


def test_a_contact_person_gets_no_exemption() -> None:
    decision = evaluate(CN, code_sms(role="contact_person"), Situation())

    assert not decision.allowed
    assert (
        "quiet_hours" in decision.reason_codes and "purpose_pass_message" in decision.reason_codes
    )


def test_a_call_for_verification_is_judged_as_any_call() -> None:
    decision = evaluate(CN, code_sms(channel="call"), Situation())

    assert not decision.allowed and decision.reason_codes == ["quiet_hours"]


@pytest.mark.django_db
def test_the_gate_allows_a_code_under_holds_and_stores_no_refusal_and_no_contact(
    creditor: Creditor, tmp_path: Path
) -> None:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("V1")])
    )
    loan = Loan.objects.get(loan_id="V1")
    party = LoanParty.objects.get(loan=loan, role="borrower").party
    hold_place(kind="dispute", reason="disputes the amount", loan=loan)

    allowed = contact_check(loan=loan, party=party, channel="sms", at=LATE, purpose=VERIFICATION)
    reminder = contact_check(loan=loan, party=party, channel="sms", at=LATE)

    assert allowed.allowed and not reminder.allowed
    assert ContactRefusal.objects.filter(purpose=VERIFICATION).count() == 0
    assert ContactRefusal.objects.count() == 1
    assert ContactAttempt.objects.count() == 0
