"""``arrears strategy simulate``: a playbook's versions replayed over the days the cycle
closed, side by side — actions by type and channel, the gate's refusals and why, the cost,
cases reaching legal — with nothing sent, planned or written."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.cases.models import CollectionCase, WorkItem
from arrears.compliance.models import ContactRefusal
from arrears.compliance.services import hold_place
from arrears.core.errors import InvalidInput
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Creditor, Party
from arrears.portfolio.services import tape_ingest
from arrears.strategy.models import CaseStrategy, PlannedAction, StrategyEvent
from arrears.strategy.services import playbook_import
from arrears.strategy.simulation import parse_channel_costs
from tests.factories import loan_row, valid_id, valid_phone, write_csv

pytestmark = pytest.mark.django_db

FIRST, LAST = "2026-03-01", "2026-03-08"


def simulate(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("strategy", "simulate", *args, "--json", stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def simulate_text(*args: str) -> str:
    out = StringIO()
    call_command("strategy", "simulate", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        simulate(*args)
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.fixture
def portfolio(creditor: Creditor, tmp_path: Path) -> None:
    """Three loans, first due 2026-02-28 unless said, closed by the cycle 03-01 to 03-08:
    G1 guaranteed, with a guarantor and a counter-guarantor (the guarantee company's
    day-by-day playbook); G2 guaranteed and already 91 days overdue on 03-01 (that
    playbook's legal stage); C3 a consumer loan (the consumer playbook, not guaranteed)."""
    loans = [
        loan_row(
            "G1",
            guarantee_type="担保",
            guarantor_name="李四",
            guarantor_id_number=valid_id(),
            guarantor_phone=valid_phone(),
            borrower_address="上海市浦东新区世纪大道100号",
        ),
        loan_row(
            "G2",
            disbursed_on="2025-10-31",
            guarantee_type="担保",
            guarantor_name="赵六",
            guarantor_id_number=valid_id(),
            guarantor_phone=valid_phone(),
        ),
        loan_row("C3", borrower_email="c3@example.com"),
    ]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", loans))
    counter = [
        {
            "loan_id": "G1",
            "role": "反担保人",
            "name": "王五",
            "id_number": valid_id(),
            "phone": valid_phone(),
        }
    ]
    tape_ingest(creditor=creditor, kind="parties", path=write_csv(tmp_path / "p.csv", counter))
    call_command("cycle", "--date", FIRST, "--through", LAST, "--json", stdout=StringIO())


def written() -> dict[str, Any]:
    """Every row the simulation must leave alone, counted, and the cases as they are."""
    return {
        "planned": PlannedAction.objects.count(),
        "work_items": WorkItem.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "refusals": ContactRefusal.objects.count(),
        "events": StrategyEvent.objects.count(),
        "strategies": list(CaseStrategy.objects.values_list("case_id", "stage", "version_id")),
        "cases": list(
            CollectionCase.objects.order_by("pk").values_list(
                "pk", "status", "current_dpd", "bucket", "closed_on", "updated_on"
            )
        ),
    }


def version_two() -> None:
    """guaranteed-loan v2: the same plan with a daily SMS to the borrower added."""
    out = StringIO()
    call_command("playbook", "export", "guaranteed-loan", stdout=out)
    data = yaml.safe_load(out.getvalue())
    data["stages"][0]["actions"].append(
        {
            "name": "sms-daily",
            "title": "每日短信提醒",
            "type": "sms",
            "target": "borrower",
            "at_dpd": 1,
            "every": 1,
            "template": "reminder",
        }
    )
    playbook_import(text=yaml.safe_dump(data, allow_unicode=True), note="每日短信")


def test_the_current_version_replayed_plans_what_the_cycle_planned(portfolio: None) -> None:
    report = simulate("guaranteed-loan", "--from", FIRST, "--to", LAST)

    (v1,) = report["versions"]
    by_type = {kind: n for kind, n in v1["actions"]["by_type"].items() if n}
    # G1: visits on days 1 and 4, borrower calls on days 1-3 and 8, the counter-guarantor
    # on days 4 and 8, the overdue notice on day 7; G2: legal referral and a call on its
    # legal stage's day 1, the weekly call again on day 8.
    assert by_type == {"visit": 2, "call": 8, "overdue_notice": 1, "legal_referral": 1}
    actual = Counter(
        PlannedAction.objects.filter(version__playbook__name="guaranteed-loan").values_list(
            "type", flat=True
        )
    )
    assert by_type == dict(actual)
    assert (report["days"], v1["version"], v1["current"], v1["cases"]) == (8, 1, True, 2)
    assert {k: n for k, n in v1["actions"]["by_channel"].items() if n} == {
        "call": 8,
        "visit": 2,
        "letter": 1,
        "internal": 1,
    }
    assert v1["legal_cases"] == 1
    assert v1["refused"] == {"contacts": 0, "blocked": 0, "deferred": 0, "by_reason": {}}


def test_costs_are_the_unit_costs_per_channel_in_yuan(portfolio: None, settings: Any) -> None:
    v1 = simulate("guaranteed-loan", "--from", FIRST, "--to", LAST)["versions"][0]

    # Defaults: a call 3 yuan, a visit 50 yuan, a letter 8 yuan.
    assert v1["cost"] == {
        "by_channel": {
            "sms": "0.00",
            "email": "0.00",
            "letter": "8.00",
            "call": "24.00",
            "visit": "100.00",
        },
        "total": "132.00",
    }

    settings.ARREARS_CHANNEL_COSTS = "call=100, visit=0"
    v1 = simulate("guaranteed-loan", "--from", FIRST, "--to", LAST)["versions"][0]

    assert (v1["cost"]["by_channel"]["call"], v1["cost"]["total"]) == ("8.00", "16.00")


def test_a_hold_on_one_debtor_shows_as_refusals_with_the_gates_reason(portfolio: None) -> None:
    g1 = CollectionCase.objects.get(loan__loan_id="G1").loan
    borrower = Party.objects.get(loan_roles__loan=g1, loan_roles__role="borrower")
    hold_place(kind="dispute", reason="客户对金额有异议", party=borrower)
    before = written()

    v1 = simulate("guaranteed-loan", "--from", FIRST, "--to", LAST)["versions"][0]

    # G1's borrower: 2 visits, 4 calls and the notice refused; the counter-guarantor's two
    # calls and G2 go ahead, and only what goes ahead costs anything.
    assert v1["refused"] == {
        "contacts": 7,
        "blocked": 7,
        "deferred": 0,
        "by_reason": {"hold": 7},
    }
    assert v1["actions"]["total"] == 12  # refused actions are still planned, and counted
    assert v1["cost"]["by_channel"] == {
        "sms": "0.00",
        "email": "0.00",
        "letter": "0.00",
        "call": "12.00",
        "visit": "0.00",
    }
    assert written() == before  # no refusal stored, no action blocked

    text = simulate_text("guaranteed-loan", "--from", FIRST, "--to", LAST)
    assert "[hold] hold: Dispute (争议)" in text


def test_two_versions_side_by_side(portfolio: None) -> None:
    version_two()

    report = simulate("guaranteed-loan", "--version", "1,2", "--from", FIRST, "--to", LAST)

    v1, v2 = report["versions"]
    assert [(v["version"], v["current"]) for v in (v1, v2)] == [(1, False), (2, True)]
    # The daily SMS goes to G1's borrower on each of the 8 days in the first stage.
    assert (v1["actions"]["by_type"]["sms"], v2["actions"]["by_type"]["sms"]) == (0, 8)
    assert v2["actions"]["total"] == v1["actions"]["total"] + 8
    assert v2["cost"]["by_channel"]["sms"] == "0.40"
    assert report["unit_costs"]["sms"] == "0.05"

    text = simulate_text("guaranteed-loan", "--version", "1,2", "--from", FIRST, "--to", LAST)
    header = next(line for line in text.splitlines() if "v1" in line)
    assert header.split() == ["v1", "v2", "(current)"]
    sms = next(line for line in text.splitlines() if line.strip().startswith("SMS"))
    assert sms.split()[-2:] == ["0", "8"]
    assert "Cases reaching legal" in text


def test_a_period_inside_the_closed_days_starts_cases_mid_stage(portfolio: None) -> None:
    v1 = simulate("guaranteed-loan", "--from", "2026-03-04", "--to", "2026-03-07")["versions"][0]

    # G1 seen first at DPD 4 is on day 4 of its stage: the second visit, the
    # counter-guarantor's call and the notice, nothing of days 1-3 again; G2 is on day 4 of
    # its legal stage: nothing due.
    assert {k: n for k, n in v1["actions"]["by_type"].items() if n} == {
        "visit": 1,
        "call": 1,
        "overdue_notice": 1,
    }


def test_a_case_whose_stage_began_on_a_skipped_ahead_day_keeps_the_cycles_stage_days(
    creditor: Creditor, tmp_path: Path
) -> None:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("C1")])
    )
    # The cycle saw DPD 15 on 03-15, then jumped to 04-12 (DPD 43): the 31-90 stage began
    # on 04-12 for it, not on 03-31 when the DPD reached 31. Then day by day.
    for day in ("2026-03-15", "2026-04-12"):
        call_command("cycle", "--date", day, stdout=StringIO())
    call_command("cycle", "--date", "2026-04-13", "--through", "2026-04-18", stdout=StringIO())

    v1 = simulate("consumer-loan", "--from", "2026-04-13", "--to", "2026-04-18")["versions"][0]

    # Calls every 5 days from the stage's day 1 (04-12): 04-17; the placement on day 15
    # is after the period.
    assert {k: n for k, n in v1["actions"]["by_type"].items() if n} == {"call": 1}
    actual = PlannedAction.objects.filter(business_date__gte="2026-04-13")
    assert list(actual.values_list("business_date", "type")) == [(date(2026, 4, 17), "call")]


