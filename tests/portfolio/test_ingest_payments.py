"""Payment import: allocation by replay, backdated payments, and payment ids as facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db.models import Sum

from arrears.portfolio.models import Allocation, Creditor, Loan, Payment
from arrears.portfolio.selectors import loan_state
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_loan(creditor: Creditor, tmp_path: Path) -> Loan:
    """The issue's worked example: 120,000.00 at 12 %, 12 months, annuity, penalty 18 %."""
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "loans.csv", [loan_row("W1")])
    )
    return Loan.objects.get(loan_id="W1")


def pay(creditor: Creditor, tmp_path: Path, name: str, *rows: dict[str, str]):  # type: ignore[no-untyped-def]
    return tape_ingest(
        creditor=creditor, kind="payments", path=write_csv(tmp_path / name, list(rows))
    )


def test_the_worked_example_through_the_database(
    creditor: Creditor, worked_loan: Loan, tmp_path: Path
) -> None:
    result = pay(creditor, tmp_path, "p.csv", payment_row("P1", "W1", "2026-03-05", "5000.00"))
    assert result.created == 1

    on_0301 = loan_state(worked_loan, as_of=date(2026, 3, 1))
    on_0305 = loan_state(worked_loan, as_of=date(2026, 3, 5))
    on_0401 = loan_state(worked_loan, as_of=date(2026, 4, 1))

    assert (on_0301.dpd, on_0301.penalty_accrued) == (1, 473)
    assert (on_0305.dpd, on_0305.penalty_accrued, on_0305.overdue.penalty) == (5, 2176, 284)
    assert on_0305.overdue.principal == 568077
    assert (on_0401.dpd, on_0401.bucket) == (32, "M2")
    journal = Allocation.objects.filter(loan=worked_loan).aggregate(
        p=Sum("principal"), i=Sum("interest"), n=Sum("penalty")
    )
    assert journal == {"p": 378108, "i": 120000, "n": 1892}


def test_a_backdated_payment_changes_the_state_as_if_it_had_come_on_time(
    creditor: Creditor, worked_loan: Loan, tmp_path: Path
) -> None:
    pay(creditor, tmp_path, "late.csv", payment_row("P2", "W1", "2026-04-10", "8000.00"))
    pay(creditor, tmp_path, "early.csv", payment_row("P1", "W1", "2026-03-05", "5000.00"))
    backdated = loan_state(worked_loan, as_of=date(2026, 5, 1))
    journal = sorted(
        Allocation.objects.filter(loan=worked_loan).values_list(
            "payment__payment_id",
            "installment__seq",
            "applied_on",
            "principal",
            "interest",
            "penalty",
        )
    )

    Payment.objects.all().delete()
    pay(
        creditor,
        tmp_path,
        "both.csv",
        payment_row("P1", "W1", "2026-03-05", "5000.00"),
        payment_row("P2", "W1", "2026-04-10", "8000.00"),
    )
    in_order = loan_state(worked_loan, as_of=date(2026, 5, 1))

    assert backdated == in_order
    assert journal == sorted(
        Allocation.objects.filter(loan=worked_loan).values_list(
            "payment__payment_id",
            "installment__seq",
            "applied_on",
            "principal",
            "interest",
            "penalty",
        )
    )


def test_the_same_payment_id_with_the_same_content_is_unchanged(
    creditor: Creditor, worked_loan: Loan, tmp_path: Path
) -> None:
    row = payment_row("P1", "W1", "2026-03-05", "5000.00", "微信")
    pay(creditor, tmp_path, "a.csv", row)

    again = pay(creditor, tmp_path, "b.csv", row)

    assert (again.created, again.unchanged, again.rejected) == (0, 1, 0)
    assert Payment.objects.count() == 1


def test_the_same_payment_id_with_different_content_is_rejected(
    creditor: Creditor, worked_loan: Loan, tmp_path: Path
) -> None:
    pay(creditor, tmp_path, "a.csv", payment_row("P1", "W1", "2026-03-05", "5000.00"))

    result = pay(creditor, tmp_path, "b.csv", payment_row("P1", "W1", "2026-03-05", "5500.00"))

    assert result.rejected == 1
    rejects = Path(str(result.rejects_file)).read_text(encoding="utf-8-sig")
    assert "'P1' is already recorded with different content" in rejects
    assert Payment.objects.get().amount == 500000


def test_payments_for_unknown_loans_or_future_dates_are_rejected_and_the_rest_kept(
    creditor: Creditor, worked_loan: Loan, tmp_path: Path
) -> None:
    result = pay(
        creditor,
        tmp_path,
        "p.csv",
        payment_row("P1", "NOPE", "2026-03-05", "100"),
        payment_row("P2", "W1", "2099-01-01", "100"),
        payment_row("P3", "W1", "2026-01-15", "100"),
        payment_row("P4", "W1", "2026-02-28", "10661.85"),
    )

    assert (result.created, result.rejected) == (1, 3)
    rejects = Path(str(result.rejects_file)).read_text(encoding="utf-8-sig")
    assert "'NOPE' is not in the portfolio" in rejects
    assert "2099-01-01 is in the future" in rejects
    assert "before the loan was disbursed" in rejects
    assert loan_state(worked_loan, as_of=date(2026, 3, 1)).dpd == 0


def test_an_overpayment_is_credit_that_settles_the_next_installment_on_its_due_date(
    creditor: Creditor, worked_loan: Loan, tmp_path: Path
) -> None:
    pay(creditor, tmp_path, "p.csv", payment_row("P1", "W1", "2026-02-28", "15000.00"))

    before = loan_state(worked_loan, as_of=date(2026, 3, 30))
    after = loan_state(worked_loan, as_of=date(2026, 3, 31))

    assert before.credit_balance == 1_500_000 - 1_066_185
    assert after.credit_balance == 0
    assert after.installments[1].paid.total == 1_500_000 - 1_066_185
    assert Allocation.objects.filter(loan=worked_loan, applied_on=date(2026, 3, 31)).exists()
