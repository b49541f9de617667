"""The installments an import writes are the pure ``build_schedule`` of each loan's terms
as stored, whichever chunk a row falls in: new loans, and loans whose terms changed before
any payment. The import works schedules out ahead of each chunk, in its reading thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.portfolio.calculations.schedule import build_schedule
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import ingest as ingest_driver
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db

METHODS = ("annuity", "equal_principal", "interest_only", "bullet")


def written(loan: Loan) -> list[tuple[object, ...]]:
    return [
        (item.seq, item.due_on, item.principal, item.interest, item.fees)
        for item in loan.installments.order_by("seq")
    ]


def scheduled(loan: Loan) -> list[tuple[object, ...]]:
    return [
        (item.seq, item.due_on, item.principal, item.interest, item.fees)
        for item in build_schedule(
            principal=loan.principal,
            annual_rate=loan.annual_rate,
            term_months=loan.term_months,
            method=loan.repayment_method,
            disbursed_on=loan.disbursed_on,
            first_due_on=loan.first_due_on,
        )
    ]


@pytest.fixture
def creditor() -> Creditor:
    return Creditor.objects.create(name="测试银行")


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Several chunks, so rows are scheduled ahead of the chunk that writes them.
    monkeypatch.setattr(ingest_driver, "CHUNK_ROWS", 3)


def test_every_loan_gets_the_schedule_of_its_stored_terms(
    creditor: Creditor, tmp_path: Path
) -> None:
    rows = [
        loan_row(
            f"S{n}",
            # Large enough that the rate's ninth place moves the interest by whole fen.
            principal=f"{80_000_000 + 997 * n}.{n:02d}",
            # More places than the rate column keeps: the schedule follows the stored rate.
            annual_rate="12.3456785%" if n % 2 else "7.2%",
            term_months=str(1 + n % 13),
            repayment_method=METHODS[n % 4],
            first_due_on="2026-02-28" if n % 3 == 0 else "",
        )
        for n in range(11)
    ]

    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "a.csv", rows))

    loans = list(Loan.objects.filter(creditor=creditor).order_by("loan_id"))
    assert len(loans) == 11
    for loan in loans:
        assert written(loan) == scheduled(loan), loan.loan_id


def test_changed_terms_replace_the_schedule_with_the_new_terms_one(
    creditor: Creditor, tmp_path: Path
) -> None:
    first = [loan_row(f"C{n}", repayment_method=METHODS[n % 4]) for n in range(7)]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "a.csv", first))
    changed = [
        {**row, "term_months": "24", "annual_rate": "9.87654321%"} if n % 2 else row
        for n, row in enumerate(first)
    ]

    result = tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "b.csv", changed)
    )

    assert (result.updated, result.unchanged) == (3, 4)
    for loan in Loan.objects.filter(creditor=creditor):
        assert written(loan) == scheduled(loan), loan.loan_id
