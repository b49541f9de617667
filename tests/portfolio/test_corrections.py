"""Correcting a booked loan: the terms change only with a reason, the schedule is rebuilt as
the import builds it, the audit chain records before and after, and the next cycle
recomputes the loan's position."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from arrears.core.audit import audit_verify
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry
from arrears.portfolio.calculations.schedule import build_schedule
from arrears.portfolio.models import Creditor, Installment, Loan, LoanPosition
from arrears.portfolio.services import tape_ingest, waiver_post
from arrears.portfolio.services.corrections import loan_correct
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    row = loan_row("C1", principal="6,400.00", disbursed_on="2026-01-15", term_months="6")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    return Loan.objects.get(loan_id="C1")


def schedule_of(loan: Loan) -> list[tuple[int, date, int, int]]:
    return list(
        Installment.objects.filter(loan=loan)
        .order_by("seq")
        .values_list("seq", "due_on", "principal", "interest")
    )


def test_a_principal_correction_rebuilds_the_schedule_and_is_audited_once(loan: Loan) -> None:
    entries = AuditEntry.objects.count()

    loan_correct(loan=loan, by=None, reason="keyed 6,400 for 12,345.67", principal=1_234_567)

    loan.refresh_from_db()
    installments = schedule_of(loan)
    assert loan.principal == 1_234_567
    assert sum(principal for _, _, principal, _ in installments) == 1_234_567
    expected = build_schedule(
        principal=1_234_567,
        annual_rate=loan.annual_rate,
        term_months=6,
        method=loan.repayment_method,
        disbursed_on=loan.disbursed_on,
    )
    assert installments == [(i.seq, i.due_on, i.principal, i.interest) for i in expected]
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.get(action="loan.correct")
    assert (entry.subject_type, entry.subject_id) == ("loan", str(loan.pk))
    assert entry.data["before"] == {"principal": 640_000}
    assert entry.data["after"] == {"principal": 1_234_567}
    assert entry.data["reason"] == "keyed 6,400 for 12,345.67"
    assert audit_verify().intact


def test_rate_term_and_disbursement_are_corrected_together(loan: Loan) -> None:
    loan_correct(
        loan=loan,
        by=None,
        reason="contract says 9.6 % over 12 months from 20 January",
        annual_rate=Decimal("0.096"),
        term_months=12,
        disbursed_on=date(2026, 1, 20),
    )

    loan.refresh_from_db()
    installments = schedule_of(loan)
    assert loan.annual_rate == Decimal("0.096")
    assert len(installments) == 12
    assert installments[0][1] == date(2026, 2, 20)
    assert sum(row[2] for row in installments) == 640_000
    entry = AuditEntry.objects.get(action="loan.correct")
    assert entry.data["before"] == {
        "annual_rate": "0.12000000",
        "term_months": 6,
        "disbursed_on": "2026-01-15",
    }
    assert entry.data["after"]["disbursed_on"] == "2026-01-20"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"principal": 10**18}, "principal"),
        ({"principal": 0}, "principal"),
        ({"annual_rate": Decimal("1.5")}, "annual_rate"),
        ({"term_months": 0}, "term_months"),
        ({"disbursed_on": date(1, 1, 1)}, "disbursed_on"),
        ({"first_due_on": date(2026, 1, 10)}, "first_due_on"),
        ({"repayment_method": "whenever"}, "repayment_method"),
    ],
)
def test_a_value_out_of_bounds_is_refused_on_its_field_and_nothing_changes(
    loan: Loan, change: dict[str, object], field: str
) -> None:
    before = schedule_of(loan)

    with pytest.raises(InvalidInput) as refused:
        loan_correct(loan=loan, by=None, reason="typo", **change)  # type: ignore[arg-type]

    assert refused.value.field == field
    loan.refresh_from_db()
    assert loan.principal == 640_000 and schedule_of(loan) == before
    assert not AuditEntry.objects.filter(action="loan.correct").exists()


def test_a_correction_needs_a_reason_and_a_change(loan: Loan) -> None:
    with pytest.raises(InvalidInput) as no_reason:
        loan_correct(loan=loan, by=None, reason="  ", principal=700_000)
    with pytest.raises(InvalidInput):
        loan_correct(loan=loan, by=None, reason="nothing", principal=640_000)

    assert no_reason.value.field == "reason"
    assert not AuditEntry.objects.filter(action="loan.correct").exists()


def test_a_loan_with_a_payment_or_a_waiver_is_not_corrected(
    loan: Loan, creditor: Creditor, tmp_path: Path
) -> None:
    other = loan_row("C2", principal="6,400.00", disbursed_on="2026-01-15")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l2.csv", [other]))
    paid = [payment_row("P1", "C1", "2026-02-15", "100.00")]
    tape_ingest(creditor=creditor, kind="payments", path=write_csv(tmp_path / "p.csv", paid))
    waived = Loan.objects.get(loan_id="C2")
    waiver_post(loan=waived, reference="S-1", waived_on=date(2026, 3, 1), penalty=1)

    for frozen in (loan, waived):
        with pytest.raises(InvalidInput, match="repayment has begun"):
            loan_correct(loan=frozen, by=None, reason="typo", principal=1_234_567)
        frozen.refresh_from_db()
        assert frozen.principal == 640_000
    assert not AuditEntry.objects.filter(action="loan.correct").exists()


def test_the_next_cycle_recomputes_the_corrected_loans_position(loan: Loan) -> None:
    call_command("cycle", "--date", "2026-04-20", "--json", stdout=StringIO())
    position = LoanPosition.objects.get(loan=loan)
    assert position.principal_outstanding == 640_000
    overdue_before = position.overdue_principal

    loan_correct(loan=loan, by=None, reason="keyed 6,400 for 12,345.67", principal=1_234_567)
    call_command("cycle", "--date", "2026-04-21", "--json", stdout=StringIO())

    position.refresh_from_db()
    due = schedule_of(loan)
    assert position.principal_outstanding == 1_234_567
    assert position.overdue_principal == sum(p for _, on, p, _ in due if on < date(2026, 4, 21))
    assert position.overdue_principal > overdue_before
