"""The providers' endpoints take their secret only in a header (a secret in a URL lands in
access logs), a URL-only provider a token in the path, and bodies that would break the
parser are refused with JSON, never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

RECEIPTS = "/api/v1/outreach/receipts/sms"
INBOUND = "/api/v1/outreach/inbound/sms"


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARREARS_RECEIPT_SECRET", "s3cret")
    monkeypatch.setenv("ARREARS_RECEIPT_PATH_TOKEN", "p4th-token")


def post(client: Client, url: str, body: object, **headers: str) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize("url", [RECEIPTS, INBOUND])
def test_a_secret_in_the_query_string_is_refused_even_when_right(client: Client, url: str) -> None:
    body = {"from": "13800000000", "text": "hi"} if url == INBOUND else []

    in_url = post(client, f"{url}?secret=s3cret", body)
    both = post(client, f"{url}?secret=s3cret", body, **{"X-Arrears-Secret": "s3cret"})
    in_header = post(client, url, body, **{"X-Arrears-Secret": "s3cret"})
    wrong = post(client, url, body, **{"X-Arrears-Secret": "nope"})

    assert (in_url.status_code, both.status_code, wrong.status_code) == (403, 403, 403)
    assert "X-Arrears-Secret" in in_url.json()["detail"]
    assert in_header.status_code == 200


def test_a_url_only_provider_uses_the_path_token(client: Client) -> None:
    reports = [{"biz_id": "1^0", "phone_number": "13800000000", "success": True, "out_id": ""}]

    taken = post(
        client, f"/api/v1/outreach/p/p4th-token{RECEIPTS.removeprefix('/api/v1/outreach')}", reports
    )
    wrong = post(client, "/api/v1/outreach/p/guess/receipts/sms", reports)
    header_secret = post(client, "/api/v1/outreach/p/s3cret/receipts/sms", reports)

    assert taken.status_code == 200 and taken.json()["unmatched"] == 1
    assert wrong.status_code == 403 and header_secret.status_code == 403


def test_a_50000_deep_array_and_a_huge_body_are_refused_with_json(client: Client) -> None:
    deep = b"[" * 50_000 + b"]" * 50_000
    huge = b'["' + b"x" * (3 * 1024 * 1024) + b'"]'
    secret = {"X-Arrears-Secret": "s3cret"}

    answers = [
        client.post(url, data=body, content_type="application/json", headers=secret)
        for url in (RECEIPTS, INBOUND)
        for body in (deep, huge, b"{not json")
    ]

    assert [a.status_code for a in answers] == [400, 413, 400] * 2
    assert all(a["Content-Type"].startswith("application/json") for a in answers)
    assert all(a.json()["field"] == "body" for a in answers)
