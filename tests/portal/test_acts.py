"""What a signed-in borrower does on the portal: each act goes through the owning app's
service, lands on the collector's case timeline and in the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arrears.accounts.models import User
from arrears.cases.models import Promise, RepaymentPlan, WorkItem
from arrears.compliance.models import CompliancePolicy, Hold
from arrears.compliance.services import contact_check
from arrears.core.models import AuditEntry
from arrears.portal.models import PortalAct
from arrears.portfolio.models import Payment
from tests.portal.conftest import START, World, signed_in

pytestmark = pytest.mark.django_db
ON = START.date()


@pytest.fixture
def borrower(world: World, client: Client, django_capture_on_commit_callbacks: Any) -> Client:
    return signed_in(client, world, django_capture_on_commit_callbacks)


def case_page(world: World) -> str:
    collector = Client()
    collector.force_login(world.collector)
    response = collector.get(f"/cases/{world.case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def audited(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("number")


def test_a_promise_within_the_policy_is_taken_and_shows_on_the_case_page(
    world: World, borrower: Client
) -> None:
    due = ON + timedelta(days=7)

    response = borrower.post("/p/promise/", {"amount": "10,709.16", "due_on": due.isoformat()})

    assert response.status_code == 302 and response["Location"] == "/p/"
    promise = Promise.objects.get()
    assert (promise.amount, promise.due_on, promise.party_id) == (1_070_916, due, world.borrower.pk)
    assert promise.by.username == "portal" and not promise.by.is_active
    assert "Promise: 10,709.16 yuan by " + due.isoformat() in case_page(world)
    entry = audited("portal.promise")
    assert entry.data["record"] == promise.pk and entry.data["party"] == world.borrower.pk
    assert AuditEntry.objects.filter(action="promise.create").exists()
    home = borrower.get("/p/").content.decode()
    assert "recorded" in home and "10,709.16 yuan by" in home


@pytest.mark.parametrize(
    ("amount", "days", "field_error"),
    [
        ("10,709.15", 7, "Promise at least 10,709.16 yuan."),  # below what is overdue
        ("10,709.16", 15, "Choose a date from 2026-03-10 to 2026-03-24."),  # beyond 14 days
        ("10,709.16", -1, "Choose a date from 2026-03-10 to 2026-03-24."),  # in the past
        ("abc", 7, "enter an amount in yuan"),
    ],
)
def test_a_promise_outside_the_policy_is_refused_with_the_reason(
    borrower: Client, amount: str, days: int, field_error: str
) -> None:
    due = ON + timedelta(days=days)

    response = borrower.post("/p/promise/", {"amount": amount, "due_on": due.isoformat()})

    assert response.status_code == 400 and field_error in response.content.decode()
    assert not Promise.objects.exists() and not PortalAct.objects.exists()


def test_the_promise_policy_follows_the_settings(borrower: Client, settings: Any) -> None:
    settings.ARREARS_PORTAL_PROMISE_MIN_PERCENT = 50
    settings.ARREARS_PORTAL_PROMISE_DAYS = 30

    response = borrower.post(
        "/p/promise/", {"amount": "5,354.58", "due_on": (ON + timedelta(days=30)).isoformat()}
    )

    assert response.status_code == 302 and Promise.objects.get().amount == 535_458


def test_a_plan_within_the_authority_is_active_at_once(world: World, borrower: Client) -> None:
    page = borrower.get("/p/plan/").content.decode()
    assert page.count('data-testid="plan-option"') == 3

    response = borrower.post("/p/plan/", {"option": "30-3"})

    assert response.status_code == 302
    plan = RepaymentPlan.objects.get()
    assert plan.status == "active" and plan.installments == 3 and plan.total == 1_070_916
    assert plan.down_payment == 321_275  # 30 %, rounded half up
    assert plan.requested_by.username == "portal"
    assert "Repayment plan: 10,709.16 yuan" in case_page(world)
    assert audited("portal.plan").data["status"] == "active"
    assert "in place" in borrower.get("/p/").content.decode()


def test_a_plan_beyond_the_authority_waits_in_the_approvals(world: World, borrower: Client) -> None:
    lead = User.objects.create_user(
        "lead", password="x-long-pass-2", role="team_lead", team=world.team
    )

    borrower.post("/p/plan/", {"option": "10-12"})

    plan = RepaymentPlan.objects.get()
    assert plan.status == "pending" and plan.installments == 12
    approver = Client()
    approver.force_login(lead)
    assert "10,709.16" in approver.get("/approvals/").content.decode()
    assert "awaiting your lender" in borrower.get("/p/").content.decode()


def test_an_offer_not_on_the_list_is_refused(borrower: Client) -> None:
    response = borrower.post("/p/plan/", {"option": "0-60"})

    assert response.status_code == 400 and not RepaymentPlan.objects.exists()


def test_a_dispute_holds_the_loan_and_gives_the_team_a_task(world: World, borrower: Client) -> None:
    response = borrower.post("/p/dispute/", {"reason": "这笔钱我上个月已经还过了"})

    assert response.status_code == 302
    hold = Hold.objects.get()
    assert (hold.kind, hold.loan_id, hold.party_id) == ("dispute", world.case.loan_id, None)
    assert hold.placed_by is not None and hold.placed_by.username == "portal"
    task = WorkItem.objects.get(case=world.case)
    assert task.status == "open" and task.type == "review" and "上个月已经还过了" in task.title
    assert task.planned_action_id < 0
    page = case_page(world)
    assert "Hold placed: Dispute" in page and "上个月已经还过了" in page
    assert audited("portal.dispute").data["record"] == hold.pk
    reminder = contact_check(
        loan=world.case.loan, party=world.borrower, channel="sms", at=START + timedelta(hours=1)
    )
    assert not reminder.allowed and reminder.reason_codes == ["hold"]


def test_a_hardship_pause_holds_the_party(world: World, borrower: Client) -> None:
    borrower.post("/p/pause/", {"reason": "住院治疗，暂时没有收入"})

    hold = Hold.objects.get()
    assert (hold.kind, hold.party_id) == ("hardship", world.borrower.pk)
    assert WorkItem.objects.filter(case=world.case, status="open").count() == 1
    assert "Hold placed: Hardship" in case_page(world)
    assert AuditEntry.objects.filter(action="portal.hardship").exists()


def test_a_dispute_needs_a_reason(borrower: Client) -> None:
    response = borrower.post("/p/dispute/", {"reason": "  "})

    assert response.status_code == 400 and not Hold.objects.exists()


def test_under_the_china_pack_sms_may_be_closed_and_calls_may_not(
    world: World, borrower: Client
) -> None:
    page = borrower.get("/p/quiet/").content.decode()
    assert 'value="sms"' in page and 'value="call"' not in page

    refused = borrower.post("/p/quiet/", {"channel": "call"})
    borrower.post("/p/quiet/", {"channel": "sms"})
    borrower.post("/p/quiet/", {"channel": "sms"})  # asked twice: one hold

    assert refused.status_code == 400
    hold = Hold.objects.get()
    assert (hold.kind, hold.channel, hold.party_id) == ("opt_out", "sms", world.borrower.pk)
    assert AuditEntry.objects.filter(action="portal.opt_out").count() == 1
    assert "Hold placed: Opted out of a channel" in case_page(world)


def test_under_regulation_f_a_borrower_may_refuse_calls(world: World, borrower: Client) -> None:
    CompliancePolicy.objects.create(creditor=world.case.creditor, pack="us-regf")

    borrower.post("/p/quiet/", {"channel": "call"})

    assert Hold.objects.get().channel == "call"


def test_with_no_open_case_there_is_nothing_to_arrange(world: World, borrower: Client) -> None:
    type(world.case).objects.filter(pk=world.case.pk).update(status="closed")

    response = borrower.get("/p/promise/", follow=True)

    assert "nothing overdue to arrange" in response.content.decode()
    assert not Promise.objects.exists()


def test_the_borrowers_page_costs_the_same_queries_however_many_payments(
    world: World, borrower: Client
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert borrower.get("/p/").status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        Payment.objects.create(
            creditor=world.case.creditor,
            loan=world.case.loan,
            payment_id=f"PAY-{n}",
            paid_on=ON - timedelta(days=n + 1),
            amount=10_000,
        )

    assert count() == before
    assert "100.00" in borrower.get("/p/").content.decode()