def test_the_consumer_playbook_takes_only_the_cases_no_higher_playbook_takes(
    portfolio: None,
) -> None:
    v1 = simulate("consumer-loan", "--from", FIRST, "--to", LAST)["versions"][0]

    # C3 only (the guaranteed loans belong to the higher-priority guaranteed-loan): SMS on
    # days 1, 4 and 7, email on days 1 and 8, calls on days 3 and 6.
    assert v1["cases"] == 1
    assert {k: n for k, n in v1["actions"]["by_type"].items() if n} == {
        "sms": 3,
        "email": 2,
        "call": 2,
    }


def test_nothing_is_written(portfolio: None) -> None:
    version_two()
    before = written()

    simulate("guaranteed-loan", "--version", "1,2", "--from", FIRST, "--to", LAST)
    simulate_text("consumer-loan", "--from", FIRST, "--to", LAST)

    assert written() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-playbook",), "no playbook 'no-such-playbook'"),
        (("guaranteed-loan", "--version", "7"), "has no version 7 (versions: 1)"),
        (("guaranteed-loan", "--version", "x"), "--version: 'x' is not a version number"),
    ],
)
def test_an_unknown_playbook_or_version_is_refused_in_one_line(
    portfolio: None, args: tuple[str, ...], message: str
) -> None:
    assert message in refused(*args, "--from", FIRST, "--to", LAST)


