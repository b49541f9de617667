"""Loan-tape import: what a lender sees after `arrears ingest loans`."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.portfolio.models import (
    ContactPoint,
    Creditor,
    Installment,
    Loan,
    LoanParty,
    Party,
    Payment,
    Product,
)
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, valid_id, write_csv

pytestmark = pytest.mark.django_db


def ingest(creditor: Creditor, kind: str, path: Path) -> dict[str, object]:
    out = StringIO()
    call_command("ingest", kind, str(path), "--creditor", creditor.name, "--json", stdout=out)
    return json.loads(out.getvalue())


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Loan, Installment, Party, ContactPoint, LoanParty, Payment, Product)
    }


def test_a_tape_creates_loans_with_their_schedules_borrowers_and_guarantors(
    creditor: Creditor, tmp_path: Path
) -> None:
    guarantor_id = valid_id()
    tape = write_csv(
        tmp_path / "loans.csv",
        [
            loan_row("L1"),
            loan_row(
                "L2",
                principal="50000",
                repayment_method="等额本金",
                term_months="6",
                guarantor_name="李四",
                guarantor_id_number=guarantor_id,
                guarantor_phone="139 1234 5678",
                product="GUARANTEED",
            ),
        ],
    )

    result = ingest(creditor, "loans", tape)

    assert result == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "rejects_file": None,
    }
    loan = Loan.objects.get(loan_id="L1")
    schedule = list(loan.installments.order_by("seq"))
    assert len(schedule) == 12
    assert (schedule[0].due_on.isoformat(), schedule[0].principal, schedule[0].interest) == (
        "2026-02-28",
        946185,
        120000,
    )
    assert sum(item.principal for item in schedule) == 12_000_000
    l2 = Loan.objects.get(loan_id="L2")
    assert l2.installments.count() == 6
    assert l2.product is not None and l2.product.code == "GUARANTEED"
    roles = dict(l2.loan_parties.values_list("role", "party__name"))
    assert roles == {"borrower": "张三", "guarantor": "李四"}
    guarantor = Party.objects.get(id_number=guarantor_id)
    assert list(guarantor.contact_points.values_list("kind", "value", "status")) == [
        ("phone", "+8613912345678", "unverified")
    ]


def test_importing_the_same_file_again_changes_nothing(creditor: Creditor, tmp_path: Path) -> None:
    tape = write_csv(
        tmp_path / "loans.csv",
        [
            loan_row(f"L{i}", guarantor_name="李四", guarantor_id_number=valid_id())
            for i in range(5)
        ],
    )
    ingest(creditor, "loans", tape)
    before = table_counts()

    again = ingest(creditor, "loans", tape)

    assert again["unchanged"] == 5 and again["created"] == again["updated"] == 0
    assert table_counts() == before


def test_a_changed_phone_updates_the_party_and_keeps_the_old_number(
    creditor: Creditor, tmp_path: Path
) -> None:
    row = loan_row("L1", borrower_phone="13800000001")
    ingest(creditor, "loans", write_csv(tmp_path / "a.csv", [row]))

    row["borrower_phone"] = "13800000002"
    result = ingest(creditor, "loans", write_csv(tmp_path / "b.csv", [row]))

    assert result["updated"] == 1
    phones = list(
        ContactPoint.objects.filter(kind="phone").values_list("value", "is_primary").order_by("id")
    )
    assert phones == [("+8613800000001", False), ("+8613800000002", True)]


def test_changed_terms_before_any_payment_replace_the_schedule(
    creditor: Creditor, tmp_path: Path
) -> None:
    row = loan_row("L1")
    ingest(creditor, "loans", write_csv(tmp_path / "a.csv", [row]))

    row["term_months"] = "24"
    result = ingest(creditor, "loans", write_csv(tmp_path / "b.csv", [row]))

    assert result["updated"] == 1
    assert Installment.objects.filter(loan__loan_id="L1").count() == 24


def test_changed_terms_after_repayment_began_are_rejected_with_the_differences(
    creditor: Creditor, tmp_path: Path
) -> None:
    row = loan_row("L1")
    ingest(creditor, "loans", write_csv(tmp_path / "a.csv", [row]))
    ingest(
        creditor,
        "payments",
        write_csv(tmp_path / "p.csv", [payment_row("P1", "L1", "2026-02-28", "10661.85")]),
    )

    row["principal"] = "130000"
    result = ingest(creditor, "loans", write_csv(tmp_path / "b.csv", [row]))

    assert result["rejected"] == 1
    rejects = Path(str(result["rejects_file"])).read_text(encoding="utf-8-sig")
    assert "terms changed after repayment began: principal 120000.00 → 130000.00" in rejects
    assert Loan.objects.get(loan_id="L1").principal == 12_000_000


def test_penalty_rate_and_grace_default_from_the_product(
    creditor: Creditor, tmp_path: Path
) -> None:
    Product.objects.create(
        creditor=creditor, code="CARD", penalty_rate_multiplier="1.3", grace_days=3
    )
    ingest(
        creditor,
        "loans",
        write_csv(tmp_path / "a.csv", [loan_row("L1", penalty_rate="", product="CARD")]),
    )

    loan = Loan.objects.get(loan_id="L1")
    assert (loan.penalty_rate, loan.grace_days) == (Decimal("0.156"), 3)


def test_penalty_rate_defaults_to_one_and_a_half_times_the_rate(
    creditor: Creditor, tmp_path: Path
) -> None:
    ingest(creditor, "loans", write_csv(tmp_path / "a.csv", [loan_row("L1", penalty_rate="")]))

    assert str(Loan.objects.get(loan_id="L1").penalty_rate.normalize()) == "0.18"


def test_a_tape_without_a_required_column_is_refused_in_one_line(
    creditor: Creditor, tmp_path: Path
) -> None:
    row = loan_row("L1")
    del row["principal"]

    with pytest.raises(CommandError) as failure:
        ingest(creditor, "loans", write_csv(tmp_path / "a.csv", [row]))

    assert "principal" in str(failure.value) and "\n" not in str(failure.value)
    assert Loan.objects.count() == 0


def test_the_number_of_queries_does_not_grow_with_the_rows(
    creditor: Creditor, tmp_path: Path
) -> None:
    def queries_for(count: int, prefix: str) -> int:
        rows = [
            loan_row(f"{prefix}{i}", guarantor_name="李四", guarantor_id_number=valid_id())
            for i in range(count)
        ]
        path = write_csv(tmp_path / f"{prefix}.csv", rows)
        with CaptureQueriesContext(connection) as captured:
            tape_ingest(creditor=creditor, kind="loans", path=path)
        return len(captured.captured_queries)

    assert queries_for(200, "B") == queries_for(10, "A")


def test_loan_ids_are_per_creditor(creditor: Creditor, tmp_path: Path) -> None:
    other = Creditor.objects.create(name="另一家")
    tape = write_csv(tmp_path / "a.csv", [loan_row("L1")])

    ingest(creditor, "loans", tape)
    ingest(other, "loans", tape)

    assert Loan.objects.filter(loan_id="L1").count() == 2


def test_the_bad_rows_fixture_imports_every_good_row_and_writes_each_reject_with_reasons(
    creditor: Creditor, tmp_path: Path
) -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "tapes" / "loans_bad_rows_gbk.csv"
    rejects_path = tmp_path / "rejects.csv"
    out = StringIO()

    call_command(
        "ingest",
        "loans",
        str(fixture),
        "--creditor",
        creditor.name,
        "--rejects",
        str(rejects_path),
        "--json",
        stdout=out,
    )

    assert json.loads(out.getvalue()) == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 6,
        "rejects_file": str(rejects_path),
    }
    assert sorted(Loan.objects.values_list("loan_id", flat=True)) == [
        "GB001",
        "GB006",
        "GB007",
        "GB009",
    ]
    with rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(row["row_number"], row["借据号"]) for row in rejected] == [
        ("3", "GB002"),
        ("4", "GB003"),
        ("6", "GB004"),
        ("7", "GB005"),
        ("8", "GB001"),
        ("12", "GB008"),
    ]
    assert rejected[0]["errors"] == "borrower_id_number: check digit is wrong (330106198603076141)"
    assert rejected[1]["借款金额"] == "-5000"
    assert rejected[5]["errors"].count(";") == 6


def test_real_id_numbers_of_districts_newer_than_their_holders_are_imported(
    creditor: Creditor, tmp_path: Path
) -> None:
    # Held by real people born before their district's code existed (南山区 1990, 武侯区
    # 1990, 西湖区 1983): python-stdnum's birth-year rule refused them, a quarter of a tape.
    real = ["440305197012232493", "510107196709075091", "330106197404194887"]
    bad = {
        "B1": "440305197012232494",  # the check digit is off by one
        "B2": "99999919800101123X",  # a wrong check digit on an unknown region
    }
    rows = [loan_row(f"R{i}", borrower_id_number=number) for i, number in enumerate(real)]
    rows += [loan_row(loan_id, borrower_id_number=number) for loan_id, number in bad.items()]
    rejects_path = tmp_path / "rejects.csv"
    out = StringIO()
    call_command(
        "ingest",
        "loans",
        str(write_csv(tmp_path / "loans.csv", rows)),
        "--creditor",
        creditor.name,
        "--rejects",
        str(rejects_path),
        "--json",
        stdout=out,
    )

    result = json.loads(out.getvalue())
    assert (result["created"], result["rejected"]) == (3, 2)
    assert sorted(Party.objects.values_list("id_number", flat=True)) == sorted(real)
    with rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        reasons = {row["loan_id"]: row["errors"] for row in csv.DictReader(handle)}
    assert set(reasons) == set(bad)
    assert all("check digit is wrong" in reason for reason in reasons.values())
