"""`arrears demo`: a realistic portfolio that later features have data to show."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.models import Activity, CollectionCase, Promise, RepaymentPlan, Settlement
from arrears.compliance.models import ContactAttempt, Hold
from arrears.portfolio.models import Loan, LoanParty, Party, Payment
from arrears.portfolio.selectors import loan_state
from arrears.strategy.models import CaseStrategy, PlannedAction
from arrears.workbench.selectors.queue import queue_for

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_mixed_portfolio_where_some_loans_fall_behind() -> None:
    out = StringIO()
    call_command("demo", "--loans", "300", stdout=out)

    assert "0 rejected" in out.getvalue() and "Demo login: demo / arrears-demo" in out.getvalue()
    assert Loan.objects.count() == 300
    assert set(Loan.objects.values_list("repayment_method", flat=True)) == {
        "annuity",
        "equal_principal",
        "interest_only",
        "bullet",
    }
    assert Payment.objects.exists()
    assert Party.objects.filter(kind="company").exists()
    roles = set(LoanParty.objects.values_list("role", flat=True))
    assert {"borrower", "guarantor", "co_borrower", "counter_guarantor", "contact_person"} <= roles
    today = timezone.localdate()
    states = [loan_state(loan, as_of=today) for loan in Loan.objects.all()]
    behind = [state for state in states if state.dpd > 0]
    assert 0.08 <= len(behind) / len(states) <= 0.30
    assert len({state.bucket for state in behind}) >= 3
    assert User.objects.get(username="demo").check_password("arrears-demo")
    # The last week is closed: cases on their playbooks, today's plan, contacts on record.
    open_cases = CollectionCase.objects.filter(status="open")
    assert open_cases.count() == sum(1 for state in behind if state.dpd >= 1)
    assert CaseStrategy.objects.filter(case__in=open_cases).count() == open_cases.count()
    assert PlannedAction.objects.filter(business_date=today, status="queued").exists()
    assert ContactAttempt.objects.filter(by="demo collector").exists()
    disputed = Hold.objects.get(kind="dispute").party
    assert not PlannedAction.objects.filter(
        party=disputed, business_date=today, status="queued"
    ).exists()
    audit = StringIO()
    call_command(
        "compliance", "audit", "--from", str(today - timedelta(days=6)), "--to", str(today),
        "--json", stdout=audit,
    )  # fmt: skip
    assert json.loads(audit.getvalue()) == {"breaches": []}


def test_the_demo_is_not_loaded_twice_with_if_empty() -> None:
    call_command("demo", "--loans", "20", stdout=StringIO())
    out = StringIO()

    call_command("demo", "--loans", "20", "--if-empty", stdout=out)

    assert Loan.objects.count() == 20
    assert "already loaded" in out.getvalue()


def test_the_demo_department_has_work_on_its_desks(client: Client) -> None:
    call_command("demo", "--loans", "400", stdout=StringIO())
    today = timezone.localdate()

    names = set(User.objects.values_list("username", flat=True))
    assert {
        "collector1", "collector2", "fieldagent", "lead", "manager", "legal", "auditor", "admin",
    } <= names  # fmt: skip
    for name in names:
        assert User.objects.get(username=name).check_password("arrears-demo")
    # The cycle shared the cases out, and collector1's queue opens with promises.
    assert CollectionCase.objects.filter(assignee__username="collector1").exists()
    assert CollectionCase.objects.filter(assignee__username="fieldagent").exists()
    assert Promise.objects.filter(status="broken", by__username="collector1").exists()
    assert Promise.objects.filter(status="open", due_on=today).exists()
    assert Activity.objects.filter(outcome="wrong_number").exists()
    assert RepaymentPlan.objects.filter(status="pending").exists()
    assert Settlement.objects.filter(status="pending").exists()
    assert client.login(username="collector1", password="arrears-demo")
    first = queue_for(user=User.objects.get(username="collector1"), on=today)[0]
    assert first.tier == 1
    client.logout()
    assert client.login(username="lead", password="arrears-demo")
    approvals = client.get("/approvals/").content.decode()
    assert 'data-testid="approve-plan"' in approvals
    verify = StringIO()
    call_command("audit", "verify", stdout=verify)
    assert "intact" in verify.getvalue()
