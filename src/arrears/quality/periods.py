"""Periods of the quality work: a month written YYYY-MM, and a span of business days as the
aware moments a call's ``at`` is compared with."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.dates import add_months
from arrears.core.errors import InvalidInput

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_parse(text: str, *, field: str = "month") -> tuple[date, date]:
    """(first day, last day) of the month ``text`` (YYYY-MM), or ``InvalidInput``."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2100:
        raise InvalidInput(
            _("'%(text)s' is not a month: write YYYY-MM, e.g. 2026-05") % {"text": text},
            field=field,
        )
    first = date(int(match[1]), int(match[2]), 1)
    return first, add_months(first, 1) - timedelta(days=1)


def day_span(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """[start, end) in the business's time zone covering ``first_day`` to ``last_day``."""
    start = timezone.make_aware(datetime.combine(first_day, time.min))
    end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
    return start, end