def test_a_period_the_cycle_did_not_close_is_refused_in_one_line(portfolio: None) -> None:
    assert "after --to" in refused("guaranteed-loan", "--from", LAST, "--to", FIRST)
    assert "2026-03-09 was not closed by the cycle (the last closed day is 2026-03-08)" in (
        refused("guaranteed-loan", "--from", FIRST, "--to", "2026-03-09")
    )
    assert "2026-02-27 was not closed by the cycle (the first stored day is 2026-03-01)" in (
        refused("guaranteed-loan", "--from", "2026-02-27", "--to", LAST)
    )
    assert "--from: " in refused("guaranteed-loan", "--from", "2026-13-01", "--to", LAST)


def test_a_day_the_cycle_skipped_is_refused(creditor: Creditor, tmp_path: Path) -> None:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("C1")])
    )
    call_command("cycle", "--date", "2026-03-01", "--through", "2026-03-02", stdout=StringIO())
    call_command("cycle", "--date", "2026-03-04", stdout=StringIO())

    message = refused("consumer-loan", "--from", "2026-03-01", "--to", "2026-03-04")

    assert "2026-03-03 was not closed by the cycle" in message


def test_unit_costs_come_from_the_setting_and_a_bad_one_says_which_pair() -> None:
    assert parse_channel_costs("sms=3, letter=1200") == {
        "sms": 3,
        "email": 1,
        "letter": 1200,
        "call": 300,
        "visit": 5000,
    }
    with pytest.raises(InvalidInput, match="unknown channel 'fax'"):
        parse_channel_costs("fax=100")
    with pytest.raises(InvalidInput, match="the cost of sms must be whole fen"):
        parse_channel_costs("sms=0.05")
