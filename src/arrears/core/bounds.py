"""The bounds every value entering Arrears must keep, in one place.

An amount of 10^18 fen overflowed a 64-bit column and ended in an HTTP 500; a date of
9999-12-31 made ``date + timedelta`` raise; 0001-01-01 was taken as a disbursement date.
Every way in (API schemas, forms, tape columns) checks here, so each refuses the same
values with the same words and names the field.

The ceiling is a setting (``ARREARS_AMOUNT_CEILING_FEN``, default 10^12 fen, ten billion
yuan): larger than any single loan a small lender books, far below the 9.2 * 10^18 where a
64-bit integer overflows, so sums of many amounts still fit.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from arrears.core.errors import InvalidInput

DEFAULT_AMOUNT_CEILING_FEN = 10**12
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def amount_ceiling() -> int:
    """The largest amount (fen) accepted anywhere: the setting, or 10^12 fen."""
    return int(getattr(settings, "ARREARS_AMOUNT_CEILING_FEN", DEFAULT_AMOUNT_CEILING_FEN))


def amount_problem(fen: int, *, allow_zero: bool = True, allow_negative: bool = False) -> str:
    """Why ``fen`` is not an acceptable amount, or "" when it is."""
    if fen < 0 and not allow_negative:
        return _("the amount may not be negative")
    if fen == 0 and not allow_zero:
        return _("the amount must be above zero")
    ceiling = amount_ceiling()
    if abs(fen) > ceiling:
        return _("the amount is above the ceiling of %(yuan)s yuan") % {
            "yuan": f"{ceiling // 100:,}"
        }
    return ""


def amount_check(
    fen: int, *, field: str, allow_zero: bool = True, allow_negative: bool = False
) -> int:
    """``fen`` itself, or ``InvalidInput`` naming ``field`` when it is out of bounds."""
    problem = amount_problem(fen, allow_zero=allow_zero, allow_negative=allow_negative)
    if problem:
        raise InvalidInput(problem, field=field)
    return fen


def date_problem(value: date | datetime) -> str:
    """Why ``value`` is outside the dates Arrears accepts (1900–2100), or "" when inside."""
    day = value.date() if isinstance(value, datetime) else value
    if day < EARLIEST_DATE or day > LATEST_DATE:
        return _("the date must be between %(first)s and %(last)s") % {
            "first": EARLIEST_DATE.isoformat(),
            "last": LATEST_DATE.isoformat(),
        }
    return ""


def date_check(value: date | datetime, *, field: str) -> date | datetime:
    """``value`` itself, or ``InvalidInput`` naming ``field`` when it is outside 1900–2100."""
    problem = date_problem(value)
    if problem:
        raise InvalidInput(problem, field=field)
    return value
