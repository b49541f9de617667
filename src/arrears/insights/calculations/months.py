"""Month-end arithmetic for the month tables: which month ends a table reads.

A month is named by its first day (``date(2026, 10, 1)``) or by ``"YYYY-MM"``; its *end* is
its last calendar day, the day the cycle stores a history row for every loan. Pure module:
no Django import.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_first(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_later(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month``'s (negative: before)."""
    index = month.year * 12 + (month.month - 1) + count
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s (0 for the same month)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_ends(first: date, last: date) -> list[date]:
    """The month ends of ``first``'s month through ``last``'s month, in order (empty when
    ``last`` is in an earlier month)."""
    return [
        month_end(months_later(month_first(first), k))
        for k in range(months_between(first, last) + 1)
    ]


def parse_month(text: str) -> date:
    """``"2026-10"`` → ``date(2026, 10, 1)``; ``ValueError`` saying what is wrong otherwise."""
    found = _MONTH_RE.match(text.strip())
    if not found:
        raise ValueError(f"'{text}' is not a month (YYYY-MM)")
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        raise ValueError(f"'{text}' is not a month (YYYY-MM)")
    return date(year, month, 1)


def month_label(day: date) -> str:
    """``date(2026, 10, 31)`` → ``"2026-10"``."""
    return f"{day.year:04d}-{day.month:02d}"
