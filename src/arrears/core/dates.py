"""Business dates: month arithmetic and the date formats lenders' spreadsheets use.

A *business date* (``datetime.date``) drives every calculation; wall-clock time only
stamps events. Pure module: no Django import.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

# Excel's day 0 is 1899-12-30 once its fictitious 1900-02-29 is accounted for.
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def add_months(start: date, months: int, day: int | None = None) -> date:
    """The date ``months`` calendar months after ``start``, on ``day`` (default: start's day).

    The day is clamped to the month's end (Jan 31 + 1 month → Feb 28 or 29) without
    drifting: Jan 31 + 2 months is Mar 31, not Mar 28.
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    wanted = start.day if day is None else day
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(wanted, last))


def parse_date(value: object) -> date:
    """Parse a tape date: ISO, ``2026/1/15``, ``2026年1月15日``, ``20260115`` or an Excel serial.

    Raises ``ValueError`` naming the value when it is none of those.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_to_date(value)
    text = str(value).strip()
    match = _DATE_RE.match(text) or _COMPACT_RE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"'{text}' is not a calendar date") from exc
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return excel_serial_to_date(float(text))
    raise ValueError(f"'{text}' is not a date (use 2026-01-15, 2026/1/15 or 2026年1月15日)")


def excel_serial_to_date(serial: float) -> date:
    """Convert an Excel (1900 system) serial day number into a date."""
    if serial != int(serial):
        serial = int(serial)  # a time of day inside the cell does not move the date
    if not 1 <= serial <= 2958465:
        raise ValueError(f"'{serial}' is not an Excel date number")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def days_between(earlier: date, later: date) -> int:
    """Whole days from ``earlier`` to ``later`` (negative when ``later`` comes first)."""
    return (later - earlier).days
