"""``POST /api/v1/cases/{id}/plans``: a repayment plan requested over the API goes through
the same service, scope and capability as the case page's, with the same bounds — a plan
starting 9999-12-31 was a 500 — and once per Idempotency-Key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase, RepaymentPlan
from arrears.portfolio.models import Creditor
from tests.api.test_cases_api import bearer
from tests.api.test_cases_api import world as world  # a fixture

pytestmark = pytest.mark.django_db


def plan_post(client: Client, case: CollectionCase, auth: dict[str, str], **fields: Any) -> Any:
    body = {
        "total": "3,000.00",
        "down_payment": "300.00",
        "installments": 3,
        "start_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "reason": "lost job, new one from next month",
        **fields,
    }
    return client.post(
        f"/api/v1/cases/{case.pk}/plans", body, content_type="application/json", **auth
    )


@pytest.fixture
def mine(world: dict[str, Any]) -> CollectionCase:
    return world["cases"]["MINE"]  # type: ignore[no-any-return]


def test_a_collector_requests_a_plan_with_its_installments(
    world: dict[str, Any], mine: CollectionCase, client: Client
) -> None:
    response = plan_post(client, mine, bearer(world["me"]))

    assert response.status_code == 201, response.content
    answer = response.json()
    plan = RepaymentPlan.objects.get(pk=answer["plan_id"])
    assert plan.case_id == mine.pk and plan.total == 300_000
    assert answer["status"] == plan.status
    # Line 0 is the down payment, then the three monthly installments.
    assert [line["number"] for line in answer["installments"]] == [0, 1, 2, 3]
    assert answer["installments"][0]["amount"] == "300.00"


def test_a_plan_starting_9999_12_31_is_a_field_error_not_a_500(
    world: dict[str, Any], mine: CollectionCase
) -> None:
    client = Client(raise_request_exception=False)

    far = plan_post(client, mine, bearer(world["me"]), start_on="9999-12-31")
    next_year = plan_post(
        client,
        mine,
        bearer(world["me"]),
        start_on=(timezone.localdate() + timedelta(days=400)).isoformat(),
    )

    assert far.status_code == 422 and far.json()["field"] == "start_on"
    assert next_year.status_code == 400 and next_year.json()["field"] == "start_on"
    assert not RepaymentPlan.objects.exists()


def test_an_amount_beyond_the_ceiling_is_refused(
    world: dict[str, Any], mine: CollectionCase
) -> None:
    response = plan_post(Client(), mine, bearer(world["me"]), total="1" + "0" * 18)

    assert response.status_code == 400 and response.json()["field"] == "total"
    assert not RepaymentPlan.objects.exists()


def test_scope_and_capability_are_those_of_the_page(
    world: dict[str, Any], mine: CollectionCase, creditor: Creditor, client: Client
) -> None:
    auditor = User.objects.create_user("auditor", role="compliance_auditor")
    auditor.creditors.add(creditor)

    outsider = plan_post(client, mine, bearer(world["outsider"]))
    refused = plan_post(client, mine, bearer(auditor))

    assert outsider.status_code == 404 and refused.status_code == 403
    assert not RepaymentPlan.objects.exists()


def test_the_same_plan_with_its_key_is_made_once(
    world: dict[str, Any], mine: CollectionCase, client: Client
) -> None:
    auth = {**bearer(world["me"]), "HTTP_IDEMPOTENCY_KEY": "plan-1"}

    first = plan_post(client, mine, auth)
    again = plan_post(client, mine, auth)

    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert RepaymentPlan.objects.count() == 1
