"""Bad input on the API is a 4xx JSON answer naming the field, never a 500 or an HTML page:
the three 500s found by hand (a promise of 10^18 yuan, a contact at 9999-12-31, a
50,000-deep JSON array to the outreach endpoints) and the limits that replaced them."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.models import Activity, CollectionCase, Promise
from arrears.compliance.models import ContactAttempt, ContactRefusal
from arrears.portfolio.models import Party
from tests.api.test_cases_api import bearer
from tests.api.test_cases_api import world as world

pytestmark = pytest.mark.django_db

DEEP = b"[" * 50_000 + b"]" * 50_000


@pytest.fixture
def api(world: dict[str, Any]) -> dict[str, Any]:
    """A client that sees 500s as answers, the collector's token, their case and borrower."""
    case: CollectionCase = world["cases"]["MINE"]
    return {
        "client": Client(raise_request_exception=False),
        "auth": bearer(world["me"]),
        "case": case,
        "party": Party.objects.get(name="张三"),
    }


def post(api: dict[str, Any], path: str, body: Any, **headers: str) -> Any:
    content = body if isinstance(body, bytes) else None
    return api["client"].post(
        path,
        content if content is not None else body,
        content_type="application/json",
        **api["auth"],
        **headers,
    )


def nothing_written() -> bool:
    return not (
        Activity.objects.exists()
        or Promise.objects.exists()
        or ContactAttempt.objects.exists()
        or ContactRefusal.objects.exists()
    )


def test_a_promise_of_ten_to_the_eighteen_yuan_is_refused_by_the_ceiling(
    api: dict[str, Any],
) -> None:
    due = (timezone.localdate() + timedelta(days=3)).isoformat()

    response = post(
        api,
        f"/api/v1/cases/{api['case'].pk}/promises",
        {"party_id": api["party"].pk, "amount": "1" + "0" * 18, "due_on": due},
    )

    assert response.status_code == 400, response.content
    assert response.json()["field"] == "amount" and "ceiling" in response.json()["detail"]
    assert nothing_written()


def test_a_contact_at_9999_12_31_is_a_field_error(api: dict[str, Any]) -> None:
    response = post(
        api,
        f"/api/v1/cases/{api['case'].pk}/contacts",
        {
            "party_id": api["party"].pk,
            "channel": "call",
            "party_reached": "borrower",
            "outcome": "right_party",
            "at": "9999-12-31T10:00:00+08:00",
        },
    )

    assert response.status_code == 422, response.content
    assert response.json()["field"] == "at" and "2100-12-31" in response.json()["detail"]
    assert nothing_written()


@pytest.mark.parametrize("path", ["/api/v1/outreach/receipts/sms", "/api/v1/outreach/inbound/sms"])
def test_a_50000_deep_json_array_to_the_outreach_endpoints_is_refused(
    api: dict[str, Any], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_RECEIPT_SECRET", "s3cret")

    response = api["client"].post(
        path, DEEP, content_type="application/json", HTTP_X_ARREARS_SECRET="s3cret"
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "the JSON is nested deeper than 32 levels",
        "field": "body",
    }


def test_a_deep_body_to_a_case_endpoint_is_refused_the_same_way(api: dict[str, Any]) -> None:
    response = post(api, f"/api/v1/cases/{api['case'].pk}/promises", DEEP)

    assert response.status_code == 400 and response.json()["field"] == "body"


def test_brackets_inside_strings_do_not_count_as_depth(api: dict[str, Any]) -> None:
    # A weekday mid-morning in the debtor's time: the gate's hours are not what is tested, and
    # the wall clock would make this fail whenever CI runs after 22:00 in Shanghai.
    daytime = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with mock.patch.object(timezone, "now", return_value=daytime):
        response = post(
            api,
            f"/api/v1/cases/{api['case'].pk}/contacts",
            {
                "party_id": api["party"].pk,
                "channel": "call",
                "party_reached": "borrower",
                "outcome": "right_party",
                "notes": "[" * 100 + '"{' * 50,
            },
        )

    assert response.status_code == 201, response.content
    assert Activity.objects.get().notes.startswith("[" * 100)


def test_a_body_over_the_limit_is_413_before_it_is_parsed(
    api: dict[str, Any], settings: Any
) -> None:
    settings.ARREARS_API_MAX_BODY_BYTES = 10_000
    notes = "x" * 20_000

    response = post(
        api,
        f"/api/v1/cases/{api['case'].pk}/contacts",
        {"party_id": api["party"].pk, "notes": notes},
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "the body is larger than 10000 bytes", "field": "body"}
    assert nothing_written()


def test_a_schema_violation_names_the_field_and_lists_every_error(api: dict[str, Any]) -> None:
    response = post(
        api,
        f"/api/v1/cases/{api['case'].pk}/promises",
        {"party_id": 10**30, "amount": 5, "due_on": "0001-01-01", "tolerance_days": -1},
    )

    body = response.json()
    assert response.status_code == 422
    assert body["field"] == "party_id" and body["detail"].startswith("party_id: ")
    assert {error["loc"][-1] for error in body["errors"]} == {
        "party_id",
        "amount",
        "due_on",
        "tolerance_days",
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=1000000000000000000000000000000", "page"),
        ("tier=-4", "tier"),
        ("search=a%00b", "search"),
    ],
)
def test_bad_list_parameters_are_field_errors(api: dict[str, Any], query: str, field: str) -> None:
    response = api["client"].get(f"/api/v1/cases/?{query}", **api["auth"])

    assert response.status_code == 422 and response.json()["field"] == field


