"""The SQL date fragments agree with the pure date helpers on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from arrears.core.dates import add_months
from arrears.core.sql import day_number, years_later


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start",
    [
        date(2024, 2, 29),
        date(2023, 2, 28),
        date(2026, 1, 31),
        date(2025, 12, 31),
        date(2096, 2, 29),
    ],
)
def test_three_years_later_in_sql_matches_add_months(start: date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {years_later('%(d)s', 3)}, {years_later('%(d)s', 4)}, {day_number('%(d)s')}",
            {"d": start},
        )
        three, four, day = cursor.fetchone()
    assert date.fromisoformat(str(three)) == add_months(start, 36)
    assert date.fromisoformat(str(four)) == add_months(start, 48)
    assert day == start.toordinal()
