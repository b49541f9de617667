"""Art. 546 in practice: the assignment notices pass the compliance gate like any message,
a payment to the old creditor before the borrower's notice left discharges the debt, and one
after it is flagged for hand-over."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from arrears.compliance.services import hold_place
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Creditor, Loan, LoanParty, Payment
from arrears.portfolio.services import tape_ingest
from tests.factories import payment_row, write_csv
from tests.transfers.conftest import at, texts_send

pytestmark = pytest.mark.django_db
BUYER = "华融资产"


def _assign(due: str = "2026-03-16T09:00") -> None:
    """Assign A1 on 2026-03-15; its notices fall due at ``due`` (they are due when made, by
    the wall clock: moved back so the story can run in March)."""
    call_command("assign", "--loan", "A1", "--to", BUYER, "--on", "2026-03-15", stdout=StringIO())
    OutboxMessage.objects.filter(purpose="assignment_notice").update(due_at=at(due))


def _notice(loan: Loan, role: str) -> OutboxMessage:
    party = LoanParty.objects.get(loan=loan, role=role).party_id
    return OutboxMessage.objects.get(purpose="assignment_notice", channel="sms", party_id=party)


def test_a_borrower_who_opted_out_of_sms_is_not_texted_the_notice(loan: Loan) -> None:
    borrower = LoanParty.objects.get(loan=loan, role="borrower").party
    hold_place(kind="opt_out", channel="sms", party=borrower, reason="replied TD")
    _assign()

    sms = texts_send(at("2026-03-16T10:00"))

    assert [m.recipient_name for m in sms.sent if "转让" in m.body] == ["李四"]
    notice = _notice(loan, "borrower")
    assert (notice.status, notice.blocked_reasons) == ("blocked", ["the party opted out of sms"])


def test_a_notice_due_in_quiet_hours_waits_for_the_morning(loan: Loan) -> None:
    _assign(due="2026-03-16T21:59")

    night = texts_send(at("2026-03-16T22:30"))
    waiting = _notice(loan, "borrower")
    morning = texts_send(at("2026-03-17T08:00"))

    assert [m for m in night.sent if "转让" in m.body] == []
    assert (waiting.status, waiting.due_at) == ("queued", at("2026-03-17T08:00"))
    assert sorted(m.recipient_name for m in morning.sent if "转让" in m.body) == ["张三", "李四"]
    assert _notice(loan, "borrower").status == "sent"


def _pay(creditor: Creditor, tmp_path: Path, payment_id: str, paid_on: str) -> None:
    row = payment_row(payment_id, "A1", paid_on, "1000")
    path = write_csv(tmp_path / f"{payment_id}.csv", [row])
    tape_ingest(creditor=creditor, kind="payments", path=path)


def _handovers() -> list[dict[str, str]]:
    out = StringIO()
    call_command("assign", "--handovers", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_payment_to_the_old_creditor_counts_before_the_notice_and_is_flagged_after(
    loan: Loan, creditor: Creditor, tmp_path: Path
) -> None:
    _assign()
    _pay(creditor, tmp_path, "OLD-1", "2026-03-16")  # before any notice left
    before = _handovers()
    texts_send(at("2026-03-17T10:00"))  # the borrower's notice leaves on the 17th
    _pay(creditor, tmp_path, "OLD-2", "2026-03-18")  # the old creditor's tape, after it

    recorded = dict(Payment.objects.filter(loan=loan).values_list("payment_id", "received_by"))
    assert recorded == {"OLD-1": creditor.pk, "OLD-2": creditor.pk}
    assert before == []
    assert _handovers() == [
        {
            "loan_id": "A1",
            "payment_id": "OLD-2",
            "paid_on": "2026-03-18",
            "amount": "1000.00",
            "received_by": "测试小贷",
            "assigned_to": BUYER,
            "assigned_on": "2026-03-15",
            "notice_sent_on": "2026-03-17",
        }
    ]