def test_a_case_id_beyond_64_bits_is_a_field_error(api: dict[str, Any]) -> None:
    response = api["client"].get(f"/api/v1/cases/{10**30}", **api["auth"])

    assert response.status_code == 422 and response.json()["field"] == "case_id"


@pytest.mark.parametrize(
    ("text", "field"),
    [("a\u0000b", "notes"), ("\ud800", "notes")],
)
def test_text_no_database_can_store_is_refused(api: dict[str, Any], text: str, field: str) -> None:
    response = post(
        api,
        f"/api/v1/cases/{api['case'].pk}/contacts",
        {
            "party_id": api["party"].pk,
            "channel": "call",
            "party_reached": "borrower",
            "outcome": "right_party",
            "notes": text,
        },
    )

    assert response.status_code == 400, response.content
    assert response.json()["field"] == "body"
    assert nothing_written()


def test_nan_and_huge_floats_are_not_json_here(api: dict[str, Any]) -> None:
    for raw in (b'{"party_id": NaN}', b'{"party_id": 1e999}'):
        response = post(api, f"/api/v1/cases/{api['case'].pk}/promises", raw)

        assert response.status_code == 400 and response.json()["field"] == "body"


def test_a_time_without_offset_is_the_business_local_time(api: dict[str, Any]) -> None:
    local = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=1)

    response = post(
        api,
        f"/api/v1/cases/{api['case'].pk}/contacts",
        {
            "party_id": api["party"].pk,
            "channel": "call",
            "party_reached": "borrower",
            "outcome": "no_answer",
            "at": local.replace(tzinfo=None).isoformat(),
        },
    )

    assert response.status_code in (201, 409), response.content
    if response.status_code == 201:
        assert Activity.objects.get().at == local


def test_unknown_paths_and_methods_answer_json(api: dict[str, Any]) -> None:
    client = api["client"]

    missing = client.get("/api/v1/nothing/here", **api["auth"])
    wrong_method = client.delete(f"/api/v1/cases/{api['case'].pk}/promises", **api["auth"])
    no_slash = client.get("/api/v1/cases", **api["auth"])

    assert missing.status_code == 404 and missing.json() == {"detail": "no such endpoint"}
    assert wrong_method.status_code == 405 and "detail" in wrong_method.json()
    assert no_slash.status_code == 308 and no_slash["Location"] == "/api/v1/cases/"


def test_an_unexpected_failure_is_a_json_500_whose_log_holds_no_personal_data(
    api: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    phone, id_number = "13800138000", "110101199003077777"

    def broken(**kwargs: object) -> None:
        raise RuntimeError(f"borrower {phone} id {id_number}")

    monkeypatch.setattr("arrears.api.cases.promise_create", broken)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()

    with caplog.at_level(logging.ERROR, logger="arrears.api"):
        response = post(
            api,
            f"/api/v1/cases/{api['case'].pk}/promises",
            {"party_id": api["party"].pk, "amount": "10.00", "due_on": due},
        )

    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    logged = caplog.text
    assert "RuntimeError" in logged and "promise_add" in logged
    assert phone not in logged and id_number not in logged


def test_a_refused_promise_with_a_session_leaves_no_row(world: dict[str, Any]) -> None:
    user: User = world["me"]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    case: CollectionCase = world["cases"]["MINE"]
    party = Party.objects.get(name="张三")

    response = client.post(
        f"/api/v1/cases/{case.pk}/promises",
        {"party_id": party.pk, "amount": "-5.00", "due_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 400 and response.json()["field"] == "amount"
    assert nothing_written()


def test_an_offset_postgresql_cannot_store_is_read_in_the_business_zone(
    api: dict[str, Any],
) -> None:
    local = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=1)
    far_offset = local.astimezone(timezone.get_fixed_timezone(-(23 * 60 + 59)))

    response = post(
        api,
        f"/api/v1/cases/{api['case'].pk}/contacts",
        {
            "party_id": api["party"].pk,
            "channel": "call",
            "party_reached": "borrower",
            "outcome": "no_answer",
            "at": far_offset.isoformat(),
        },
    )

    assert response.status_code in (201, 409), response.content
    if response.status_code == 201:
        assert Activity.objects.get().at == local
