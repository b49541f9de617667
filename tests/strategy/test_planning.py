"""The cycle's plan step: playbooks assigned, stages by DPD, the day's actions planned once,
gated, and handed to the outbox and the work queues."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.cases.models import CollectionCase, WorkItem
from arrears.compliance.models import ContactRefusal
from arrears.compliance.services import hold_place
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Creditor, Loan, Party
from arrears.portfolio.services import tape_ingest
from arrears.strategy.models import CaseStrategy, PlannedAction, StrategyEvent
from tests.factories import loan_row, payment_row, valid_id, valid_phone, write_csv

pytestmark = pytest.mark.django_db


def cycle(*args: str) -> None:
    call_command("cycle", *args, "--json", stdout=StringIO())


def case_json(loan_id: str, *args: str) -> dict[str, object]:
    out = StringIO()
    call_command("case", loan_id, *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.fixture
def guaranteed(creditor: Creditor, tmp_path: Path) -> Loan:
    """A guaranteed loan (first due 2026-02-28, never paid) with a guarantor and a
    counter-guarantor, as a guarantee company books it."""
    row = loan_row(
        "G1",
        guarantee_type="担保",
        guarantor_name="李四",
        guarantor_id_number=valid_id(),
        guarantor_phone=valid_phone(),
        borrower_address="上海市浦东新区世纪大道100号",  # where the overdue notice goes
    )
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    parties = [
        {
            "loan_id": "G1",
            "role": "反担保人",
            "name": "王五",
            "id_number": valid_id(),
            "phone": valid_phone(),
        }
    ]
    tape_ingest(creditor=creditor, kind="parties", path=write_csv(tmp_path / "p.csv", parties))
    return Loan.objects.get(loan_id="G1")


def planned_by_day(loan: Loan) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for day, kind, role in PlannedAction.objects.filter(loan=loan).values_list(
        "business_date", "type", "target_role"
    ):
        found.setdefault(day.isoformat(), set()).add((kind, role))
    return found


def test_a_guaranteed_loan_days_1_to_8_plan_exactly_the_guarantee_companys_list(
    guaranteed: Loan,
) -> None:
    cycle("--date", "2026-03-01", "--through", "2026-03-08")

    assert planned_by_day(guaranteed) == {
        # Day 1: visit the business premises, and the first of three daily calls.
        "2026-03-01": {("visit", "borrower"), ("call", "borrower")},
        "2026-03-02": {("call", "borrower")},
        "2026-03-03": {("call", "borrower")},
        # Day 4: back to the premises, and press together with the counter-guarantor.
        "2026-03-04": {("visit", "borrower"), ("call", "counter_guarantor")},
        # Day 7: the formal overdue notice (逾期催收通知书).
        "2026-03-07": {("overdue_notice", "borrower")},
        # After the notice: daily calls, and the counter-guarantor asked to pay.
        "2026-03-08": {("call", "borrower"), ("call", "counter_guarantor")},
    }
    overview = case_json("G1")
    assert (overview["playbook"], overview["version"], overview["stage"]) == (
        "guaranteed-loan",
        1,
        "day-by-day",
    )
    day4 = [a for a in overview["actions"] if a["date"] == "2026-03-04"]  # type: ignore[union-attr,index]
    assert len(day4) == 2 and all(a["rule"].startswith("担保贷款 v1 › 第4天 › ") for a in day4)
    assert all(a["status"] == "queued" and a["blocked_reasons"] == [] for a in day4)


def test_planning_a_date_again_plans_nothing_twice(guaranteed: Loan) -> None:
    cycle("--date", "2026-03-01", "--through", "2026-03-04")
    before = PlannedAction.objects.count(), WorkItem.objects.count()

    cycle("--date", "2026-03-04")

    assert (PlannedAction.objects.count(), WorkItem.objects.count()) == before


def test_tasks_become_work_items_and_messages_go_to_the_outbox(guaranteed: Loan) -> None:
    cycle("--date", "2026-03-01", "--through", "2026-03-07")

    calls = WorkItem.objects.filter(loan=guaranteed, type="call")
    notice = OutboxMessage.objects.get(loan=guaranteed)

    assert calls.count() == 4 and set(calls.values_list("status", flat=True)) == {"open"}
    assert set(WorkItem.objects.filter(type="visit").values_list("queue", flat=True)) == {"field"}
    assert (notice.channel, notice.purpose, notice.status) == ("letter", "overdue_notice", "queued")
    # Due at 09:00 on the day in the debtor's zone (Asia/Shanghai).
    assert notice.due_at.isoformat() == "2026-03-07T01:00:00+00:00"


def test_a_case_that_enters_at_dpd_45_starts_in_the_31_to_90_stage(
    creditor: Creditor, tmp_path: Path
) -> None:
    tape_ingest(
        creditor=creditor,
        kind="loans",
        path=write_csv(tmp_path / "l.csv", [loan_row("C45", borrower_email="c45@example.com")]),
    )
    # First due 2026-02-28: DPD 45 on 2026-04-14, the first day the cycle sees it.
    cycle("--date", "2026-04-14")

    overview = case_json("C45")

    assert (overview["playbook"], overview["stage"]) == ("consumer-loan", "escalate")
    assert {(a["type"], a["target_role"]) for a in overview["actions"]} == {  # type: ignore[union-attr]
        ("lawyer_letter", "borrower"),
        ("call", "borrower"),
    }


def test_a_dispute_hold_blocks_the_plan_with_its_reason_and_nothing_is_queued(
    guaranteed: Loan,
) -> None:
    borrower = Party.objects.get(loan_roles__loan=guaranteed, loan_roles__role="borrower")
    hold_place(kind="dispute", reason="客户对金额有异议", party=borrower)

    cycle("--date", "2026-03-01", "--through", "2026-03-07")

    blocked = PlannedAction.objects.filter(loan=guaranteed, target_role="borrower")
    notice = OutboxMessage.objects.get(loan=guaranteed)
    assert set(blocked.values_list("status", flat=True)) == {"blocked"}
    assert notice.status == "blocked" and notice.blocked_reasons == ["hold: dispute"]
    assert not WorkItem.objects.filter(party=borrower).exists()
    assert ContactRefusal.objects.filter(party=borrower, asked_by="strategy:plan").count() == 6
    # The counter-guarantor is not under the borrower's hold.
    assert PlannedAction.objects.get(target_role="counter_guarantor").status == "queued"


def test_a_cured_case_cancels_its_queued_messages_and_open_tasks(
    creditor: Creditor, guaranteed: Loan, tmp_path: Path
) -> None:
    cycle("--date", "2026-03-01", "--through", "2026-03-07")
    tape_ingest(
        creditor=creditor,
        kind="payments",
        path=write_csv(tmp_path / "pay.csv", [payment_row("P1", "G1", "2026-03-08", "20000.00")]),
    )

    cycle("--date", "2026-03-08")

    assert CollectionCase.objects.get(loan=guaranteed).status == "closed"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"cancelled"}
    assert set(WorkItem.objects.values_list("status", flat=True)) == {"cancelled"}
    assert not PlannedAction.objects.filter(business_date="2026-03-08").exists()


def test_a_manager_pauses_moves_and_adds_an_action_each_with_a_reason_on_record(
    guaranteed: Loan,
) -> None:
    cycle("--date", "2026-03-01", "--through", "2026-03-02")
    with pytest.raises(CommandError, match="say why"):
        case_json("G1", "--pause", "--by", "manager")

    case_json("G1", "--pause", "--reason", "客户住院", "--by", "manager", "--date", "2026-03-02")
    cycle("--date", "2026-03-03")
    assert not PlannedAction.objects.filter(business_date="2026-03-03").exists()
    assert not WorkItem.objects.filter(status="open").exists()

    case_json("G1", "--resume", "--reason", "已出院", "--by", "manager", "--date", "2026-03-03")
    case_json(
        "G1",
        "--add-action",
        "call",
        "--target",
        "guarantor",
        "--title",
        "请担保人协助联系",
        "--date",
        "2026-03-04",
        "--reason",
        "借款人失联",
        "--by",
        "manager",
    )
    moved = case_json(
        "G1",
        "--move",
        "consumer-loan",
        "--stage",
        "escalate",
        "--reason",
        "恶意拖欠",
        "--by",
        "manager",
        "--date",
        "2026-03-03",
    )
    cycle("--date", "2026-03-04")

    assert (moved["playbook"], moved["stage"]) == ("consumer-loan", "escalate")
    # The move takes effect on the next cycle day: day 1 of the stage it was put in, which
    # holds although DPD 4 lies in the playbook's first stage; the one-off call comes too.
    assert planned_by_day(guaranteed)["2026-03-04"] == {
        ("lawyer_letter", "borrower"),
        ("call", "borrower"),
        ("call", "guarantor"),
    }
    assert CaseStrategy.objects.get().stage == "escalate"
    events = list(
        StrategyEvent.objects.exclude(by="").values_list("kind", "reason", "by").order_by("id")
    )
    assert events == [
        ("paused", "客户住院", "manager"),
        ("resumed", "已出院", "manager"),
        ("one_off", "借款人失联", "manager"),
        ("moved", "恶意拖欠", "manager"),
    ]
