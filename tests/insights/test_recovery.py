"""Recovery curves on the hand-written month ends, cases and payments of
tests/insights/month_ends.py."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from arrears.insights.recovery import recovery_curves
from arrears.portfolio.models import Creditor
from tests.insights.month_ends import Portfolio, small_portfolio


@pytest.fixture
def world(db: None) -> Portfolio:
    return small_portfolio()


def run(*args: str) -> str:
    out = StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


def curves(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (row["kind"], row["cohort"], row["bucket"], row["months"], row["cases"], row["balance"],
         row["collected"], row["rate"])
        for row in rows
    ]  # fmt: skip


def test_collected_since_entry_over_the_balance_at_entry(world: Portfolio) -> None:
    rows = recovery_curves()["rows"]

    assert curves(rows) == [
        # L2 entered M1 on 28 Feb with 2000 outstanding; its 360 came on 12 April, the day
        # its case closed.
        ("bucket", "2026-02", "M1", 0, 1, "2000.00", "0.00", 0.0),
        ("bucket", "2026-02", "M1", 1, 1, "2000.00", "0.00", 0.0),
        ("bucket", "2026-02", "M1", 2, 1, "2000.00", "360.00", 0.18),
        # L4 entered M1 on 27 March, a day with no row of its own: 28 February's 4000.
        ("bucket", "2026-03", "M1", 0, 1, "4000.00", "0.00", 0.0),
        ("bucket", "2026-03", "M1", 1, 1, "4000.00", "400.00", 0.1),
        ("bucket", "2026-03", "M2", 0, 1, "2000.00", "0.00", 0.0),
        ("bucket", "2026-03", "M2", 1, 1, "2000.00", "360.00", 0.18),
        # L1 entered M4 on 31 March: its 20 March payment was before, 2 May's after the last
        # month end.
        ("bucket", "2026-03", "M4", 0, 1, "1000.00", "0.00", 0.0),
        ("bucket", "2026-03", "M4", 1, 1, "1000.00", "53.00", 0.053),
        # The lawsuit on L1 opened on 1 April.
        ("legal", "2026-04", "", 0, 1, "1000.00", "53.00", 0.053),
    ]


def test_another_creditors_view_is_empty(world: Portfolio) -> None:
    other = Creditor.objects.create(name="别家")

    assert recovery_curves(creditor_ids=[other.pk]) == {"rows": []}
    assert recovery_curves(creditor_ids=[world.creditor.pk]) == recovery_curves()


def test_no_month_end_gives_no_rows(db: None) -> None:
    assert recovery_curves() == {"rows": []}


def test_the_command_prints_json_and_a_table(world: Portfolio) -> None:
    printed = json.loads(run("recovery", "--json"))
    lines = run("recovery").splitlines()

    assert printed == recovery_curves()
    assert lines[0] == (
        "  kind   cohort   bucket  months  cases         balance       collected     rate"
    )
    assert lines[-1] == (
        "  legal  2026-04  -            0      1         1000.00           53.00    5.30%"
    )
