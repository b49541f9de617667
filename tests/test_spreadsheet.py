"""Spreadsheet-safe cells: nothing written for Excel runs as a formula, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from arrears.core.spreadsheet import (
    original_text,
    safe_cell,
    safe_csv_writer,
    safe_sheet_value,
)


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","y")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
        "-",
        "'=already quoted",
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["张三", "12,345.67", "a=b", " =x", "", "'quoted"])
def test_ordinary_text_is_written_as_it_is(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-12.5, -12, Decimal("-12.50"), 0, None, True, "-12.50", "+3"])
def test_numbers_and_plain_numeric_text_stay_numbers(value: object) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "text", ["=1", "'=1", "''=1", "'", "'x", "-12.50", "@", "张三", "'-12.50", "'\t"]
)
def test_the_quote_comes_off_again_exactly(text: str) -> None:
    assert original_text(str(safe_cell(text))) == text


def test_the_csv_writer_neutralises_every_cell() -> None:
    out = io.StringIO()
    writer = safe_csv_writer(out, lineterminator="\n")

    writer.writerows([["=1+1", -12.5, "-12.50", "@x"]])

    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1+1", "-12.5", "-12.50", "'@x"]]


def test_a_sheet_cell_keeps_risky_text_as_text_not_a_formula() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    safe_sheet_value(sheet["A1"], "=1+1")
    safe_sheet_value(sheet["A2"], -12.5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    reread = openpyxl.load_workbook(buffer).active
    assert reread is not None
    assert (reread["A1"].value, reread["A1"].data_type) == ("=1+1", "s")
    assert (reread["A2"].value, reread["A2"].data_type) == (-12.5, "n")
