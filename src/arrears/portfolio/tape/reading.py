"""Opening a tape file: encoding and format detection, rows with their spreadsheet numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path


class TapeError(Exception):
    """The file as a whole cannot be used; the message is one line in plain words."""


@dataclass(frozen=True, slots=True)
class PercentCell:
    """An XLSX number shown as a percentage: ``value`` 0.12 is what Excel displays as 12 %."""

    value: float | int

    def __str__(self) -> str:
        return f"{round(self.value * 100, 10):g}%"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: its row number in the file (header = row 1) and cells by header text."""

    row_number: int
    cells: dict[str, object]


@dataclass
class Tape:
    """An opened tape: original headers, a stream of non-blank rows, and size if known."""

    headers: list[str]
    rows: Iterator[RawRow]
    total_rows: int | None
    encoding: str


_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_MAGIC = b"PK\x03\x04"


def _is_blank(values: list[object]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _headers(raw: list[object]) -> list[str]:
    headers = [("" if cell is None else str(cell)).strip().lstrip("\ufeff") for cell in raw]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise TapeError("the first row holds no column headers")
    return headers


def _decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else GBK (read as GB18030)."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data[:3] == b"\xef\xbb\xbf" else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK, which is what Excel in China saves CSV as.
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise TapeError("the file is neither UTF-8 nor GBK text") from exc


def _open_csv(data: bytes) -> Tape:
    if b"\x00" in data[:4096]:
        raise TapeError("the file is not a CSV or XLSX file (it contains binary data)")
    text, encoding = _decode(data)
    if not text.strip():
        raise TapeError("the file is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        if "\t" in first_line:
            delimiter = "\t"
        elif ";" in first_line:
            delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = _headers(list(next(reader)))
    except csv.Error as exc:
        raise TapeError(f"the file is not readable as CSV ({exc})") from exc

    def rows() -> Iterator[RawRow]:
        number = 1
        try:
            for values in reader:
                number += 1
                if _is_blank(list(values)):
                    continue
                cells: dict[str, object] = {}
                for index, header in enumerate(headers):
                    cells[header] = values[index] if index < len(values) else ""
                yield RawRow(number, cells)
        except csv.Error as exc:
            raise TapeError(f"row {number}: the file is not readable as CSV ({exc})") from exc

    total = max(text.count("\n") - 1, 0) + (0 if text.endswith("\n") else 1)
    return Tape(headers=headers, rows=rows(), total_rows=total, encoding=encoding)


def _xlsx_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "%" in str(getattr(cell, "number_format", "")):
            return PercentCell(value)
        return value
    if isinstance(value, datetime):
        return value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    if isinstance(value, str | date):
        return value
    return None if value is None else str(value)


def _open_xlsx(path: Path) -> Tape:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TapeError(f"the file is not a readable XLSX workbook ({exc})") from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows()
    try:
        header_cells = next(iterator)
    except StopIteration as exc:
        workbook.close()
        raise TapeError("the file is empty") from exc
    headers = _headers([_xlsx_value(cell) for cell in header_cells])
    total = (sheet.max_row - 1) if sheet.max_row else None

    def rows() -> Iterator[RawRow]:
        try:
            number = 1
            for row_cells in iterator:
                number += 1
                values = [_xlsx_value(cell) for cell in row_cells]
                if _is_blank(values):
                    continue
                cells = {
                    header: (values[index] if index < len(values) else None)
                    for index, header in enumerate(headers)
                }
                yield RawRow(number, cells)
        finally:
            workbook.close()

    return Tape(headers=headers, rows=rows(), total_rows=total, encoding="xlsx")


def open_tape(path: Path) -> Tape:
    """Open a CSV (UTF-8 or GBK) or XLSX tape; ``TapeError`` when it cannot be used at all."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise TapeError(f"cannot read the file ({exc.strerror})") from exc
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(path)
    if head.startswith(_OLD_EXCEL_MAGIC):
        raise TapeError("old Excel .xls files are not supported: save it as .xlsx or CSV")
    data = path.read_bytes()
    if not data.strip():
        raise TapeError("the file is empty")
    return _open_csv(data)
