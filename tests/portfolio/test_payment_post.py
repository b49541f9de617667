"""``payment_post``: one payment recorded as a payments file would record it, allocated at
once, the loan stamped for the next cycle, and the post on the audit chain."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Allocation, Creditor, Loan, Payment
from arrears.portfolio.services import payment_post, tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    path = write_csv(tmp_path / "l.csv", [loan_row("PP-1"), loan_row("PP-2")])
    tape_ingest(creditor=creditor, kind="loans", path=path)
    return Loan.objects.get(loan_id="PP-1")


def post(loan: Loan, **changes: object) -> tuple[Payment, bool]:
    values: dict[str, object] = {
        "payment_id": "T-1",
        "amount": 500_000,
        "paid_on": date(2026, 3, 5),
        "channel": "bank",
    }
    values.update(changes)
    return payment_post(loan=loan, **values)  # type: ignore[arg-type]


def test_a_new_payment_is_recorded_allocated_stamped_and_audited(loan: Loan) -> None:
    payment, created = post(loan, source="webhook")

    assert created and (payment.amount, payment.creditor_id) == (500_000, loan.creditor_id)
    assert Allocation.objects.filter(payment=payment).exists()
    assert Loan.objects.get(pk=loan.pk).payments_version == loan.payments_version + 1
    entry = AuditEntry.objects.get(action="payment.post")
    assert entry.data["source"] == "webhook" and entry.data["payment_id"] == "T-1"


def test_the_same_payment_again_is_unchanged_and_writes_nothing(loan: Loan) -> None:
    first, _ = post(loan)

    again, created = post(loan, payment_id=" T-1 ")

    assert not created and again.pk == first.pk
    assert Loan.objects.get(pk=loan.pk).payments_version == loan.payments_version + 1
    assert AuditEntry.objects.filter(action="payment.post").count() == 1


@pytest.mark.parametrize(
    "changes", [{"amount": 1}, {"channel": "cash"}, {"paid_on": date(2026, 3, 6)}]
)
def test_the_same_id_with_other_content_is_refused(loan: Loan, changes: dict[str, object]) -> None:
    post(loan)

    with pytest.raises(InvalidInput) as refused:
        post(loan, **changes)

    assert refused.value.field == "payment_id"
    assert "already recorded with different content" in str(refused.value)


def test_the_same_id_on_another_loan_of_the_creditor_is_refused(loan: Loan) -> None:
    post(loan)

    with pytest.raises(InvalidInput) as refused:
        post(Loan.objects.get(loan_id="PP-2"))

    assert refused.value.field == "payment_id" and "PP-1" in str(refused.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -1}, "amount"),
        ({"amount": 10**12 + 1}, "amount"),
        ({"paid_on": date(2026, 1, 30)}, "paid_on"),  # the day before disbursement
        ({"payment_id": "  "}, "payment_id"),
        ({"payment_id": "x" * 101}, "payment_id"),
        ({"channel": "x" * 61}, "channel"),
    ],
)
def test_values_the_tape_refuses_are_refused_here(
    loan: Loan, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        post(loan, **changes)

    assert refused.value.field == field
    assert not Payment.objects.exists()


def test_a_day_in_the_future_is_refused(loan: Loan) -> None:
    with pytest.raises(InvalidInput) as refused:
        post(loan, paid_on=timezone.localdate() + timedelta(days=1))

    assert refused.value.field == "paid_on" and "future" in str(refused.value)
