"""A month's aging and KPIs on a small portfolio whose month ends are written by hand
(tests/insights/month_ends.py): every figure below is worked out from that table."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.core.errors import InvalidInput
from arrears.insights.kpis import month_kpis
from arrears.portfolio.models import Creditor
from tests.insights.month_ends import APR, MAR, Portfolio, history_add, loan_add, small_portfolio

APRIL = date(2026, 4, 1)


@pytest.fixture
def world(db: None) -> Portfolio:
    return small_portfolio()


def run(*args: str) -> str:
    out = StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


def test_aging_counts_active_loans_by_the_bucket_stored_at_the_month_end(world: Portfolio) -> None:
    report = month_kpis(APRIL)

    assert report["month"] == "2026-04" and report["as_of"] == "2026-04-30"
    # L6 was paid off in April (no principal left): not aged. L1 M5, L2 and L4 M0, L5 M1.
    assert report["aging"] == {
        "M0": {"loans": 2, "principal": "5300.00"},
        "M1": {"loans": 1, "principal": "4600.00"},
        "M2": {"loans": 0, "principal": "0.00"},
        "M3": {"loans": 0, "principal": "0.00"},
        "M4": {"loans": 0, "principal": "0.00"},
        "M5": {"loans": 1, "principal": "1000.00"},
        "M6": {"loans": 0, "principal": "0.00"},
        "M7": {"loans": 0, "principal": "0.00"},
    }


def test_cure_and_recovery_start_from_the_loans_past_due_at_the_previous_month_end(
    world: Portfolio,
) -> None:
    report = month_kpis(APRIL)

    # Past due on 2026-03-31: L1 (1000), L2 (2000), L4 (4000); back to DPD 0 on 04-30: L2, L4.
    assert report["delinquent_at_start"] == {"loans": 3, "principal": "7000.00"}
    assert report["cured"] == {"loans": 2, "principal": "6000.00"}
    assert report["cure_rate"] == 0.6667
    assert report["cure_balance_rate"] == 0.8571
    # Overdue then: 300 + 360 + 400; paid in April on those loans: 360 + 400 + 53.
    assert report["overdue_at_start"] == "1060.00"
    assert report["recovered"] == "813.00"
    assert report["recovery"] == 0.767


def test_promises_and_contacts_of_the_month(world: Portfolio) -> None:
    report = month_kpis(APRIL)

    # Due in April and judged: one broken, two kept (the cancelled and the May one are out).
    assert (report["promises_due"], report["promises_kept"]) == (3, 2)
    assert report["promise_kept_rate"] == 0.6667
    # Six contacts in April, Shanghai time (23:30 on the 30th counts, 00:10 on 1 May not);
    # the borrower twice and a co-borrower once.
    assert (report["contacts"], report["right_party_contacts"]) == (6, 3)
    assert report["rpc_rate"] == 0.5


def test_money_is_credited_to_whoever_held_the_case_on_the_day_it_came(
    world: Portfolio,
) -> None:
    report = month_kpis(APRIL)

    assert report["collectors"] == [
        {"user": "carol", "name": "carol", "team": "team B", "contacts": 2, "promises": 2,
         "collected": "360.00"},
        {"user": "bob", "name": "bob", "team": "team A", "contacts": 2, "promises": 2,
         "collected": "53.00"},
        {"user": "alice", "name": "alice", "team": "team A", "contacts": 2, "promises": 1,
         "collected": "0.00"},
    ]  # fmt: skip
    assert report["teams"] == [
        {"team": "team B", "collected": "360.00"},
        {"team": "team A", "collected": "53.00"},
    ]
    # L4's case was never assigned; L5 paid before its case opened, L6 never had one.
    assert report["collected"] == "813.00"
    assert report["unassigned_collected"] == "400.00"


def test_a_team_leads_view_keeps_only_the_cases_the_team_held(world: Portfolio) -> None:
    report = month_kpis(APRIL, team_id=world.teams["A"].pk)

    assert [row["user"] for row in report["collectors"]] == ["bob", "alice"]
    assert report["teams"] == [{"team": "team A", "collected": "53.00"}]
    assert report["collected"] == "53.00"
    assert (report["promises_due"], report["promises_kept"]) == (2, 1)
    assert (report["contacts"], report["right_party_contacts"]) == (4, 2)
    assert report["aging"]["M0"] == {"loans": 2, "principal": "5300.00"}


def test_other_creditors_loans_are_left_out_when_asked(world: Portfolio) -> None:
    other = Creditor.objects.create(name="别家")
    stranger = loan_add(other, "X1", date(2025, 1, 1), 9000)
    history_add(stranger, MAR, 400, "M7", 9000, 9000)
    history_add(stranger, APR, 430, "M7", 9000, 9000)

    everyone = month_kpis(APRIL)
    ours = month_kpis(APRIL, creditor_ids=[world.creditor.pk])

    assert everyone["aging"]["M7"] == {"loans": 1, "principal": "9000.00"}
    assert ours["aging"]["M7"] == {"loans": 0, "principal": "0.00"}
    assert ours["delinquent_at_start"]["loans"] == 3
    assert month_kpis(APRIL, creditor_ids=[])["aging"]["M0"]["loans"] == 0


@pytest.mark.parametrize(
    ("month", "missing"), [(date(2026, 5, 1), "2026-05-31"), (date(2026, 1, 1), "2025-12-31")]
)
def test_a_month_end_the_cycle_did_not_close_is_named(
    world: Portfolio, month: date, missing: str
) -> None:
    with pytest.raises(InvalidInput, match=f"^{missing} was not closed by the cycle$"):
        month_kpis(month)


def test_the_command_prints_what_the_function_returns(world: Portfolio) -> None:
    printed: dict[str, Any] = json.loads(run("kpis", "--month", "2026-04", "--json"))

    assert printed == month_kpis(APRIL)


def test_the_command_prints_tables(world: Portfolio) -> None:
    text = run("kpis", "--month", "2026-04", "--team", "team A")

    assert "Month 2026-04: aging at 2026-04-30" in text
    assert "  M0               2           5300.00" in text
    assert "Cure rate             66.67%  (2 of 3 loans past due at 2026-03-31)" in text
    assert "Recovery              76.70%  (813.00 of 1060.00 overdue at 2026-03-31)" in text
    assert "Promise kept rate     50.00%  (1 of 2 promises due)" in text
    assert "  bob             team A                  2        2         53.00" in text
    assert "carol" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2026-13"), "--month: '2026-13' is not a month"),
        (("--month", "April"), "--month: 'April' is not a month"),
        (("--month", "2026-05"), "2026-05-31 was not closed by the cycle"),
        (("--month", "2026-04", "--creditor", "nobody"), "No creditor called 'nobody'"),
        (("--month", "2026-04", "--team", "nobody"), "No team called 'nobody'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    world: Portfolio, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message) as error:
        run("kpis", *args)

    assert error.value.returncode == 2
    assert "\n" not in str(error.value)
