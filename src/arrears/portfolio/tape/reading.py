"""Opening a tape file: encoding and format detection, rows with their spreadsheet numbers."""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import IO

from arrears.portfolio.tape.errors import TapeError, gettext_noop
from arrears.portfolio.tape.limits import MIB, ReadLimits
from arrears.portfolio.tape.xlsx_scan import scan_xlsx

__all__ = ["PercentCell", "RawRow", "Tape", "TapeError", "open_tape"]


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
_CHUNK = MIB


def _is_blank(values: Sequence[object]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _headers(raw: Sequence[object], limits: ReadLimits) -> list[str]:
    headers = [("" if cell is None else str(cell)).strip().lstrip("\ufeff") for cell in raw]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise TapeError(gettext_noop("the first row holds no column headers"))
    if len(headers) > limits.max_columns:
        raise TapeError(
            gettext_noop("the file has %(count)s columns, more than the limit of %(limit)s"),
            count=f"{len(headers):,}",
            limit=f"{limits.max_columns:,}",
        )
    return headers


def _size(count: int) -> str:
    return f"{count / MIB:,.0f} MiB" if count >= MIB else f"{count:,} bytes"


def _sniff_text(path: Path) -> tuple[str, int]:
    """The encoding (UTF-8, with or without BOM, else GBK) and the number of lines.

    Reads the file once in chunks, decoding without keeping the text, so a big tape is
    never held in memory whole.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        # GB18030 is a superset of GBK, which is what Excel in China saves CSV as.
        decoder = codecs.getincrementaldecoder(encoding)()
        lines, text_seen, last = 0, False, b""
        try:
            with path.open("rb") as handle:
                first = True
                while chunk := handle.read(_CHUNK):
                    if first and b"\x00" in chunk[:4096]:
                        raise TapeError(
                            gettext_noop(
                                "the file is not a CSV or XLSX file (it contains binary data)"
                            )
                        )
                    first = False
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                    text_seen = text_seen or bool(chunk.strip(b" \t\r\n\xef\xbb\xbf"))
                    last = chunk[-1:]
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        if not text_seen:
            raise TapeError(gettext_noop("the file is empty"))
        if encoding == "gb18030":
            name = "gbk"
        else:
            with path.open("rb") as handle:
                name = "utf-8-sig" if handle.read(3) == codecs.BOM_UTF8 else "utf-8"
        return name, lines + (0 if last == b"\n" else 1)
    raise TapeError(gettext_noop("the file is neither UTF-8 nor GBK text"))


def _lines(handle: IO[str], limits: ReadLimits) -> Iterator[str]:
    """The file's lines, refusing one longer than any row within the limits could be."""
    longest = limits.max_line_chars
    number = 0
    while line := handle.readline(longest + 1):
        number += 1
        if len(line) > longest:
            raise TapeError(
                gettext_noop("line %(line)s is longer than %(limit)s characters"),
                line=number,
                limit=f"{longest:,}",
            )
        yield line


def _open_csv(path: Path, limits: ReadLimits) -> Tape:
    encoding, lines = _sniff_text(path)
    handle = path.open(encoding="gb18030" if encoding == "gbk" else "utf-8-sig", newline="")
    try:
        source = _lines(handle, limits)
        first_line = next(source, "")
        delimiter = ","
        if "," not in first_line:
            if "\t" in first_line:
                delimiter = "\t"
            elif ";" in first_line:
                delimiter = ";"
        reader = csv.reader(chain([first_line], source), delimiter=delimiter)
        try:
            headers = _headers(next(reader, []), limits)
        except csv.Error as exc:
            raise TapeError(
                gettext_noop("the file is not readable as CSV (%(reason)s)"), reason=str(exc)
            ) from exc
    except BaseException:
        handle.close()
        raise

    def rows() -> Iterator[RawRow]:
        number = 1
        try:
            for values in reader:
                number += 1
                if number - 1 > limits.max_rows:
                    raise TapeError(
                        gettext_noop("the file has more than %(limit)s rows"),
                        limit=f"{limits.max_rows:,}",
                    )
                if _is_blank(values):
                    continue
                cells: dict[str, object] = {}
                for index, header in enumerate(headers):
                    cells[header] = values[index] if index < len(values) else ""
                yield RawRow(number, cells)
        except csv.Error as exc:
            raise TapeError(
                gettext_noop("row %(row)s: the file is not readable as CSV (%(reason)s)"),
                row=number,
                reason=str(exc),
            ) from exc
        finally:
            handle.close()

    return Tape(headers=headers, rows=rows(), total_rows=max(lines - 1, 0), encoding=encoding)


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


def _unreadable(exc: Exception, row: int | None = None) -> TapeError:
    reason = f"{type(exc).__name__}: {exc}"[:200]
    if row is None:
        return TapeError(
            gettext_noop("the file is not a readable XLSX workbook (%(reason)s)"), reason=reason
        )
    return TapeError(
        gettext_noop("row %(row)s: the sheet cannot be read (%(reason)s)"), row=row, reason=reason
    )


def _open_xlsx(path: Path, limits: ReadLimits) -> Tape:
    from openpyxl import load_workbook

    handle = path.open("rb")
    try:
        try:
            with zipfile.ZipFile(handle) as archive:
                scan = scan_xlsx(archive, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise _unreadable(exc) from exc
        if scan.last_row == 0:
            raise TapeError(gettext_noop("the file is empty"))
        handle.seek(0)
        try:
            # A file object, not a path: openpyxl would refuse a workbook named .csv.
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise _unreadable(exc) from exc
    except BaseException:
        handle.close()
        raise

    def close() -> None:
        workbook.close()
        handle.close()

    try:
        sheet = workbook.worksheets[0]
        first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=limits.max_columns), ())
        headers = _headers([_xlsx_value(cell) for cell in first], limits)
    except TapeError:
        close()
        raise
    except Exception as exc:  # a malformed sheet: see _unreadable
        close()
        raise _unreadable(exc, 1) from exc

    def rows() -> Iterator[RawRow]:
        number = 1
        try:
            # Up to the last row holding a value: trailing blank rows are never parsed.
            for row_cells in sheet.iter_rows(
                min_row=2, max_row=max(scan.last_row, 2), max_col=len(headers)
            ):
                number += 1
                values = [_xlsx_value(cell) for cell in row_cells]
                if _is_blank(values):
                    continue
                cells = {
                    header: (values[index] if index < len(values) else None)
                    for index, header in enumerate(headers)
                }
                yield RawRow(number, cells)
        except TapeError:
            raise
        except Exception as exc:  # openpyxl's parser meets a cell it cannot convert
            raise _unreadable(exc, number + 1) from exc
        finally:
            close()

    return Tape(headers=headers, rows=rows(), total_rows=scan.data_rows - 1, encoding="xlsx")


def open_tape(path: Path, limits: ReadLimits | None = None) -> Tape:
    """Open a CSV (UTF-8 or GBK) or XLSX tape; ``TapeError`` when it cannot be used at all.

    The format is told by content, not by name: an XLSX saved as ``.csv`` is read as XLSX.
    """
    limits = limits or ReadLimits()
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise TapeError(
            gettext_noop("cannot read the file (%(reason)s)"), reason=exc.strerror or str(exc)
        ) from exc
    if size > limits.max_file_bytes:
        raise TapeError(
            gettext_noop("the file is %(size)s, larger than the limit of %(limit)s"),
            size=_size(size),
            limit=_size(limits.max_file_bytes),
        )
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(path, limits)
    if head.startswith(_OLD_EXCEL_MAGIC):
        raise TapeError(
            gettext_noop("old Excel .xls files are not supported: save it as .xlsx or CSV")
        )
    return _open_csv(path, limits)
