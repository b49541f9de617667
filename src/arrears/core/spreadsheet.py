"""Spreadsheet-safe CSV and XLSX writing: no cell a person opens in Excel runs as a formula.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some spreadsheets skip before looking) is read by Excel and LibreOffice as a formula:
``=HYPERLINK("http://x","y")`` in a rejects file or a letters' manifest becomes a live
link, and worse (OWASP "CSV injection"). Every export goes through this module, which
prefixes such text with a single quote, the mark spreadsheets themselves use for "text".

Two decisions:

- Numbers stay numbers. An ``int``/``float``/``Decimal`` is written as it is, and so is
  text that is a plain number (``-12.50``, ``+3``): a spreadsheet reads it as that number,
  never as a formula, so a negative amount column stays usable for sums.
- The prefix can be taken off again exactly: ``original_text(safe_cell(x)) == x`` for any
  text. Text that already begins with a quote followed by a risky character gets one more
  quote, so a reader of our own files (the letters' manifest) recovers the original.

Pure module: no Django import.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _needs_quote(text: str) -> bool:
    if text.startswith(RISKY_FIRST):
        return not _PLAIN_NUMBER.fullmatch(text)
    # One more quote keeps the round trip exact for text such as "'=x".
    return text.startswith("'") and _needs_quote(text[1:])


def safe_cell(value: object) -> object:
    """``value`` as a cell that cannot run as a formula; numbers and ``None`` unchanged."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if _needs_quote(text) else text


def original_text(cell: str) -> str:
    """The text ``safe_cell`` was given, from what it wrote (for reading our own files)."""
    if cell.startswith("'") and _needs_quote(cell[1:]):
        return cell[1:]
    return cell


class SafeCsvWriter:
    """``csv.writer`` whose every cell passes through ``safe_cell``."""

    def __init__(self, handle: IO[str], **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(handle: IO[str], **options: Any) -> SafeCsvWriter:
    """A spreadsheet-safe ``csv.writer(handle, **options)``."""
    return SafeCsvWriter(handle, **options)


def safe_sheet_value(cell: Any, value: object) -> None:
    """Set an openpyxl cell to ``value`` as data, never as a formula.

    openpyxl stores a string beginning with ``=`` as a formula. In XLSX a cell typed as a
    string is never evaluated, so risky text keeps its exact characters (no quote shown)
    and is typed as a string.
    """
    cell.value = value
    if isinstance(value, str) and _needs_quote(value):
        cell.data_type = "s"
