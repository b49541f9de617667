"""`arrears demo`: a realistic portfolio that later features have data to show."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from arrears.accounts.models import User
from arrears.portfolio.models import Loan, LoanParty, Party, Payment
from arrears.portfolio.selectors import loan_state

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


def test_the_demo_is_not_loaded_twice_with_if_empty() -> None:
    call_command("demo", "--loans", "20", stdout=StringIO())
    out = StringIO()

    call_command("demo", "--loans", "20", "--if-empty", stdout=out)

    assert Loan.objects.count() == 20
    assert "already loaded" in out.getvalue()
