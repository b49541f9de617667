"""The claim on a loan from the ledger: it agrees with ``arrears loan`` to the fen through
part payments, backdated payments and waivers, adds the recoverable legal costs, applies the
creditor's interest ceiling, and ``arrears legal claim`` prints it or exits 2 with a reason."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.core.money import parse_yuan
from arrears.legal.choices import CostKind, MatterKind
from arrears.legal.claims import Claim, claim_report, loan_claim
from arrears.legal.models import Matter, MatterCost, MatterLoan
from arrears.portfolio.choices import LenderType
from arrears.portfolio.models import Creditor, Installment, Loan
from arrears.portfolio.services import tape_ingest, waiver_post
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db

ON = date(2026, 8, 15)
CLAIM_KEYS = {
    "loan_id",
    "as_of",
    "principal",
    "interest",
    "penalty",
    "fees",
    "costs",
    "total",
    "cap",
    "lines",
}
LINE_KEYS = {"component", "label", "period_from", "period_to", "base", "rate", "days", "amount"}


def ingest(creditor: Creditor, tmp_path: Path, kind: str, rows: list[dict[str, str]]) -> None:
    name = f"{kind}-{len(list(tmp_path.iterdir()))}.csv"
    tape_ingest(creditor=creditor, kind=kind, path=write_csv(tmp_path / name, rows))


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    """120,000.00 over 12 months from 2026-01-31 at 12 % (penalty 18 %), paid in part."""
    ingest(creditor, tmp_path, "loans", [loan_row("C1")])
    ingest(
        creditor,
        tmp_path,
        "payments",
        [
            payment_row("P1", "C1", "2026-02-28", "10,661.85"),
            payment_row("P2", "C1", "2026-05-10", "3,000.00"),
        ],
    )
    # Recorded later but paid earlier: the replay puts it before P2.
    ingest(creditor, tmp_path, "payments", [payment_row("P0", "C1", "2026-04-05", "4,321.09")])
    return Loan.objects.get(loan_id="C1")


def ledger(loan: Loan, on: date) -> dict[str, Any]:
    out = StringIO()
    call_command("loan", loan.loan_id, "--as-of", on.isoformat(), "--json", stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def fen(yuan: str) -> int:
    return parse_yuan(yuan)


def assert_matches_the_ledger(claim: Claim, loan: Loan) -> None:
    report = ledger(loan, claim.as_of)
    fallen_due = [item for item in report["schedule"] if item["due_on"] <= claim.as_of.isoformat()]
    assert claim.principal == fen(report["principal_outstanding"])
    assert claim.interest == sum(fen(item["outstanding"]["interest"]) for item in fallen_due)
    assert claim.fees == sum(fen(item["outstanding"]["fees"]) for item in fallen_due)
    assert claim.penalty == fen(report["totals"]["outstanding"]["penalty"])
    for component in ("principal", "interest", "fees", "penalty", "costs"):
        lines = [line.amount for line in claim.lines if line.component == component]
        assert sum(lines) == getattr(claim, component), component
    assert claim.total == sum(line.amount for line in claim.lines)
    assert claim.total == (
        claim.principal + claim.interest + claim.fees + claim.penalty + claim.costs - claim.credit
    )


def test_the_claim_equals_the_ledger_with_part_and_backdated_payments(loan: Loan) -> None:
    claim = loan_claim(loan, as_of=ON)

    assert_matches_the_ledger(claim, loan)
    assert claim.penalty > 0 and claim.interest > 0
    assert claim.principal_fallen_due + claim.principal_not_yet_due == claim.principal


def test_the_claim_equals_the_ledger_after_waivers(loan: Loan) -> None:
    waiver_post(loan=loan, reference="S1", waived_on=date(2026, 6, 20), penalty=50_00)
    waiver_post(loan=loan, reference="S2", waived_on=date(2026, 7, 1), principal=2_000_00)

    claim = loan_claim(loan, as_of=ON)

    assert_matches_the_ledger(claim, loan)
    labels = [line.label for line in claim.lines]
    assert any(label.endswith("已减免罚息") for label in labels)


def test_the_claim_equals_the_ledger_on_every_day_of_a_month(loan: Loan) -> None:
    for day in range(1, 31):
        assert_matches_the_ledger(loan_claim(loan, as_of=date(2026, 6, day)), loan)


def test_fees_of_installments_fallen_due_are_claimed(loan: Loan) -> None:
    Installment.objects.filter(loan=loan).update(fees=25_00)

    claim = loan_claim(loan, as_of=ON)

    assert_matches_the_ledger(claim, loan)
    assert claim.fees > 0
    fee_labels = [line.label for line in claim.lines if line.component == "fees"]
    assert fee_labels and all(label.endswith("未还费用") for label in fee_labels)


def test_recoverable_costs_of_every_matter_covering_the_loan_are_claimed(
    loan: Loan, creditor: Creditor
) -> None:
    lead = Matter.objects.create(
        creditor=creditor, loan=loan, kind=MatterKind.LAWSUIT, opened_on=date(2026, 7, 1)
    )
    MatterLoan.objects.create(matter=lead, loan=loan)  # the lead loan is listed as well
    other = Loan.objects.create(
        creditor=creditor,
        loan_id="C2",
        principal=1_000_00,
        annual_rate="0.12",
        term_months=1,
        repayment_method="bullet",
        disbursed_on=date(2026, 1, 1),
        penalty_rate="0.18",
    )
    joint = Matter.objects.create(
        creditor=creditor, loan=other, kind=MatterKind.PAYMENT_ORDER, opened_on=date(2026, 7, 2)
    )
    MatterLoan.objects.create(matter=joint, loan=loan)
    for matter, kind, amount, on, recoverable in [
        (lead, CostKind.COURT_FEE, 1_050_00, date(2026, 7, 3), True),
        (lead, CostKind.LAWYER_FEE, 3_000_00, date(2026, 7, 5), True),
        (lead, CostKind.OTHER, 99_00, date(2026, 7, 6), False),  # not recoverable
        (lead, CostKind.SERVICE_FEE, 200_00, date(2026, 9, 1), True),  # after the claim date
        (joint, CostKind.PAYMENT_ORDER_FEE, 350_00, date(2026, 7, 4), True),
    ]:
        MatterCost.objects.create(
            matter=matter, kind=kind, amount=amount, incurred_on=on, recoverable=recoverable
        )

    claim = loan_claim(loan, as_of=ON)

    costs = [(line.label, line.amount) for line in claim.lines if line.component == "costs"]
    assert costs == [
        (f"案件受理费（案件#{lead.pk}）", 1_050_00),
        (f"支付令申请费（案件#{joint.pk}）", 350_00),
        (f"律师费（案件#{lead.pk}）", 3_000_00),
    ]
    assert claim.costs == 4_400_00
    assert_matches_the_ledger(claim, loan)
    assert claim.cap.claimed_charges == claim.interest + claim.fees + claim.penalty


def test_a_private_lender_above_four_times_the_lpr_is_reduced(loan: Loan) -> None:
    Creditor.objects.filter(pk=loan.creditor_id).update(lender_type=LenderType.PRIVATE)
    loan.refresh_from_db()

    claim = loan_claim(loan, as_of=date(2027, 6, 30))

    # A contract of 2026-01-31: LPR 3.00 %, ceiling 12 %; the loan charges 12 % + 18 %.
    assert claim.cap.annual_rate == Decimal("0.12")
    assert claim.cap.lender_type == "private"
    assert claim.cap.reduction > 0
    assert claim.cap.reduction == claim.cap.claimed_charges - claim.cap.supportable_charges
    assert claim.cap.total_supportable == claim.total - claim.cap.reduction


def test_a_bank_loan_within_24_percent_is_not_reduced(loan: Loan) -> None:
    claim = loan_claim(loan, as_of=date(2027, 6, 30))

    assert claim.cap.lender_type == "financial_institution"
    assert claim.cap.reduction == 0
    assert claim.cap.supportable_charges >= claim.cap.claimed_charges


def test_a_bank_loan_above_24_percent_is_reduced(creditor: Creditor, tmp_path: Path) -> None:
    ingest(
        creditor,
        tmp_path,
        "loans",
        [loan_row("H1", annual_rate="20%", penalty_rate="40%", repayment_method="bullet")],
    )
    loan = Loan.objects.get(loan_id="H1")

    claim = loan_claim(loan, as_of=date(2028, 6, 30))

    assert claim.cap.reduction > 0
    assert claim.cap.total_supportable < claim.total


def test_a_claim_date_before_disbursement_is_refused(loan: Loan) -> None:
    from arrears.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="before the loan was disbursed"):
        loan_claim(loan, as_of=date(2025, 12, 31))


def run(*args: str) -> str:
    out = StringIO()
    call_command("legal", "claim", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_claim_as_json(loan: Loan) -> None:
    report = json.loads(run("C1", "--as-of", ON.isoformat(), "--json"))

    assert set(report) >= CLAIM_KEYS
    assert report == claim_report(loan_claim(loan, as_of=ON))
    assert report["accelerated"] is False
    assert all(set(line) == LINE_KEYS for line in report["lines"])
    assert {"rule", "annual_rate", "supportable_charges", "reduction"} <= set(report["cap"])
    penalty = [line for line in report["lines"] if line["component"] == "penalty"]
    assert penalty[0]["rate"] == "0.18" and penalty[0]["days"] > 0


def test_the_command_accelerates_when_asked(loan: Loan) -> None:
    report = json.loads(run("C1", "--as-of", ON.isoformat(), "--accelerate", "--json"))

    assert report["accelerated"] is True
    assert any("宣布提前到期" in line["label"] for line in report["lines"])


def test_the_command_prints_a_readable_claim(loan: Loan) -> None:
    text = run("C1", "--as-of", ON.isoformat(), "--creditor", "测试小贷")

    assert "Claim on loan C1 as of 2026-08-15" in text
    assert "第2期到期未还本金" in text and "Cap (financial_institution" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("NOPE", "--as-of", "2026-08-15"), "not found"),
        (("C1", "--as-of", "2026-13-45"), "--as-of"),
        (("C1", "--as-of", "yesterday"), "--as-of"),
        (("C1", "--as-of", "2025-01-01"), "before the loan was disbursed"),
        (("C1", "--as-of", "2026-08-15", "--creditor", "nobody"), "nobody"),
    ],
)
def test_bad_input_exits_2_with_a_message(loan: Loan, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message) as error:
        run(*args)

    assert error.value.returncode == 2
