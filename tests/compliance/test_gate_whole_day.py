"""The gate judges a contact against the whole of its day: one recorded for a moment before
the day's three conversations is refused like one after them, while a day's cap never
reaches into the next day."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from arrears.compliance.models import ContactAttempt, ContactRefusal
from arrears.compliance.services import contact_attempt_record, contact_check
from arrears.portfolio.models import Creditor, Loan, LoanParty, Party
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("W1")])
    )
    return Loan.objects.get(loan_id="W1")


def borrower(loan: Loan) -> Party:
    return LoanParty.objects.get(loan=loan, role="borrower").party


def talk(loan: Loan, hour: int, day: int = 1) -> ContactAttempt | None:
    attempt, _decision = contact_attempt_record(
        loan=loan,
        party=borrower(loan),
        channel="call",
        at=datetime(2026, 7, day, hour, 0, tzinfo=SHANGHAI),
        outcome="conversation",
        by="lender",
    )
    return attempt


def test_a_contact_before_the_days_three_conversations_is_refused(loan: Loan) -> None:
    for hour in (12, 13, 14):
        assert talk(loan, hour) is not None

    earlier = contact_check(
        loan=loan,
        party=borrower(loan),
        channel="call",
        at=datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI),
    )
    recorded_earlier = talk(loan, 10)

    assert not earlier.allowed
    assert earlier.reasons == ["3 conversations today already (at most 3)"]
    assert earlier.next_allowed_at == datetime(2026, 7, 2, 8, 0, tzinfo=SHANGHAI)
    assert recorded_earlier is None, "the journal refuses it too"
    assert ContactAttempt.objects.count() == 3 and ContactRefusal.objects.count() == 2


def test_the_next_days_conversations_do_not_fill_an_earlier_day(loan: Loan) -> None:
    for hour in (9, 10, 11):
        assert talk(loan, hour, day=2) is not None

    assert talk(loan, 20, day=1) is not None
