"""Import limits: the bombs of issue 14 and other unusable files are refused in one line, and
the caps (size, rows, columns, cell length) hold. Timings: bench/import_bombs.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from arrears.portfolio.tape.limits import ReadLimits
from arrears.portfolio.tape.reading import TapeError, open_tape
from arrears.portfolio.tape.validation import validate_loan_rows
from tests.factories import LOAN_HEADERS, loan_row, write_csv
from tests.portfolio.tape.bombs import (
    blank_rows_xlsx,
    giant_string_xlsx,
    row_xml,
    write_xlsx,
)


def _refusal(path: Path, limits: ReadLimits | None = None) -> str:
    with pytest.raises(TapeError) as failure:
        list(validate_loan_rows(open_tape(path, limits)))
    message = str(failure.value)
    assert "\n" not in message
    return message


def _xlsx(path: Path, rows: list[dict[str, object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(path)
    return path


def test_a_300_mb_string_in_a_300_kb_workbook_is_refused(tmp_path: Path) -> None:
    bomb = giant_string_xlsx(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 400_000

    assert _refusal(bomb) == (
        "the workbook holds a cell longer than 2,000 characters (in xl/sharedStrings.xml)"
    )


def test_a_long_string_cut_into_short_formatting_runs_is_refused(tmp_path: Path) -> None:
    runs = b"<r><t>" + b"A" * 1000 + b"</t></r>"
    bomb = write_xlsx(
        tmp_path / "runs.xlsx",
        ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
        shared_strings=[b"<si>", runs * 5000, b"</si>"],
    )

    assert _refusal(bomb) == (
        "the workbook holds a cell longer than 2,000 characters (in xl/sharedStrings.xml)"
    )


def test_three_million_blank_rows_are_refused(tmp_path: Path) -> None:
    bomb = blank_rows_xlsx(tmp_path / "blank.xlsx", LOAN_HEADERS)

    assert _refusal(bomb) == (
        "the sheet holds more than 100,000 blank rows: delete the empty rows and save it again"
    )


def test_a_row_numbered_three_million_counts_its_gap_as_blank_rows(tmp_path: Path) -> None:
    row = loan_row("L1")
    path = write_xlsx(
        tmp_path / "gap.xlsx", [row_xml(1, list(row)), row_xml(3_000_000, list(row.values()))]
    )

    assert "more than 100,000 blank rows" in _refusal(path)


def test_blank_rows_under_the_cap_are_skipped_and_trailing_ones_not_read(tmp_path: Path) -> None:
    first, second = loan_row("L1"), loan_row("L2")
    blank = [f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(3, 503)]
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [row_xml(1, list(first)), row_xml(2, list(first.values())), *blank]
        + [row_xml(503, list(second.values()))]
        + [f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(504, 5000)],
    )

    rows = list(validate_loan_rows(open_tape(path)))

    assert [(row.row_number, row.errors) for row in rows] == [(2, []), (503, [])]


def test_more_rows_than_the_cap_are_refused(tmp_path: Path) -> None:
    rows = [loan_row(f"L{i}") for i in range(6)]
    limits = ReadLimits(max_rows=5)

    assert _refusal(write_csv(tmp_path / "t.csv", rows), limits) == (
        "the file has more than 5 rows"
    )
    assert _refusal(_xlsx(tmp_path / "t.xlsx", rows), limits) == "the file has more than 5 rows"


def test_a_file_above_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [loan_row("L1")])

    assert _refusal(path, ReadLimits(max_file_bytes=100)) == (
        f"the file is {path.stat().st_size:,} bytes, larger than the limit of 100 bytes"
    )


def test_too_many_columns_are_refused(tmp_path: Path) -> None:
    row = {**loan_row("L1"), **{f"extra{i}": "x" for i in range(200)}}

    assert _refusal(write_csv(tmp_path / "t.csv", [row])) == (
        "the file has 216 columns, more than the limit of 200"
    )


def test_a_row_with_too_many_cells_in_the_sheet_is_refused(tmp_path: Path) -> None:
    row = loan_row("L1")
    path = write_xlsx(tmp_path / "t.xlsx", [row_xml(1, list(row)), row_xml(2, ["x"] * 300)])

    assert _refusal(path) == "row 2 has 300 cells, more than the limit of 200"


def test_a_too_long_cell_rejects_its_row_with_the_column(tmp_path: Path) -> None:
    rows = [loan_row("L1", borrower_name="张" * 2001), loan_row("L2")]

    results = list(validate_loan_rows(open_tape(write_csv(tmp_path / "t.csv", rows))))

    assert results[0].errors == ["borrower_name: longer than 2,000 characters"]
    assert results[1].errors == []


def test_a_csv_line_longer_than_any_row_can_be_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(",".join(LOAN_HEADERS) + "\n" + "," * 900_000 + "\n", encoding="utf-8")

    assert _refusal(path) == "line 2 is longer than 800,600 characters"


def test_an_xlsx_named_csv_is_read_as_xlsx(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "loans.csv", [loan_row("L1")])

    (row,) = validate_loan_rows(open_tape(path))

    assert (row.row_number, row.errors, row.record.loan_id) == (2, [], "L1")


def test_a_zip_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")

    assert _refusal(path) == "the file is a ZIP archive but not an XLSX workbook"


def test_a_broken_sheet_xml_is_refused_in_one_line(tmp_path: Path) -> None:
    row = loan_row("L1")
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [row_xml(1, list(row)), row_xml(2, list(row.values())), '<row r="3"><c r="A3"><v>1'],
    )

    assert _refusal(path).startswith("the file is not a readable XLSX workbook (ParseError: ")


@pytest.mark.parametrize(
    "cell",
    ['<c r="D3" t="n"><v>abc</v></c>', '<c r="D3"><v>' + "9" * 5000 + "</v></c>"],
    ids=["text-as-number", "5000-digit-number"],
)
def test_a_cell_openpyxl_cannot_convert_is_refused_with_its_row(tmp_path: Path, cell: str) -> None:
    row = loan_row("L1")
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [row_xml(1, list(row)), row_xml(2, list(row.values())), f'<row r="3">{cell}</row>'],
    )

    assert _refusal(path).startswith("row 3: the sheet cannot be read (ValueError: ")


def test_an_infinite_number_in_a_sheet_rejects_the_row_only(tmp_path: Path) -> None:
    row = loan_row("L1")
    values = list(row.values())
    sheet_row = row_xml(2, values).replace(
        f'<c r="D2" t="inlineStr"><is><t>{row["principal"]}</t></is></c>',
        '<c r="D2"><v>1E999</v></c>',
    )
    path = write_xlsx(tmp_path / "t.xlsx", [row_xml(1, list(row)), sheet_row])

    (result,) = validate_loan_rows(open_tape(path))

    assert result.errors == ["principal: 'inf' is not an amount in yuan"]


def test_a_gbk_csv_is_still_read_in_a_stream(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [loan_row("L1", borrower_name="欧阳")], encoding="gbk")

    tape = open_tape(path)
    (row,) = validate_loan_rows(tape)

    assert (tape.encoding, row.record.borrower.name) == ("gbk", "欧阳")
