"""The pages' forms refuse out-of-bounds values with an error on the field, never a 500, and
write nothing: amounts above the ceiling, dates outside 1900–2100 or beyond a horizon, ids
no key can hold. Posted through the real pages as the case's collector."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from arrears.cases.models import Activity, Promise, RepaymentPlan, Settlement
from arrears.compliance.models import Hold
from arrears.portfolio.models import Creditor, LoanParty
from tests.cases.test_plans import World, make_world

pytestmark = pytest.mark.django_db

DATE_RANGE = "the date must be between 1900-01-01 and 2100-12-31"
CEILING = "the amount is above the ceiling of 10,000,000,000 yuan"


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> World:
    return make_world(creditor, tmp_path, loan_id="B1")


def collector(world: World) -> Client:
    client = Client()
    client.force_login(world.collector)
    return client


def written() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Activity, Promise, RepaymentPlan, Settlement, Hold)
    )


def borrower_id(world: World) -> int:
    return LoanParty.objects.get(loan=world.case.loan, role="borrower").party_id


def plan_form(**extra: str) -> dict[str, str]:
    form = {
        "total": "1,000.00",
        "down_payment": "30%",
        "installments": "6",
        "start_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "tolerance_days": "3",
        "reason": "cash-flow shortage",
        "request": "1",
    }
    form.update(extra)
    return form


def shows(response: object, field: str, message: str) -> bool:
    form = response.context["form"]  # type: ignore[attr-defined]
    return message in form.errors.get(field, []) and escape(message) in response.content.decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start_on", "9999-12-31", DATE_RANGE),
        ("start_on", "1800-01-01", DATE_RANGE),
        ("total", "10000000000000000", CEILING),
        ("down_payment", "99999999999999", CEILING),
        ("down_payment", "-5", "the amount may not be negative"),
        ("down_payment", "1e999%", "enter an amount in yuan or a percentage such as 30%"),
        (
            "installments",
            "99999999999999999999999",
            "Ensure this value is less than or equal to 60.",
        ),
    ],
)
def test_a_plan_out_of_bounds_is_a_form_error_and_saves_nothing(
    world: World, field: str, value: str, message: str
) -> None:
    before = written()

    response = collector(world).post(
        f"/cases/{world.case.pk}/plans/new/", plan_form(**{field: value})
    )

    assert response.status_code == 200
    assert shows(response, field, message)
    assert written() == before


def test_a_plan_starting_beyond_a_year_is_refused(world: World) -> None:
    start = timezone.localdate() + timedelta(days=400)

    response = collector(world).post(
        f"/cases/{world.case.pk}/plans/new/", plan_form(start_on=start.isoformat())
    )

    latest = timezone.localdate() + timedelta(days=366)
    assert shows(response, "start_on", f"the date may be at most 366 days ahead (until {latest})")
    assert not RepaymentPlan.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("waive_penalty", "92,233,720,368,547,758.07", CEILING),
        ("pay_amount", "1" * 30, CEILING),
        ("pay_by", "9999-12-31", DATE_RANGE),
    ],
)
def test_a_settlement_out_of_bounds_is_a_form_error(
    world: World, field: str, value: str, message: str
) -> None:
    form = {"pay_amount": "100", "pay_by": timezone.localdate().isoformat(), "reason": "r"}
    form[field] = value

    response = collector(world).post(f"/cases/{world.case.pk}/settlements/new/", form)

    assert response.status_code == 200
    assert shows(response, field, message)
    assert not Settlement.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "1000000000000000000", CEILING),
        ("due_on", "9999-12-31", DATE_RANGE),
        ("party", str(10**30), "Ensure this value is less than or equal to 9223372036854775807."),
    ],
)
def test_a_promise_out_of_bounds_is_a_form_error(
    world: World, field: str, value: str, message: str
) -> None:
    form = {
        "party": str(borrower_id(world)),
        "amount": "100",
        "due_on": timezone.localdate().isoformat(),
        "tolerance_days": "2",
    }
    form[field] = value

    response = collector(world).post(f"/cases/{world.case.pk}/promises/", form)

    assert response.status_code == 400  # the case page answers a refused form with 400
    form_errors = response.context["promise_form"].errors
    assert message in form_errors[field]
    assert not Promise.objects.exists()


def test_a_promise_beyond_the_policy_horizon_is_refused_on_its_field(world: World) -> None:
    due = timezone.localdate() + timedelta(days=91)

    response = collector(world).post(
        f"/cases/{world.case.pk}/promises/",
        {"party": borrower_id(world), "amount": "100", "due_on": due, "tolerance_days": "2"},
    )

    latest = timezone.localdate() + timedelta(days=90)
    assert response.context["promise_form"].errors["due_on"] == [
        f"the date may be at most 90 days ahead (until {latest})"
    ]
    assert not Promise.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("next_follow_up_at", "9999-12-31T23:59", DATE_RANGE),
        ("promise_amount", "1" * 25, CEILING),
        ("promise_due_on", "0001-01-01", DATE_RANGE),
        ("contact_point", "-1", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_contact_out_of_bounds_is_a_form_error(
    world: World, field: str, value: str, message: str
) -> None:
    form = {
        "channel": "call",
        "party": str(borrower_id(world)),
        "party_reached": "borrower",
        "outcome": "promise",
        "promise_amount": "100",
        "promise_due_on": timezone.localdate().isoformat(),
    }
    form[field] = value

    response = collector(world).post(f"/cases/{world.case.pk}/contacts/", form)

    assert response.status_code == 400
    assert message in response.context["contact_form"].errors[field]
    assert not Activity.objects.exists() and not Promise.objects.exists()
