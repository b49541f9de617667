"""`arrears loan LOAN_ID --json`: the loan report contract on the command line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(creditor: Creditor, tmp_path: Path) -> Creditor:
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(
            tmp_path / "l.csv",
            [loan_row("W1", borrower_phone="13812345678", borrower_id_number="11010119900307600X")],
        ),
    )
    tape_ingest(
        creditor=creditor,
        kind="payments",
        path=write_csv(tmp_path / "p.csv", [payment_row("P1", "W1", "2026-03-05", "5000")]),
    )
    return creditor


def run(*args: str) -> str:
    out = StringIO()
    call_command("loan", *args, stdout=out)
    return out.getvalue()


def test_the_json_report_gives_the_state_on_the_business_date(loaded: Creditor) -> None:
    report = json.loads(run("W1", "--as-of", "2026-03-05", "--json"))

    assert report["loan_id"] == "W1" and report["as_of"] == "2026-03-05"
    assert (report["dpd"], report["bucket"]) == (5, "M1")
    assert report["overdue"] == {
        "principal": "5680.77",
        "interest": "0.00",
        "fees": "0.00",
        "penalty": "2.84",
    }
    assert report["penalty_accrued"] == "21.76"
    assert report["credit_balance"] == "0.00"
    assert report["principal_outstanding"] == "116218.92"
    first = report["schedule"][0]
    assert first["seq"] == 1 and first["due_on"] == "2026-02-28"
    assert first["due"] == {
        "principal": "9461.85",
        "interest": "1200.00",
        "fees": "0.00",
        "penalty": "21.76",
    }
    assert first["paid"]["penalty"] == "18.92" and first["outstanding"]["principal"] == "5680.77"


def test_phones_and_id_numbers_are_masked(loaded: Creditor) -> None:
    report = json.loads(run("W1", "--as-of", "2026-03-05", "--json"))

    borrower = report["parties"][0]
    assert borrower["id_number"] == "1101**********600X"
    assert borrower["phones"][0]["value"] == "138****5678"


def test_the_plain_output_is_a_readable_summary(loaded: Creditor) -> None:
    text = run("W1", "--as-of", "2026-04-01")

    assert "DPD 32 (M2)" in text and "overdue" in text


def test_an_unknown_loan_is_a_one_line_error(loaded: Creditor) -> None:
    with pytest.raises(CommandError, match="loan 'NOPE' not found"):
        run("NOPE")


def test_a_bad_date_names_the_option(loaded: Creditor) -> None:
    with pytest.raises(CommandError, match="--as-of"):
        run("W1", "--as-of", "yesterday")


def test_a_loan_id_shared_by_two_creditors_needs_the_creditor(
    loaded: Creditor, tmp_path: Path
) -> None:
    other = Creditor.objects.create(name="另一家")
    tape_ingest(creditor=other, kind="loans", path=write_csv(tmp_path / "o.csv", [loan_row("W1")]))

    with pytest.raises(CommandError, match="several creditors"):
        run("W1")
    assert json.loads(run("W1", "--creditor", "另一家", "--json"))["creditor"] == "另一家"


def test_a_date_before_disbursement_says_the_loan_was_not_yet_lent(loaded: Creditor) -> None:
    report = json.loads(run("W1", "--as-of", "2025-12-31", "--json"))
    text = run("W1", "--as-of", "2025-12-31")

    assert report["status"] == "not_disbursed"
    assert report["principal_outstanding"] == "0.00" and report["dpd"] == 0
    assert "not yet disbursed on 2025-12-31" in text and "disbursed on 2026-01-" in text
    assert json.loads(run("W1", "--as-of", "2026-03-05", "--json"))["status"] == "active"
