"""The cases API: scoped like the workbench (another team's case is 404), masked, and
recording goes through the same services and compliance gate as the page."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.accounts.services import api_token_create
from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.compliance.models import ContactRefusal
from arrears.portfolio.models import Creditor, Party
from tests.factories import loan_row
from tests.workbench.test_queue import SHANGHAI, assign, build_cases, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(creditor: Creditor, tmp_path: Path) -> dict[str, object]:
    cases = build_cases(
        creditor,
        tmp_path,
        [loan_row("MINE", borrower_name="张三"), loan_row("THEIRS", borrower_name="李四")],
    )
    team, me, other = people(creditor)
    assign(cases["MINE"], team, me)
    outsider = User.objects.create_user("stranger", role="collector")
    return {"cases": cases, "me": me, "other": other, "outsider": outsider}


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(user=user, name="t")[1]}


def test_the_list_holds_only_the_callers_cases_with_amounts_in_yuan(
    world: dict[str, object], client: Client
) -> None:
    answer = client.get("/api/v1/cases/", **bearer(world["me"])).json()  # type: ignore[arg-type]

    assert [row["loan_id"] for row in answer["results"]] == ["MINE"]
    assert answer["count"] == 1 and "." in answer["results"][0]["overdue"]


def test_another_teams_case_is_not_found_and_its_detail_is_never_shown(
    world: dict[str, object], client: Client
) -> None:
    mine: CollectionCase = world["cases"]["MINE"]  # type: ignore[index]

    assert client.get(f"/api/v1/cases/{mine.pk}", **bearer(world["outsider"])).status_code == 404  # type: ignore[arg-type]
    detail = client.get(f"/api/v1/cases/{mine.pk}", **bearer(world["me"])).json()  # type: ignore[arg-type]
    assert detail["loan_id"] == "MINE" and detail["status"] == "open" and detail["dpd"] > 0
    borrower = next(p for p in detail["parties"] if p["role"] == "borrower")
    assert "*" in borrower["id_number"], "ID numbers are masked"


def test_a_contact_with_a_promise_is_recorded_and_sealed(
    world: dict[str, object], client: Client
) -> None:
    mine: CollectionCase = world["cases"]["MINE"]  # type: ignore[index]
    party = Party.objects.get(name="张三")
    at = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)

    with mock.patch.object(timezone, "now", return_value=at + timedelta(hours=1)):
        response = client.post(
            f"/api/v1/cases/{mine.pk}/contacts",
            {
                "party_id": party.pk,
                "channel": "call",
                "party_reached": "borrower",
                "outcome": "promise",
                "reason": "cash_flow",
                "at": at.isoformat(),
                "promise_amount": "1,500.00",
                "promise_due_on": (at.date() + timedelta(days=3)).isoformat(),
            },
            content_type="application/json",
            **bearer(world["me"]),  # type: ignore[arg-type]
        )

    assert response.status_code == 201, response.content
    activity = Activity.objects.get(pk=response.json()["activity_id"])
    assert activity.sha256 == response.json()["sha256"] and activity.reason == "cash_flow"
    assert Promise.objects.get(pk=response.json()["promise_id"]).amount == 1_500_00


def test_a_contact_the_gate_refuses_answers_409_with_the_reasons(
    world: dict[str, object], client: Client
) -> None:
    mine: CollectionCase = world["cases"]["MINE"]  # type: ignore[index]
    party = Party.objects.get(name="张三")

    late_evening = datetime(2026, 3, 10, 23, 30, tzinfo=SHANGHAI)

    with mock.patch.object(timezone, "now", return_value=late_evening):
        response = client.post(
            f"/api/v1/cases/{mine.pk}/contacts",
            {
                "party_id": party.pk,
                "channel": "call",
                "party_reached": "borrower",
                "outcome": "right_party",
            },
            content_type="application/json",
            **bearer(world["me"]),  # type: ignore[arg-type]
        )

    assert response.status_code == 409
    assert response.json()["reasons"] and response.json()["next_allowed_at"]
    assert Activity.objects.count() == 0 and ContactRefusal.objects.count() == 1


def test_bad_input_names_the_field_and_an_auditor_may_not_record(
    world: dict[str, object], client: Client, creditor: Creditor
) -> None:
    mine: CollectionCase = world["cases"]["MINE"]  # type: ignore[index]
    party = Party.objects.get(name="张三")

    bad = client.post(
        f"/api/v1/cases/{mine.pk}/promises",
        {"party_id": party.pk, "amount": "lots", "due_on": "2099-01-01"},
        content_type="application/json",
        **bearer(world["me"]),  # type: ignore[arg-type]
    )
    auditor = User.objects.create_user("auditor", role="compliance_auditor")
    auditor.creditors.add(creditor)
    refused = client.post(
        f"/api/v1/cases/{mine.pk}/promises",
        {"party_id": party.pk, "amount": "10.00", "due_on": "2099-01-01"},
        content_type="application/json",
        **bearer(auditor),
    )

    assert bad.status_code == 400 and bad.json()["field"] == "amount"
    assert refused.status_code == 403
    assert Promise.objects.count() == 0
