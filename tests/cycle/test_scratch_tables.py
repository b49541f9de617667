"""The per-connection scratch tables the steps refill for each partition hold only that
partition's rows: nothing vacuums temporary tables, and emptied with ``DELETE`` they kept
every earlier partition's rows as dead space that each later scan walked again (a run
slowed partition by partition; a second day in the same process doubled ``post_payments``).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from arrears.cycle.runner import cycle_run
from arrears.portfolio.batch.work_scan import SCAN_TABLE, WORK_TABLE
from arrears.portfolio.bench_portfolio import build_bench_portfolio

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2026, 6, 30)


def _pages(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [name])
        return int(cursor.fetchone()[0])


def test_a_partition_leaves_only_its_own_rows_in_the_scratch_tables() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's heap; SQLite's DELETE without WHERE is its truncate")
    build_bench_portfolio(loans=1200, first_day=FIRST_DAY, days=0)

    run = cycle_run(on=FIRST_DAY, partition_loans=200)

    assert run.partitions.count() == 6
    # A partition's 200 rows take two or three pages; the run's 1,200 would take a dozen.
    assert _pages(SCAN_TABLE) <= 3
    assert _pages(WORK_TABLE) <= 3
