"""``POST /api/v1/payments``: every answer of the contract. A token with ``payments:write``
posts a payment once per Idempotency-Key (201, then 200 with the same body; 409 for the
key with another body); bad values are 400 naming the field, a loan outside the caller's
creditors 404, no scope 403, no credentials 401, a malformed body 422, a huge one 413.
The effects on the day's work and the cycle: test_payments_effects.py; fifty posts at
once: test_payments_served.py."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from arrears.accounts.models import User
from arrears.accounts.services import api_token_create
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Allocation, Creditor, Loan, Payment
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments"
PASSWORD = "a-long-unique-pass"


def scoped_token(user: User, *scopes: str) -> str:
    """A token made the way an operator makes one: ``arrears token create``."""
    out = StringIO()
    args = [arg for scope in scopes for arg in ("--scope", scope)]
    call_command("token", "create", user.username, *args, stdout=out)
    return out.getvalue().strip()


def book_loans(creditor: Creditor, tmp_path: Path, *loan_ids: str) -> None:
    """Loans disbursed 45 days ago: the first installment is overdue today."""
    disbursed = (timezone.localdate() - timedelta(days=45)).isoformat()
    rows = [loan_row(loan_id, disbursed_on=disbursed) for loan_id in loan_ids]
    name = f"{creditor.pk}-{loan_ids[0]}.csv"
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / name, rows))


@pytest.fixture
def manager(creditor: Creditor, tmp_path: Path) -> User:
    book_loans(creditor, tmp_path, "L-1", "L-2")
    user = User.objects.create_user("boss", password=PASSWORD, role="manager")
    user.creditors.add(creditor)
    return user


@pytest.fixture
def post(manager: User, client: Client) -> Any:
    token = scoped_token(manager, "payments:write")

    def send(body: dict[str, Any] | str, key: str | None = "k-1") -> Any:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if key is not None:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        raw = body if isinstance(body, str) else json.dumps(body)
        return client.post(URL, raw, content_type="application/json", **extra)

    return send


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "payment_id": "P-1",
        "loan_id": "L-1",
        "amount": "100.50",
        "paid_on": timezone.localdate().isoformat(),
        "channel": "bank",
    }
    values.update(changes)
    return values


def test_the_first_post_records_the_payment_and_answers_201(post: Any) -> None:
    answer = post(body())

    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert {k: data[k] for k in ("payment_id", "loan_id", "amount", "channel", "status")} == {
        "payment_id": "P-1",
        "loan_id": "L-1",
        "amount": "100.50",
        "channel": "bank",
        "status": "posted",
    }
    assert data["paid_on"] == timezone.localdate().isoformat()
    assert data["loan"]["dpd"] > 0 and data["loan"]["as_of"] == timezone.localdate().isoformat()
    payment = Payment.objects.get()
    assert (payment.amount, payment.loan.loan_id) == (10_050, "L-1")
    assert Allocation.objects.filter(payment=payment).exists(), "allocated at once"
    assert AuditEntry.objects.filter(action="payment.post").count() == 1


def test_the_same_key_and_body_answer_200_with_the_same_body(post: Any) -> None:
    first = post(body())
    again = post(body(amount=100.5))  # the same amount, written as a number

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1


def test_the_same_key_with_another_body_is_409(post: Any) -> None:
    post(body())

    answer = post(body(amount="100.51"))

    assert answer.status_code == 409
    assert answer.json()["field"] == "Idempotency-Key"
    assert Payment.objects.get().amount == 10_050


def test_a_post_without_an_idempotency_key_is_400(post: Any) -> None:
    answer = post(body(), key=None)

    assert answer.status_code == 400
    assert answer.json()["field"] == "Idempotency-Key"
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "amount",
    [
        "0",
        0,
        "-5",
        -5,
        "100.555",
        100.555,
        "1e3",
        "twelve",
        "",
        True,
        None,
        "10000000000.01",  # above the ceiling of ten billion yuan
        "9" * 5000,
    ],
)
def test_an_amount_that_is_not_positive_yuan_in_fen_is_400(post: Any, amount: Any) -> None:
    answer = post(body(amount=amount))

    assert answer.status_code == 400, answer.json()
    assert answer.json()["field"] == "amount"
    assert not Payment.objects.exists()


def test_an_amount_in_exponent_form_is_400_even_as_a_json_number(post: Any) -> None:
    answer = post(json.dumps(body()).replace('"100.50"', "1e2"))

    assert answer.status_code == 400, answer.json()
    assert answer.json()["field"] == "amount" and "exponent" in answer.json()["detail"]


def test_plain_amounts_as_strings_or_numbers_are_taken_exactly(post: Any) -> None:
    for number, amount in enumerate(["0.01", 7, 0.1, "1234567.89", 100.5]):
        assert (
            post(body(payment_id=f"P-{number}", amount=amount), key=f"k{number}").status_code == 201
        )

    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        1,
        10,
        700,
        10_050,
        123_456_789,
    ]


def test_a_day_in_the_future_or_before_disbursement_is_400(post: Any) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    early = timezone.localdate() - timedelta(days=60)

    future = post(body(paid_on=tomorrow.isoformat()), key="k-f")
    before = post(body(paid_on=early.isoformat()), key="k-b")

    assert (future.status_code, future.json()["field"]) == (400, "paid_on")
    assert "future" in future.json()["detail"]
    assert (before.status_code, before.json()["field"]) == (400, "paid_on")
    assert "before the loan was disbursed" in before.json()["detail"]


def test_an_unknown_loan_or_another_creditors_loan_is_404(post: Any, tmp_path: Path) -> None:
    stranger = Creditor.objects.create(name="别家小贷")
    book_loans(stranger, tmp_path, "THEIRS")

    unknown = post(body(loan_id="NOPE"), key="k-u")
    theirs = post(body(loan_id="THEIRS"), key="k-t")

    assert unknown.status_code == 404 and theirs.status_code == 404
    assert theirs.json() == {"detail": "loan 'THEIRS' not found"}


def test_a_loan_id_at_two_of_the_callers_creditors_asks_for_the_creditor(
    post: Any, manager: User, tmp_path: Path
) -> None:
    second = Creditor.objects.create(name="第二小贷")
    book_loans(second, tmp_path, "L-1")
    manager.creditors.add(second)

    ambiguous = post(body(), key="k-a")
    named = post(body(creditor="第二小贷"), key="k-n")

    assert (ambiguous.status_code, ambiguous.json()["field"]) == (400, "creditor")
    assert named.status_code == 201 and named.json()["creditor"] == "第二小贷"
    assert Payment.objects.get().creditor == second


def test_the_same_payment_under_another_key_is_unchanged_and_other_content_refused(
    post: Any,
) -> None:
    post(body())

    same = post(body(), key="k-2")
    other = post(body(amount="99.00"), key="k-3")

    assert same.status_code == 200 and same.json()["status"] == "unchanged"
    assert (other.status_code, other.json()["field"]) == (400, "payment_id")
    assert "already recorded with different content" in other.json()["detail"]
    assert Payment.objects.count() == 1


def test_without_credentials_the_answer_is_401(manager: User, client: Client) -> None:
    answer = client.post(
        URL, json.dumps(body()), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert answer.status_code == 401


def test_a_token_without_the_scope_or_a_session_is_403_naming_the_scope(
    manager: User, client: Client
) -> None:
    plain = api_token_create(user=manager, name="old")[1]

    by_token = client.post(
        URL,
        json.dumps(body()),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    client.force_login(manager)
    by_session = client.post(
        URL, json.dumps(body()), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert (by_token.status_code, by_session.status_code) == (403, 403)
    assert "payments:write" in by_token.json()["detail"]
    assert "payments:write" in by_session.json()["detail"]
    assert not Payment.objects.exists()


def test_a_scoped_token_of_a_role_without_a_portfolio_is_403(manager: User, client: Client) -> None:
    collector = User.objects.create_user("caller", password=PASSWORD, role="collector")

    answer = client.post(
        URL,
        json.dumps(body()),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {scoped_token(collector, 'payments:write')}",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert answer.status_code == 403


def test_an_administrator_posts_to_any_creditors_loan(manager: User, client: Client) -> None:
    admin = User.objects.create_superuser("root", password=PASSWORD)

    answer = client.post(
        URL,
        json.dumps(body()),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {scoped_token(admin, 'payments:write')}",
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert answer.status_code == 201


def test_a_body_that_does_not_match_the_schema_is_422(post: Any) -> None:
    bad_day = post(body(paid_on="2026-13-01"))
    missing = post({k: v for k, v in body().items() if k != "loan_id"}, key="k-m")

    assert (bad_day.status_code, bad_day.json()["field"]) == (422, "paid_on")
    assert (missing.status_code, missing.json()["field"]) == (422, "loan_id")


def test_a_body_over_the_limit_is_413(post: Any, settings: Any) -> None:
    settings.ARREARS_API_MAX_BODY_BYTES = 100

    answer = post(body(channel="x" * 60))

    assert answer.status_code == 413
    assert not Payment.objects.exists()


def test_the_openapi_schema_declares_every_answer(manager: User, client: Client) -> None:
    client.force_login(User.objects.create_superuser("reader", password=PASSWORD))
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"][URL]["post"]

    assert set(operation["responses"]) == {
        "200",
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    }
    assert operation["security"] == [{"BearerToken": []}]
    parameters = schema["components"]["schemas"]["PaymentIn"]["properties"]
    assert {"payment_id", "loan_id", "amount", "paid_on", "channel"} <= set(parameters)


def test_loan_ids_are_found_per_creditor_and_posting_stamps_the_loan(post: Any) -> None:
    before = Loan.objects.get(loan_id="L-1").payments_version

    post(body())

    assert Loan.objects.get(loan_id="L-1").payments_version == before + 1
    assert Loan.objects.get(loan_id="L-2").payments_version == 0
