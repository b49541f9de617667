"""`arrears ingest` with the inputs of issue 14: never a traceback. A bad file is refused in
one line naming it; a bad row goes to the rejects file with every reason, neutralised for
Excel, and nothing of it is written."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from arrears.portfolio.models import Creditor, Installment, Loan, Party, Payment
from tests.factories import loan_row, payment_row, write_csv
from tests.portfolio.tape.bombs import giant_string_xlsx
from tests.scratch import Scratch, arrears

pytestmark = pytest.mark.django_db


def ingest(creditor: Creditor, kind: str, path: Path) -> dict[str, object]:
    out = StringIO()
    call_command("ingest", kind, str(path), "--creditor", creditor.name, "--json", stdout=out)
    return json.loads(out.getvalue())


def rejects_of(result: dict[str, object]) -> dict[str, dict[str, str]]:
    text = Path(str(result["rejects_file"])).read_text(encoding="utf-8-sig")
    return {row["loan_id"]: row for row in csv.DictReader(StringIO(text))}


def test_out_of_bounds_values_reject_their_rows_with_every_reason(
    creditor: Creditor, tmp_path: Path
) -> None:
    future = (timezone.localdate() + timedelta(days=60)).isoformat()
    rows = [
        loan_row("BIG", principal="12345678901234567890123"),
        loan_row("Y9999", disbursed_on="9999-12-31"),
        loan_row("Y0001", disbursed_on="0001-01-01"),
        loan_row("OLD", disbursed_on="1989-12-31"),
        loan_row("AHEAD", disbursed_on=future),
        loan_row("MANY", principal="100000000000000", annual_rate="12", disbursed_on="1800-1-1"),
        loan_row("LONG", first_due_on="2100-12-01", term_months="600"),
        loan_row("GOOD"),
    ]
    tape = write_csv(tmp_path / "loans.csv", [{"first_due_on": "", **row} for row in rows])

    result = ingest(creditor, "loans", tape)

    assert (result["created"], result["rejected"]) == (1, 7)
    errors = {loan_id: row["errors"] for loan_id, row in rejects_of(result).items()}
    assert errors == {
        "BIG": "principal: the amount is above the ceiling of 10,000,000,000 yuan",
        "Y9999": "disbursed_on: 9999-12-31: the date must be between 1900-01-01 and 2100-12-31",
        "Y0001": "disbursed_on: 0001-01-01: the date must be between 1900-01-01 and 2100-12-31",
        "OLD": "disbursed_on: 1989-12-31 is before 1990-01-01, the earliest disbursement accepted",
        "AHEAD": (
            f"disbursed_on: {future} is more than 31 days after today ({timezone.localdate()})"
        ),
        "MANY": (
            "principal: the amount is above the ceiling of 10,000,000,000 yuan;"
            " disbursed_on: 1800-01-01: the date must be between 1900-01-01 and 2100-12-31"
        ),
        "LONG": "term_months: the last installment would fall on 2150-11-01, after 2100-12-31",
    }
    assert list(Loan.objects.values_list("loan_id", flat=True)) == ["GOOD"]
    assert Installment.objects.exclude(loan__loan_id="GOOD").count() == 0
    assert Party.objects.count() == 1


def test_payments_out_of_bounds_are_rejected(creditor: Creditor, tmp_path: Path) -> None:
    ingest(creditor, "loans", write_csv(tmp_path / "loans.csv", [loan_row("W1")]))
    path = write_csv(
        tmp_path / "payments.csv",
        [
            payment_row("P1", "W1", "2026-02-28", "92233720368547758.07"),
            payment_row("P2", "W1", "9999-12-31", "100"),
            payment_row("P3", "W1", "2026-02-28", "100"),
        ],
    )

    result = ingest(creditor, "payments", path)

    assert (result["created"], result["rejected"]) == (1, 2)
    text = Path(str(result["rejects_file"])).read_text(encoding="utf-8-sig")
    assert "amount: the amount is above the ceiling of 10,000,000,000 yuan" in text
    assert "paid_on: 9999-12-31: the date must be between 1900-01-01 and 2100-12-31" in text
    assert list(Payment.objects.values_list("payment_id", flat=True)) == ["P3"]


def test_a_formula_in_a_rejected_row_is_neutralised_in_the_rejects_file(
    creditor: Creditor, tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://x","y")'
    tape = write_csv(
        tmp_path / "loans.csv",
        [loan_row("L1", borrower_name=formula, principal="-12.50", product="+cmd|' /C calc'!A0")],
    )

    result = ingest(creditor, "loans", tape)

    raw = Path(str(result["rejects_file"])).read_text(encoding="utf-8-sig")
    row = rejects_of(result)["L1"]
    assert row["borrower_name"] == "'" + formula
    assert row["product"] == "'+cmd|' /C calc'!A0"
    # A genuine negative number stays a number a spreadsheet can add up.
    assert row["principal"] == "-12.50"
    assert row["errors"] == "principal: must be more than 0"
    assert ",=HYPERLINK" not in raw and ',"=HYPERLINK' not in raw


def test_an_xlsx_named_csv_imports(creditor: Creditor, tmp_path: Path) -> None:
    row = loan_row("X1")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(row))
    sheet.append(list(row.values()))
    workbook.save(tmp_path / "loans.csv")

    result = ingest(creditor, "loans", tmp_path / "loans.csv")

    assert result["created"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (bytes(range(256)) * 20, "the file is not a CSV or XLSX file (it contains binary data)"),
        (b"PK\x03\x04" + b"\x00" * 200, "the file is not a readable XLSX workbook (BadZipFile: "),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old Excel .xls files are not supported"),
        (b"\xff\xfe\x81" * 10 + b"\n", "the file is neither UTF-8 nor GBK text"),
    ],
    ids=["empty", "binary", "corrupt-zip", "xls", "not-text"],
)
def test_an_unusable_file_is_refused_in_one_line_naming_it(
    creditor: Creditor, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "loans.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as failure:
        ingest(creditor, "loans", path)

    assert str(failure.value).startswith(f"{path}: {message}")
    assert "\n" not in str(failure.value)
    assert Loan.objects.count() == 0


def test_the_real_command_prints_one_line_and_no_traceback(
    scratch: Scratch, tmp_path: Path
) -> None:
    scratch.create_migrated("ingest_bounds")
    bomb = giant_string_xlsx(tmp_path / "bomb.csv")
    overflow = write_csv(tmp_path / "big.csv", [loan_row("B1", principal="1" * 23)])

    refused = arrears(scratch, "ingest_bounds", "ingest", "loans", str(bomb), "--creditor", "T")
    rejected = arrears(
        scratch, "ingest_bounds", "ingest", "loans", str(overflow), "--creditor", "T", "--json"
    )

    assert refused.returncode == 2
    # The command speaks the product's language, Chinese, by default.
    assert refused.stderr.strip().splitlines() == [
        f"CommandError: {bomb}: 工作簿中有单元格超过 2,000 个字符（位于 xl/sharedStrings.xml）"
    ]
    assert rejected.returncode == 0, rejected.stderr
    assert "Traceback" not in rejected.stderr
    assert json.loads(rejected.stdout.strip().splitlines()[-1])["rejected"] == 1
