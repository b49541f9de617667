"""China's statutory public holidays (法定节假日) as dates. Pure module (no Django).

The official arrangement (the State Council's yearly notice, with its make-up working days)
comes from ``chinese_calendar``. Only days off for a named holiday count: ordinary weekends
are not public holidays, and a weekend turned into a make-up working day (调休) is not one
either. Years the library has no data for yet give no holidays.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]


def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is a day off for a statutory holiday (False for unknown years)."""
    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # no official arrangement known for that year
        return False
    return bool(off) and name is not None


def public_holidays(first: date, last: date) -> frozenset[date]:
    """The statutory public holidays from ``first`` to ``last``, both included."""
    return frozenset(
        day
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
        if is_public_holiday(day)
    )
