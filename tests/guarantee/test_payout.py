"""A guarantee company's pay-out (代偿): the lender's loan settled to the fen and compensated,
the recourse claim (追偿) created with the right parties and run by the cycle from the
pay-out day, and a recovery on it in the guarantee company's report."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.cases.models import CollectionCase
from arrears.core.models import AuditEntry
from arrears.core.money import round_half_up
from arrears.cycle.runner import cycle_run
from arrears.guarantee.models import Payout
from arrears.guarantee.selectors import guarantee_report
from arrears.guarantee.services import payout_record, recovery_record
from arrears.portfolio.choices import LoanStatus
from arrears.portfolio.models import Creditor, Loan, LoanParty, LoanPosition
from arrears.portfolio.selectors import loan_state
from arrears.portfolio.services.claims import loan_owed_on
from arrears.strategy.models import CaseStrategy
from tests.guarantee.conftest import COMPANY, PAID_OUT

pytestmark = pytest.mark.django_db


def _loan(loan_id: str) -> Loan:
    return Loan.objects.get(loan_id=loan_id)


def _payout_command(*args: str) -> dict[str, str]:
    out = StringIO()
    call_command("guarantee", "payout", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_payout_settles_the_loan_to_the_fen_and_creates_the_claim_with_its_parties(
    lender: Creditor,
) -> None:
    loan = _loan("G1")
    assert LoanPosition.objects.get(loan=loan).dpd > 0
    owed = loan_owed_on(loan, PAID_OUT)
    yuan = f"{owed // 100}.{owed % 100:02d}"

    shown = _payout_command("G1", "--on", PAID_OUT.isoformat(), "--amount", yuan)

    assert shown == {"loan_id": "G1", "claim_id": "G1-DC", "amount": yuan, "on": "2026-04-25"}
    loan.refresh_from_db()
    assert loan.status == LoanStatus.COMPENSATED
    last_due = loan.installments.order_by("-due_on").first().due_on  # type: ignore[union-attr]
    settled = loan_state(loan, as_of=last_due)
    assert [i.outstanding.total for i in settled.installments] == [0] * len(settled.installments)
    assert settled.credit_balance == 0
    assert loan_state(loan, as_of=PAID_OUT).dpd == 0
    # The stored position says settled, so the case closes and nothing moves it again.
    position = LoanPosition.objects.get(loan=loan)
    assert (position.dpd, position.principal_outstanding, position.credit_balance) == (0, 0, 0)

    claim = _loan("G1-DC")
    payout = Payout.objects.get(loan=loan)
    assert (payout.claim, payout.amount, payout.paid_on) == (claim, owed, PAID_OUT)
    assert claim.recourse_of == payout and loan.payout == payout  # type: ignore[attr-defined]
    assert claim.creditor.name == COMPANY == payout.guarantor.name
    assert (claim.principal, claim.annual_rate, claim.penalty_rate) == (
        owed,
        Decimal(0),
        loan.penalty_rate,
    )
    assert list(claim.installments.values_list("due_on", "principal", "interest")) == [
        (PAID_OUT, owed, 0)
    ]
    roles = {
        (role, party_id)
        for role, party_id in LoanParty.objects.filter(loan=claim).values_list("role", "party_id")
    }
    expected = set(
        LoanParty.objects.filter(
            loan=loan, role__in=["borrower", "co_borrower", "counter_guarantor"]
        ).values_list("role", "party_id")
    )
    assert roles == expected and {role for role, _ in roles} == {
        "borrower",
        "co_borrower",
        "counter_guarantor",
    }
    assert AuditEntry.objects.filter(action="guarantee.payout", subject_id=str(loan.pk)).exists()


def test_the_claim_counts_dpd_and_penalty_from_the_payout_day_and_opens_a_recourse_case(
    lender: Creditor,
) -> None:
    loan = _loan("G1")
    original_case = CollectionCase.objects.get(loan=loan, status="open")
    owed = loan_owed_on(loan, PAID_OUT)
    payout_record(loan=loan, amount=owed, on=PAID_OUT, penalty_rate=Decimal("0.24"))
    claim = _loan("G1-DC")
    assert claim.penalty_rate == Decimal("0.24")

    for day in (PAID_OUT + timedelta(days=1), PAID_OUT + timedelta(days=10)):
        cycle_run(on=day)

    position = LoanPosition.objects.get(loan=claim)
    assert position.dpd == 10
    # Ten days of penalty on the whole claim at 24 % a year, ACT/360, rounded half up once.
    assert position.overdue_penalty == round_half_up(Fraction(owed * 24 * 10, 100 * 360))
    out = StringIO()
    call_command("loan", "G1-DC", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["dpd"] == 10
    case = CollectionCase.objects.get(loan=claim)
    assert (case.opened_on, case.status, case.creditor_id) == (
        PAID_OUT + timedelta(days=1),
        "open",
        claim.creditor_id,
    )
    assert CaseStrategy.objects.get(case=case).playbook.name == "recourse"
    original_case.refresh_from_db()
    assert original_case.status == "closed"


def test_a_recovery_on_the_claim_shows_in_the_guarantee_companys_report(
    lender: Creditor,
) -> None:
    payout_record(loan=_loan("G1"), amount=8_000_00, on=PAID_OUT)
    claim = _loan("G1-DC")
    counter = LoanParty.objects.get(loan=claim, role="counter_guarantor").party_id
    recovery_record(
        claim=claim, amount=2_000_00, on=date(2026, 5, 10), payment_id="R1", payer_id=counter
    )
    recovery_record(claim=claim, amount=1_000_00, on=date(2026, 5, 20), payment_id="R2")

    [report] = [r.as_dict() for r in guarantee_report(creditor=COMPANY)]

    assert report["paid_out"] == "8000.00" and report["recovered"] == "3000.00"
    assert report["counter_guarantors"] == "2000.00" and report["unattributed"] == "1000.00"
    assert report["cohorts"] == [
        {
            "month": "2026-04",
            "payouts": 1,
            "paid_out": "8000.00",
            "recovered": "3000.00",
            "recovery_rate": "0.3750",
            "counter_guarantors": "2000.00",
            "debtors": "0.00",
            "unattributed": "1000.00",
        }
    ]
    through = guarantee_report(creditor=COMPANY, as_of=date(2026, 5, 15))[0].as_dict()
    assert through["recovered"] == "2000.00"
    out = StringIO()
    call_command("guarantee", "report", "--json", stdout=out)
    assert json.loads(out.getvalue())["guarantors"][0]["recovery_rate"] == "0.3750"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["G9", "--on", "2026-04-25", "--amount", "100"], "not found"),
        (["G1", "--on", "2026-04-25", "--amount", "0"], "more than zero"),
        (["G1", "--on", "2026-04-25", "--amount", "999999"], "more than the loan owes"),
        (["G1", "--on", "2099-01-01", "--amount", "100"], "in the future"),
        (["G1", "--on", "2025-01-01", "--amount", "100"], "before the loan was disbursed"),
        (["G2", "--on", "2026-04-25", "--amount", "100"], "no guarantee company"),
    ],
)
def test_a_payout_is_refused_with_a_reason(lender: Creditor, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as raised:
        _payout_command(*args)

    assert raised.value.returncode == 2
    assert not Payout.objects.exists() and _loan("G1").status == LoanStatus.ACTIVE


def test_a_second_payout_and_a_payout_of_a_closed_loan_are_refused(lender: Creditor) -> None:
    _payout_command("G1", "--on", "2026-04-25", "--amount", "100")
    with pytest.raises(CommandError, match="paid out already"):
        _payout_command("G1", "--on", "2026-04-26", "--amount", "100")
    Loan.objects.filter(loan_id="G2").update(status=LoanStatus.CLOSED)
    with pytest.raises(CommandError, match="only an active loan"):
        _payout_command("G2", "--on", "2026-04-26", "--amount", "100", "--by", COMPANY)


def test_evidence_file_is_kept_with_its_hash(lender: Creditor, tmp_path: Path) -> None:
    voucher = tmp_path / "voucher.pdf"
    voucher.write_bytes(b"%PDF transfer voucher")
    _payout_command("G1", "--on", "2026-04-25", "--amount", "100", "--file", str(voucher))

    payout = Payout.objects.get()
    assert payout.evidence_sha256 == (
        __import__("hashlib").sha256(b"%PDF transfer voucher").hexdigest()
    )
    assert payout.evidence_path.endswith(".pdf")
