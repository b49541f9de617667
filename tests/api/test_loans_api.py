"""`GET /api/v1/loans/{loan_id}`: the loan report over HTTP, with session or token auth."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from arrears.accounts.models import User
from arrears.accounts.services import api_token_create
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(creditor: Creditor, tmp_path: Path) -> Creditor:
    tape_ingest(
        creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [loan_row("W1")])
    )
    tape_ingest(
        creditor=creditor,
        kind="payments",
        path=write_csv(tmp_path / "p.csv", [payment_row("P1", "W1", "2026-03-05", "5000")]),
    )
    return creditor


@pytest.fixture
def token() -> str:
    user = User.objects.create_superuser("ops", password="a-long-unique-pass")
    return api_token_create(user=user, name="test")[1]


def test_a_token_reads_the_loan_on_a_date(loaded: Creditor, token: str, client: Client) -> None:
    response = client.get("/api/v1/loans/W1?as_of=2026-03-05", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    body = response.json()
    assert (body["dpd"], body["penalty_accrued"], body["overdue"]["principal"]) == (
        5,
        "21.76",
        "5680.77",
    )


def test_a_signed_in_user_reads_it_with_the_session(loaded: Creditor, client: Client) -> None:
    client.force_login(User.objects.create_superuser("boss", password="a-long-unique-pass"))

    assert client.get("/api/v1/loans/W1?as_of=2026-04-01").json()["bucket"] == "M2"


def test_without_credentials_the_answer_is_401(loaded: Creditor, client: Client) -> None:
    assert client.get("/api/v1/loans/W1").status_code == 401
    assert client.get("/api/v1/loans/W1", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_a_loan_outside_the_callers_scope_answers_as_a_missing_one(
    loaded: Creditor, client: Client
) -> None:
    # A collector with no case sees no loan: 404, the words a missing loan gets (issue 15).
    plain = User.objects.create_user("clerk", password="a-long-unique-pass")
    raw = api_token_create(user=plain, name="t")[1]

    response = client.get("/api/v1/loans/W1", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 404
    assert response.json() == {"detail": "loan 'W1' not found"}


def test_an_unknown_loan_is_404(loaded: Creditor, token: str, client: Client) -> None:
    response = client.get("/api/v1/loans/NOPE", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 404
    assert response.json() == {"detail": "loan 'NOPE' not found"}


def test_a_bad_date_is_a_field_error_not_a_500(
    loaded: Creditor, token: str, client: Client
) -> None:
    response = client.get("/api/v1/loans/W1?as_of=31/02/2026", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 422
    assert "as_of" in str(response.json())


def test_the_openapi_document_describes_the_loan_endpoint(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()

    assert "/api/v1/loans/{loan_id}" in spec["paths"]
