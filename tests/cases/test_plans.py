"""Repayment plans: granted at once within authority, otherwise approved by someone whose
authority covers them; an active plan pauses the playbook, a missed installment breaks it
in the daily cycle and the playbook resumes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from arrears.accounts.models import Team, User
from arrears.cases.batch import plans_judge
from arrears.cases.models import CollectionCase, RepaymentPlan
from arrears.cases.plan_services import plan_cancel, plan_decide, plan_request
from arrears.core.errors import Forbidden, InvalidInput
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from arrears.strategy.batch import strategies_follow_plans
from arrears.strategy.models import StrategyEvent
from arrears.strategy.selectors import case_paused
from tests.factories import loan_row, payment_row, write_csv

OPENED = date(2026, 3, 1)
TODAY = date(2026, 3, 2)
YUAN = 100


@dataclass
class World:
    case: CollectionCase
    team: Team
    collector: User
    lead: User
    manager: User
    folder: Path

    def pay(self, payment_id: str, paid_on: str, amount: str) -> None:
        path = write_csv(
            self.folder / f"{payment_id}.csv",
            [payment_row(payment_id, self.case.loan.loan_id, paid_on, amount)],
        )
        tape_ingest(creditor=self.case.creditor, kind="payments", path=path)


def make_world(creditor: Creditor, folder: Path, loan_id: str = "P1") -> World:
    """One overdue loan with an open case on its playbook, a team, and people in it."""
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(folder / "l.csv", [loan_row(loan_id)])
    )
    call_command("cycle", "--date", OPENED.isoformat(), "--json", stdout=StringIO())
    team = Team.objects.create(name="M1 组", creditor=creditor, buckets="M1")
    collector = User.objects.create_user("collector1", role="collector", team=team)
    lead = User.objects.create_user("lead", role="team_lead", team=team)
    manager = User.objects.create_user("manager", role="manager")
    manager.creditors.add(creditor)
    case = CollectionCase.objects.select_related("loan", "creditor").get(loan__loan_id=loan_id)
    case.team, case.assignee, case.assigned_on = team, collector, OPENED
    case.save()
    return World(case, team, collector, lead, manager, folder)


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> World:
    return make_world(creditor, tmp_path)


def request(world: World, total: int, installments: int = 6, **extra: object) -> RepaymentPlan:
    args: dict[str, object] = {
        "case": world.case,
        "by": world.collector,
        "total": total,
        "down_payment": total * 3 // 10,
        "installments": installments,
        "start_on": date(2026, 4, 2),
        "on": TODAY,
        "reason": "cash-flow shortage; salary resumes in April",
    }
    args.update(extra)
    return plan_request(**args)  # type: ignore[arg-type]


def paused(world: World) -> bool:
    return case_paused(world.case)


def judge(loan: int, on: date) -> int:
    """The cycle's commitments step for one loan, then what the strategy's plan step makes
    of the plans it judged (paused and resumed events)."""
    written = plans_judge(first=loan, last=loan, on=on)
    strategies_follow_plans(first=loan, last=loan, on=on)
    return written


@pytest.mark.django_db
def test_a_plan_within_the_collectors_authority_is_active_at_once_and_pauses_the_playbook(
    world: World,
) -> None:
    plan = request(world, 10_000 * YUAN)

    assert plan.status == "active"
    assert [(line.number, line.amount) for line in plan.lines.all()] == [
        (0, 3_000_00),
        *[(n, 1_166_67) for n in range(1, 6)],
        (6, 1_166_65),
    ]
    assert paused(world)
    entry = AuditEntry.objects.get(action="plan.request")
    assert entry.subject_id == str(plan.pk) and entry.data["status"] == "active"


@pytest.mark.django_db
def test_a_plan_above_the_limit_waits_and_a_team_lead_approves_it(world: World) -> None:
    plan = request(world, 50_000 * YUAN, installments=10)

    assert plan.status == "pending"
    assert not paused(world)
    with pytest.raises(Forbidden):
        plan_decide(plan=plan, by=world.collector, approve=True, note="", on=TODAY)

    decided = plan_decide(plan=plan, by=world.lead, approve=True, note="income checked", on=TODAY)

    assert decided.status == "active" and decided.decided_by == world.lead
    assert paused(world)
    entry = AuditEntry.objects.get(action="plan.approve")
    assert entry.actor == world.lead and entry.data["note"] == "income checked"


@pytest.mark.django_db
def test_a_plan_beyond_the_team_leads_authority_needs_the_manager(world: World) -> None:
    plan = request(world, 50_000 * YUAN, installments=24)

    with pytest.raises(Forbidden):
        plan_decide(plan=plan, by=world.lead, approve=True, note="", on=TODAY)
    rejected = plan_decide(
        plan=plan, by=world.manager, approve=False, note="too long for this borrower", on=TODAY
    )

    assert rejected.status == "rejected"
    assert not paused(world)


@pytest.mark.django_db
def test_a_case_takes_one_live_plan_at_a_time(world: World) -> None:
    request(world, 10_000 * YUAN)

    with pytest.raises(InvalidInput, match="has a plan already") as caught:
        request(world, 8_000 * YUAN)

    assert caught.value.field == "case"


@pytest.mark.django_db
def test_a_bad_quote_is_refused_with_the_field_to_correct(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        request(world, 10_000 * YUAN, installments=61)

    assert caught.value.field == "installments"
    assert not RepaymentPlan.objects.exists()


@pytest.mark.django_db
def test_a_missed_installment_breaks_the_plan_in_the_cycle_and_the_playbook_resumes(
    world: World,
) -> None:
    plan = request(world, 10_000 * YUAN)  # down payment due today, 3 days' tolerance

    on_time = judge(world.case.loan_id, date(2026, 3, 5))
    plan.refresh_from_db()
    assert plan.status == "active" and paused(world) and on_time == 0

    judge(world.case.loan_id, date(2026, 3, 6))
    again = judge(world.case.loan_id, date(2026, 3, 6))

    plan.refresh_from_db()
    assert plan.status == "broken" and plan.ended_on == date(2026, 3, 6)
    assert not paused(world)
    event = StrategyEvent.objects.get(case=world.case, kind="resumed")
    assert "broken" in event.reason and event.business_date == date(2026, 3, 6)
    assert again == 0


@pytest.mark.django_db
def test_payments_fill_the_lines_in_order_and_a_fully_paid_plan_completes(
    world: World,
) -> None:
    plan = request(world, 600 * YUAN, installments=2, start_on=date(2026, 3, 20))
    world.pay("PAY1", "2026-03-02", "250.00")
    loan = world.case.loan_id

    judge(loan, date(2026, 3, 3))
    assert list(plan.lines.values_list("paid", flat=True)) == [180_00, 70_00, 0]

    world.pay("PAY2", "2026-03-25", "350.00")
    judge(loan, date(2026, 3, 25))

    plan.refresh_from_db()
    assert list(plan.lines.values_list("paid", flat=True)) == [180_00, 210_00, 210_00]
    assert plan.status == "completed"
    assert not paused(world)


@pytest.mark.django_db
def test_payments_before_the_plan_was_made_do_not_count_towards_it(world: World) -> None:
    world.pay("OLD", "2026-03-01", "5000.00")
    plan = request(world, 600 * YUAN, installments=2, start_on=date(2026, 3, 20))

    judge(world.case.loan_id, date(2026, 3, 3))

    assert list(plan.lines.values_list("paid", flat=True)) == [0, 0, 0]


@pytest.mark.django_db
def test_cancelling_an_active_plan_resumes_the_playbook_and_is_audited(world: World) -> None:
    plan = request(world, 10_000 * YUAN)

    plan_cancel(plan=plan, by=world.collector, reason="borrower asks for 12 months", on=TODAY)

    plan.refresh_from_db()
    assert plan.status == "cancelled" and not paused(world)
    assert AuditEntry.objects.filter(action="plan.cancel", subject_id=str(plan.pk)).exists()
    assert request(world, 8_000 * YUAN).status == "active"
