"""Roll rates on the hand-written month ends of tests/insights/month_ends.py: the whole
transition matrix of February, March and April 2026, ``closed`` included."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.core.errors import InvalidInput
from arrears.insights.roll_rates import roll_rates
from tests.insights.month_ends import Portfolio, small_portfolio

FEB, APR = date(2026, 2, 1), date(2026, 4, 1)


@pytest.fixture
def world(db: None) -> Portfolio:
    return small_portfolio()


def run(*args: str) -> str:
    out = StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


def matrix(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (row["month"], row["from"], row["to"], row["base"], row["loans"], row["rate"],
         row["balance_rate"])
        for row in rows
    ]  # fmt: skip


def test_the_full_transition_matrix_month_by_month(world: Portfolio) -> None:
    rows = roll_rates(FEB, APR)["rows"]

    assert matrix(rows) == [
        # Jan 31 → Feb 28: L2 (2000) went M0 → M1, L3 (3000) was paid off, L1 stayed M2.
        ("2026-02", "M0", "M1", 2, 1, 0.5, 0.4),
        ("2026-02", "M0", "M2", 2, 0, 0.0, 0.0),
        ("2026-02", "M0", "closed", 2, 1, 0.5, 0.6),
        ("2026-02", "M2", "M1", 1, 0, 0.0, 0.0),
        ("2026-02", "M2", "M2", 1, 1, 1.0, 1.0),
        ("2026-02", "M2", "closed", 1, 0, 0.0, 0.0),
        # Feb 28 → Mar 31: L3 has no principal left, so it is in no base; L4 (4000) rolled
        # to M1, L5 and L6 (11000) stayed current; L2 M1 → M2; L1 M2 → M4.
        ("2026-03", "M0", "M0", 3, 2, 0.6667, 0.7333),
        ("2026-03", "M0", "M1", 3, 1, 0.3333, 0.2667),
        ("2026-03", "M0", "M2", 3, 0, 0.0, 0.0),
        ("2026-03", "M0", "M4", 3, 0, 0.0, 0.0),
        ("2026-03", "M1", "M0", 1, 0, 0.0, 0.0),
        ("2026-03", "M1", "M1", 1, 0, 0.0, 0.0),
        ("2026-03", "M1", "M2", 1, 1, 1.0, 1.0),
        ("2026-03", "M1", "M4", 1, 0, 0.0, 0.0),
        ("2026-03", "M2", "M0", 1, 0, 0.0, 0.0),
        ("2026-03", "M2", "M1", 1, 0, 0.0, 0.0),
        ("2026-03", "M2", "M2", 1, 0, 0.0, 0.0),
        ("2026-03", "M2", "M4", 1, 1, 1.0, 1.0),
        # Mar 31 → Apr 30: L5 (4600) M0 → M1, L6 (5600) paid off; L4 and L2 cured; L1 → M5.
        ("2026-04", "M0", "M0", 2, 0, 0.0, 0.0),
        ("2026-04", "M0", "M1", 2, 1, 0.5, 0.451),
        ("2026-04", "M0", "M5", 2, 0, 0.0, 0.0),
        ("2026-04", "M0", "closed", 2, 1, 0.5, 0.549),
        ("2026-04", "M1", "M0", 1, 1, 1.0, 1.0),
        ("2026-04", "M1", "M1", 1, 0, 0.0, 0.0),
        ("2026-04", "M1", "M5", 1, 0, 0.0, 0.0),
        ("2026-04", "M1", "closed", 1, 0, 0.0, 0.0),
        ("2026-04", "M2", "M0", 1, 1, 1.0, 1.0),
        ("2026-04", "M2", "M1", 1, 0, 0.0, 0.0),
        ("2026-04", "M2", "M5", 1, 0, 0.0, 0.0),
        ("2026-04", "M2", "closed", 1, 0, 0.0, 0.0),
        ("2026-04", "M4", "M0", 1, 0, 0.0, 0.0),
        ("2026-04", "M4", "M1", 1, 0, 0.0, 0.0),
        ("2026-04", "M4", "M5", 1, 1, 1.0, 1.0),
        ("2026-04", "M4", "closed", 1, 0, 0.0, 0.0),
    ]
    assert rows[2]["balance"] == "3000.00" and rows[2]["base_balance"] == "5000.00"


def test_a_month_whose_previous_end_was_not_closed_is_refused(world: Portfolio) -> None:
    with pytest.raises(InvalidInput, match=r"^2025-12-31 was not closed by the cycle$"):
        roll_rates(date(2026, 1, 1), APR)


def test_the_first_month_after_the_last_is_refused(world: Portfolio) -> None:
    with pytest.raises(InvalidInput, match=r"2026-04.*2026-02"):
        roll_rates(APR, FEB)


def test_the_command_prints_the_rows_as_json_and_as_matrices(world: Portfolio) -> None:
    printed = json.loads(run("roll-rates", "--from", "2026-02", "--to", "2026-04", "--json"))
    text = run("roll-rates", "--from", "2026-04", "--to", "2026-04")

    assert printed == roll_rates(FEB, APR)
    assert text.splitlines() == [
        "Month 2026-04",
        "  from       base       M0       M1       M5   closed",
        "  M0            2    0.00%   50.00%    0.00%   50.00%",
        "  M1            1  100.00%    0.00%    0.00%    0.00%",
        "  M2            1  100.00%    0.00%    0.00%    0.00%",
        "  M4            1    0.00%    0.00%  100.00%    0.00%",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-13", "--to", "2026-04"), "--from: '2026-13' is not a month"),
        (("--from", "2026-02", "--to", "26-4"), "--to: '26-4' is not a month"),
        (("--from", "2026-04", "--to", "2026-02"), "after the last"),
        (("--from", "2026-04", "--to", "2026-05"), "2026-05-31 was not closed by the cycle"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    world: Portfolio, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message) as error:
        run("roll-rates", *args)

    assert error.value.returncode == 2
    assert "\n" not in str(error.value)
