"""How SQLite reads the cases of a partition during a cycle day.

SQLite keeps no planner statistics. Given only the (status, bucket) index, it answered
"the open cases of loans first–last" by reading every open case of the book, once per
partition and statement: at a million loans, five such statements cost a following day
14 of its 31.6 seconds. The cycle's statements must take the partition's range from an
index instead (docs/cycle.md, operations notes). PostgreSQL plans from statistics and
does not need this, so the plans checked here are SQLite's.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="SQLite's planner (no statistics) is the subject"
    ),
]


def plans_of_a_day(on: str) -> list[tuple[str, list[str]]]:
    """Each statement the cycle ran on ``on`` with SQLite's plan for it, taken just before
    it ran (the temporary tables it reads are filled by then)."""
    seen: list[tuple[str, list[str]]] = []

    def explain(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
        words = sql.lstrip().split(None, 1)
        if not many and words and words[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            with context["connection"].cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                seen.append((" ".join(sql.split()), [row[-1] for row in cursor.fetchall()]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        call_command("cycle", "--date", on, "--json", stdout=StringIO())
    return seen


def test_a_partition_s_open_cases_are_read_by_its_loan_range(
    creditor: Creditor, tmp_path: Path
) -> None:
    rows = [loan_row(f"P{n}") for n in range(1, 4)]  # first due 2026-02-28, never paid
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    call_command("cycle", "--date", "2026-03-01", "--json", stdout=StringIO())

    plans = plans_of_a_day("2026-03-02")
    on_cases = [(sql, lines) for sql, lines in plans if "cases_collectioncase" in sql]
    whole_book = [
        (sql[:120], line)
        for sql, lines in on_cases
        for line in lines
        if "case_status_bucket" in line or line.startswith("SCAN cases_collectioncase")
    ]
    by_range = [line for _sql, lines in on_cases for line in lines if "case_status_loan" in line]

    assert not whole_book
    # The cases step and the plan step each read the partition's open cases so.
    assert len(by_range) >= 5, by_range
    assert any("loan_id>? AND loan_id<?" in line for line in by_range)
