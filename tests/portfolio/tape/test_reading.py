"""Opening tape files: encodings, XLSX cells, and files that cannot be used at all."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from arrears.portfolio.tape.reading import TapeError, open_tape
from arrears.portfolio.tape.validation import validate_loan_rows
from tests.factories import loan_row, valid_id, write_csv


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_gbk_reads_the_same(
    tmp_path: Path, encoding: str
) -> None:
    tape = write_csv(
        tmp_path / "t.csv", [loan_row("L1", borrower_name="欧阳娜娜")], encoding=encoding
    )

    (row,) = validate_loan_rows(open_tape(tape))

    assert row.errors == [] and row.record.borrower.name == "欧阳娜娜"


def test_an_xlsx_with_percent_date_and_number_cells_is_read_exactly(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["借据号*", "借款人", "证件号码", "借款金额（元）", "年利率", "期数", "还款方式", "放款日"]
    )
    sheet.append(["X1", "王伟", valid_id(), 12345.67, 0.154, 12, "等额本息", datetime(2026, 1, 15)])
    sheet.append([None] * 8)
    sheet.append(["X2", "李娜", valid_id(), "8,000", "12%", "6期", "先息后本", 46054])
    sheet["E2"].number_format = "0.00%"
    path = tmp_path / "t.xlsx"
    workbook.save(path)

    rows = list(validate_loan_rows(open_tape(path)))

    assert [row.errors for row in rows] == [[], []]
    first, second = (row.record for row in rows)
    assert (first.principal, first.annual_rate, first.disbursed_on.isoformat()) == (
        1_234_567,
        Decimal("0.154"),
        "2026-01-15",
    )
    assert rows[1].row_number == 4
    assert (second.term_months, second.disbursed_on.isoformat()) == (6, "2026-02-01")


def test_a_missing_required_column_names_every_missing_one(tmp_path: Path) -> None:
    row = loan_row("L1")
    del row["principal"], row["annual_rate"]

    with pytest.raises(TapeError) as failure:
        validate_loan_rows(open_tape(write_csv(tmp_path / "t.csv", [row])))

    assert str(failure.value) == (
        "required column missing: principal (借款金额), annual_rate (年利率)"
    )


def test_an_empty_file_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")

    with pytest.raises(TapeError, match="empty"):
        open_tape(tmp_path / "e.csv")


def test_binary_garbage_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "g.csv").write_bytes(bytes(range(256)) * 4)

    with pytest.raises(TapeError, match="not a CSV or XLSX"):
        open_tape(tmp_path / "g.csv")


def test_an_old_xls_file_is_refused_with_advice(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)

    with pytest.raises(TapeError, match=r"save it as \.xlsx or CSV"):
        open_tape(tmp_path / "old.xls")


def test_a_broken_xlsx_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "b.xlsx").write_bytes(b"PK\x03\x04 not really a zip")

    with pytest.raises(TapeError, match="XLSX"):
        open_tape(tmp_path / "b.xlsx")
