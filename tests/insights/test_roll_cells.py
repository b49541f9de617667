"""The roll-rate cells the cycle keeps at each month end (``rolls`` step): the report read
from them equals the report paired from the history rows, whatever the partitions."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.insights.models import MonthRoll
from arrears.insights.roll_cells import rolls_record
from arrears.insights.roll_rates import roll_rates
from tests.insights.month_ends import APR, FEB, JAN, MAR, Portfolio, small_portfolio


@pytest.fixture
def world(db: None) -> Portfolio:
    return small_portfolio()


def cells_record(world: Portfolio, *, partitions: int) -> int:
    """Run the step on every stored month end, the loans split into ``partitions`` ranges."""
    ids = sorted(loan.pk for loan in world.loans.values())
    size = -(-len(ids) // partitions)
    ranges = [
        (chunk[0], chunk[-1]) for chunk in (ids[i : i + size] for i in range(0, len(ids), size))
    ]
    return sum(
        rolls_record(first=first, last=last, on=day)
        for day in (JAN, FEB, MAR, APR)
        for first, last in ranges
    )


@pytest.mark.parametrize("partitions", [1, 2, 4])
def test_the_cells_give_the_matrix_the_history_rows_give(world: Portfolio, partitions: int) -> None:
    mine, nobody = [world.creditor.pk], [world.creditor.pk + 1000]
    paired = [
        roll_rates(date(2026, 2, 1), date(2026, 4, 1), creditor_ids=c) for c in (None, mine, nobody)
    ]

    assert cells_record(world, partitions=partitions) > 0

    kept = [
        roll_rates(date(2026, 2, 1), date(2026, 4, 1), creditor_ids=c) for c in (None, mine, nobody)
    ]
    assert kept == paired
    assert paired[0]["rows"] and paired[2]["rows"] == []


def test_a_month_with_cells_is_read_from_them_alone(world: Portfolio) -> None:
    cells_record(world, partitions=2)
    with CaptureQueriesContext(connection) as queries:
        roll_rates(date(2026, 2, 1), date(2026, 4, 1))
    # Pairing the history rows joins the table to itself; reading cells never does.
    assert not [q["sql"] for q in queries if "LEFT JOIN" in q["sql"]]


def test_the_step_is_idempotent_and_writes_only_on_month_ends(world: Portfolio) -> None:
    first = min(loan.pk for loan in world.loans.values())
    last = max(loan.pk for loan in world.loans.values())
    assert rolls_record(first=first, last=last, on=date(2026, 2, 20)) == 0
    written = rolls_record(first=first, last=last, on=MAR)
    again = rolls_record(first=first, last=last, on=MAR)
    assert written == again == MonthRoll.objects.filter(month_end=MAR).count() > 0
