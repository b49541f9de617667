"""Vintages on the hand-written month ends of tests/insights/month_ends.py."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.core.errors import InvalidInput
from arrears.insights.vintages import vintages
from arrears.portfolio.models import LoanHistory
from tests.insights.month_ends import FEB, Portfolio, small_portfolio


@pytest.fixture
def world(db: None) -> Portfolio:
    return small_portfolio()


def run(*args: str) -> str:
    out = StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


def table(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (row["vintage"], row["mob"], row["loans"], row["bad"], row["rate"], row["balance_rate"])
        for row in rows
    ]


def test_ever30_counts_a_loan_from_the_first_month_end_it_was_30_days_late(
    world: Portfolio,
) -> None:
    rows = vintages("ever30")["rows"]

    assert table(rows) == [
        # L1, disbursed in December, was 32 days late on 31 January (MOB 1) and stays bad.
        ("2025-12", 1, 1, 1, 1.0, 1.0),
        ("2025-12", 2, 1, 1, 1.0, 1.0),
        ("2025-12", 3, 1, 1, 1.0, 1.0),
        ("2025-12", 4, 1, 1, 1.0, 1.0),
        # L2 (2000 of 5000) was 31 days late on 31 March, MOB 2, and stays counted after
        # curing in April; its 45 days on 20 February was no month end.
        ("2026-01", 1, 2, 0, 0.0, 0.0),
        ("2026-01", 2, 2, 1, 0.5, 0.4),
        ("2026-01", 3, 2, 1, 0.5, 0.4),
        ("2026-02", 1, 3, 0, 0.0, 0.0),
        ("2026-02", 2, 3, 0, 0.0, 0.0),
    ]
    assert rows[5]["principal"] == "5000.00" and rows[5]["bad_principal"] == "2000.00"


def test_ever90_waits_for_90_days(world: Portfolio) -> None:
    rows = table(vintages("ever90")["rows"])

    assert rows[:4] == [
        ("2025-12", 1, 1, 0, 0.0, 0.0),
        ("2025-12", 2, 1, 0, 0.0, 0.0),
        ("2025-12", 3, 1, 1, 1.0, 1.0),  # 91 days on 31 March
        ("2025-12", 4, 1, 1, 1.0, 1.0),
    ]
    assert all(bad == 0 for _v, _m, _l, bad, _r, _b in rows[4:])


def test_a_month_end_missing_between_the_stored_ones_is_named(world: Portfolio) -> None:
    LoanHistory.objects.filter(business_date=FEB).delete()

    with pytest.raises(InvalidInput, match=r"^2026-02-28 was not closed by the cycle$"):
        vintages("ever30")


def test_an_unknown_metric_is_refused(world: Portfolio) -> None:
    with pytest.raises(InvalidInput, match="ever60"):
        vintages("ever60")


def test_no_history_gives_no_rows(db: None) -> None:
    assert vintages("ever30") == {"rows": []}


def test_the_command_prints_json_and_a_table(world: Portfolio) -> None:
    printed = json.loads(run("vintages", "--metric", "ever90", "--json"))
    text = run("vintages", "--metric", "ever30", "--creditor", world.creditor.name)

    assert printed == vintages("ever90")
    assert text.splitlines()[:3] == [
        "Vintages, ever30 (bad = ever past the threshold by that MOB)",
        "  vintage   mob    loans     bad     rate  by amount",
        "  2025-12     1        1       1  100.00%    100.00%",
    ]
    assert "  2026-01     2        2       1   50.00%     40.00%" in text


def test_bad_input_exits_2_with_one_line(world: Portfolio) -> None:
    with pytest.raises(CommandError, match="No creditor called 'nobody'") as error:
        run("vintages", "--metric", "ever30", "--creditor", "nobody")

    assert error.value.returncode == 2
