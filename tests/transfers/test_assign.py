"""``arrears assign``: loans move to another creditor from a date with their whole history,
the notices (债权转让通知书) are queued for every debtor and guarantor, and nothing moves
when any loan may not."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from arrears.accounts.models import User
from arrears.cases.models import CaseAssignment, CollectionCase
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Creditor, Loan, LoanParty, Payment
from arrears.portfolio.services import tape_ingest
from arrears.transfers.models import Assignment, AssignmentLoan
from tests.factories import loan_row, write_csv
from tests.transfers.conftest import texts_send, tomorrow_at

pytestmark = pytest.mark.django_db
BUYER = "华融资产"


def assign(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("assign", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_an_assigned_loan_changes_creditor_and_keeps_its_history(
    loan: Loan, creditor: Creditor, collector: User
) -> None:
    case = CollectionCase.objects.get(loan=loan)
    payments_before = list(Payment.objects.filter(loan=loan).values_list("pk", flat=True))

    made = assign("--loan", "A1", "--to", BUYER, "--on", "2026-03-15", "--price", "30,000")

    loan.refresh_from_db()
    buyer = Creditor.objects.get(name=BUYER)
    assert (loan.creditor, loan.assigned_from, str(loan.assigned_on)) == (
        buyer,
        creditor,
        "2026-03-15",
    )
    case.refresh_from_db()
    assert (case.creditor, case.team, case.assignee) == (buyer, None, None)
    moved = CaseAssignment.objects.filter(case=case).latest("id")
    assert (moved.previous_assignee, moved.team, moved.reason) == (
        collector,
        None,
        f"debt assigned to {BUYER} from 2026-03-15",
    )
    assert list(Payment.objects.filter(loan=loan).values_list("pk", flat=True)) == payments_before
    record = AssignmentLoan.objects.get(loan=loan)
    # Installment 1 (due 2026-02-28) is unpaid: all 120,000.00 principal plus its 1,200.00
    # interest; installment 2's interest falls due on 2026-03-31, after the date.
    assert (record.from_creditor, record.balance) == (creditor, 12_120_000)
    assert made == {
        "assignment_id": record.assignment_id,
        "to": BUYER,
        "on": "2026-03-15",
        "loans": 1,
        "balance": "121200.00",
        "price": "30000.00",
        "cases": 1,
        "notices": 4,
    }
    assert Assignment.objects.get().loans_count == 1


def test_a_letter_and_an_sms_are_queued_for_the_borrower_and_the_guarantor(loan: Loan) -> None:
    assign("--loan", "A1", "--to", BUYER, "--on", "2026-03-15")

    roles = dict(LoanParty.objects.filter(loan=loan).values_list("party_id", "role"))
    notices = {
        (roles[m.party_id], m.channel, m.status, m.error)
        for m in OutboxMessage.objects.filter(purpose="assignment_notice")
    }
    # The tape gave phones but no postal address: the letters have nowhere to go.
    assert notices == {
        ("borrower", "sms", "queued", ""),
        ("guarantor", "sms", "queued", ""),
        ("borrower", "letter", "cancelled", "no address on file for this party"),
        ("guarantor", "letter", "cancelled", "no address on file for this party"),
    }
    record = AssignmentLoan.objects.get(loan=loan)
    assert (record.borrower_notices, record.guarantor_notices) == (2, 2)
    assert all(m.planned_action_id == -m.pk for m in OutboxMessage.objects.filter(case_id=0))


def test_the_loan_json_shows_the_assignment_and_when_the_notice_left(loan: Loan) -> None:
    assign("--loan", "A1", "--to", BUYER, "--on", "2026-03-15")
    before = StringIO()
    call_command("loan", "A1", "--json", stdout=before)
    when = tomorrow_at(10)
    sms = texts_send(when)
    after = StringIO()
    call_command("loan", "A1", "--json", stdout=after)

    assert json.loads(before.getvalue())["assignment"] == {
        "from": "测试小贷",
        "to": BUYER,
        "on": "2026-03-15",
        "notice_sent_on": None,
    }
    notices = [m for m in sms.sent if "转让" in m.body]
    assert len(notices) == 2  # the borrower's and the guarantor's
    assert notices[0].body.startswith(
        "【华融资产】张三您好，借款合同（合同号A1）项下的债权已由原债权人转让给华融资产"
    )
    assert json.loads(after.getvalue())["assignment"]["notice_sent_on"] == when.date().isoformat()


def test_a_loan_never_assigned_shows_no_assignment(loan: Loan) -> None:
    out = StringIO()
    call_command("loan", "A1", "--json", stdout=out)
    assert json.loads(out.getvalue())["assignment"] is None


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("assign", *args, stdout=StringIO())
    assert caught.value.returncode == 2
    return str(caught.value)


def test_every_unknown_loan_is_named_and_nothing_moves(loan: Loan, tmp_path: Path) -> None:
    ids = tmp_path / "sale.csv"
    ids.write_text("loan_id,note\nA1,x\nNOPE-1,y\nNOPE-2,z\n", encoding="utf-8")

    message = refused("--loans", str(ids), "--to", BUYER, "--on", "2026-03-15")

    assert message == "2 loan ids are not in the portfolio: NOPE-1, NOPE-2"
    assert Loan.objects.get(loan_id="A1").creditor.name == "测试小贷"
    assert not Assignment.objects.exists() and not OutboxMessage.objects.filter(case_id=0)
    assert not Creditor.objects.filter(name=BUYER).exists()


def test_every_reason_is_given_at_once(loan: Loan, creditor: Creditor, tmp_path: Path) -> None:
    other = Creditor.objects.create(name="别家小贷")
    tape_ingest(
        creditor=other,
        kind="loans",
        path=write_csv(tmp_path / "o.csv", [loan_row("B1", disbursed_on="2026-04-01")]),
    )

    wrong_creditor = refused("--loan", "A1", "--loan", "B1", "--from", "测试小贷", "--to",
                             BUYER, "--on", "2026-03-15")  # fmt: skip
    same = refused("--loan", "A1", "--to", "测试小贷", "--on", "2026-03-15")
    both = refused("--loan", "A1", "--loan", "B1", "--to", "别家小贷", "--on", "2026-03-15")
    early = refused("--loan", "B1", "--to", BUYER, "--on", "2026-03-15")

    assert wrong_creditor == "1 loans are not of the creditor 测试小贷: B1"
    assert same == "1 loans are already of the creditor 测试小贷: A1"
    assert both == (
        "1 loans are already of the creditor 别家小贷: B1;"
        " 1 loans were disbursed after 2026-03-15: B1"
    )
    assert early == "1 loans were disbursed after 2026-03-15: B1"
    assert not Assignment.objects.exists()


def test_a_future_date_and_a_disbursement_after_it_are_refused_together(
    loan: Loan, tmp_path: Path
) -> None:
    message = refused("--loan", "A1", "--to", BUYER, "--on", "2099-01-01", "--from", "测试小贷")
    assert message.startswith("the assignment date 2099-01-01 is in the future")

    message = refused("--loan", "A1", "--to", BUYER, "--on", "2026-01-01")
    assert message == "1 loans were disbursed after 2026-01-01: A1"
