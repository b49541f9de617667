"""The rejects file: every refused row with its original cells, row number and reasons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from arrears.portfolio.tape.errors import translated
from arrears.portfolio.tape.reading import PercentCell


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, PercentCell):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class RejectsWriter:
    """Writes rejected rows to a CSV (UTF-8 with BOM so Excel opens it) — only if any.

    ``make_writer`` builds the CSV writer over the open file; the import passes
    ``core.spreadsheet.safe_csv_writer``, since a rejected row is exactly where a cell such
    as ``=HYPERLINK(...)`` turns up, and a person opens this file in Excel. ``translate``
    (the import passes ``gettext``) puts each reason in the user's language as it is
    written; the reasons stay English text until then.
    """

    def __init__(
        self,
        path: Path,
        headers: list[str],
        *,
        make_writer: Callable[[IO[str]], Any],
        translate: Callable[[str], str] = str,
    ) -> None:
        self.path = path
        self.headers = headers
        self._make_writer = make_writer
        self._translate = translate
        self.count = 0
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, row: Any, errors: list[str]) -> None:
        """Record ``row`` (a ``RowResult``) as rejected for ``errors``."""
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", newline="", encoding="utf-8-sig")
            self._writer = self._make_writer(self._handle)
            self._writer.writerow([*self.headers, "row_number", "errors"])
        self._writer.writerow(
            [
                *(_cell(row.raw.get(h)) for h in self.headers),
                row.row_number,
                "; ".join(translated(error, self._translate) for error in errors),
            ]
        )
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
