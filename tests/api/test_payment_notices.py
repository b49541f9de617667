"""`POST /api/v1/payments/notify/<provider>`: signed payment notices from providers, posted
once to the loan they name or kept for reconciliation.

The generic provider signs its JSON body with HMAC-SHA256 (``X-Arrears-Signature``);
Alipay's notices come from a local fake (tests/fakes/alipay.py) that signs with its own
RSA key exactly as Alipay does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor, Loan, Payment, PaymentNotice
from arrears.portfolio.services import tape_ingest
from arrears.portfolio.services.notices import NoticeIn, notice_record
from tests.factories import loan_row, payment_row, write_csv
from tests.fakes.alipay import FakeAlipay

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-webhook-secret"
GENERIC = "/api/v1/payments/notify/generic"
ALIPAY = "/api/v1/payments/notify/alipay"
SIGNATURE = "X-Arrears-Signature"


@pytest.fixture
def client() -> Client:
    """A provider's client: no session, and CSRF checked as for any outside caller."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture(scope="module")
def fake() -> FakeAlipay:
    return FakeAlipay()


@pytest.fixture
def configured(settings: Any, fake: FakeAlipay) -> None:
    settings.ARREARS_PAYMENT_WEBHOOK_SECRET = SECRET
    settings.ARREARS_ALIPAY_PUBLIC_KEY = fake.public_key_pem
    settings.ARREARS_ALIPAY_APP_ID = fake.app_id


@pytest.fixture
def loans(creditor: Creditor, tmp_path: Path, configured: None) -> Creditor:
    rows = [loan_row("L-1"), loan_row("L-2"), loan_row("CLOSED-1")]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    Loan.objects.filter(loan_id="CLOSED-1").update(status="closed")
    return creditor


def yesterday_at_ten() -> datetime:
    """Yesterday 10:00 Beijing time: paid, not in the future, after the loans' disbursement."""
    day = timezone.localdate() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.get_current_timezone())


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def generic_body(**overrides: Any) -> bytes:
    notice = {
        "transaction_id": "T-1001",
        "loan_id": "L-1",
        "amount": "1234.50",
        "paid_at": yesterday_at_ten().isoformat(),
        **overrides,
    }
    return json.dumps(notice).encode()


def post_generic(client: Client, body: bytes, signature: str | None = None) -> Any:
    headers = {} if signature == "" else {SIGNATURE: signature or signed(body)}
    return client.post(GENERIC, body, content_type="application/json", headers=headers)


def post_alipay(client: Client, fake: FakeAlipay, fields: dict[str, str]) -> Any:
    return client.post(ALIPAY, fake.body(fields), content_type="application/x-www-form-urlencoded")


# The generic provider.


def test_a_signed_notice_is_accepted_and_a_resend_is_a_duplicate(
    loans: Creditor, client: Client
) -> None:
    body = generic_body()

    first = post_generic(client, body)
    again = post_generic(client, body)

    assert (first.status_code, first.json()) == (200, {"status": "accepted"})
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    payment = Payment.objects.get()
    assert (payment.payment_id, payment.amount, payment.channel, payment.loan.loan_id) == (
        "generic:T-1001",
        123450,
        "generic",
        "L-1",
    )
    assert payment.paid_on == yesterday_at_ten().date()
    notice = PaymentNotice.objects.get()
    assert (notice.status, notice.payment_id, bytes(notice.raw_body)) == (
        "posted",
        payment.pk,
        body,
    )
    assert AuditEntry.objects.filter(action="payment.post").count() == 1


def test_the_payments_file_line_of_the_same_transaction_is_not_counted_twice(
    loans: Creditor, client: Client, tmp_path: Path
) -> None:
    post_generic(client, generic_body())
    line = payment_row(
        "generic:T-1001", "L-1", yesterday_at_ten().date().isoformat(), "1234.50", "generic"
    )

    result = tape_ingest(
        creditor=loans, kind="payments", path=write_csv(tmp_path / "p.csv", [line])
    )

    assert (result.created, result.unchanged) == (0, 1)
    assert Payment.objects.count() == 1


def test_a_tampered_body_is_refused_and_nothing_is_posted(loans: Creditor, client: Client) -> None:
    body = generic_body()
    tampered = body.replace(b"1234.50", b"9234.50")

    response = post_generic(client, tampered, signed(body))

    assert response.status_code == 401
    assert not Payment.objects.exists() and not PaymentNotice.objects.exists()


def test_a_tampered_or_missing_signature_is_refused(loans: Creditor, client: Client) -> None:
    body = generic_body()
    good = signed(body)
    flipped = good[:-1] + ("0" if good[-1] != "0" else "1")

    answers = [
        post_generic(client, body, flipped).status_code,
        post_generic(client, body, "").status_code,
        post_generic(client, body, signed(body, "another-secret")).status_code,
        post_generic(client, body, good.removeprefix("sha256=")).status_code,
    ]

    assert answers == [401, 401, 401, 401]
    assert not Payment.objects.exists() and not PaymentNotice.objects.exists()


def test_without_the_secret_every_notice_is_refused_and_logged(
    loans: Creditor, client: Client, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ARREARS_PAYMENT_WEBHOOK_SECRET = ""
    body = generic_body()

    with caplog.at_level(logging.ERROR, logger="arrears.api"):
        response = post_generic(client, body, signed(body, ""))

    assert response.status_code == 401
    assert "ARREARS_PAYMENT_WEBHOOK_SECRET is not set" in caplog.text
    assert not PaymentNotice.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "12.345"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"paid_at": "2026-12-01T10:00:00"}, "paid_at"),
        ({"paid_at": "yesterday"}, "paid_at"),
        ({"transaction_id": ""}, "transaction_id"),
        ({"transaction_id": "x" * 65}, "transaction_id"),
        ({"loan_id": None}, "loan_id"),
    ],
)
def test_a_signed_body_with_a_bad_field_is_400_naming_it(
    loans: Creditor, client: Client, overrides: dict[str, Any], field: str
) -> None:
    body = generic_body(**overrides)

    response = post_generic(client, body)

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not PaymentNotice.objects.exists()


def test_a_signed_body_that_is_not_json_is_400(loans: Creditor, client: Client) -> None:
    response = post_generic(client, b"not json")

    assert (response.status_code, response.json()["field"]) == (400, "body")


def test_an_amount_may_be_a_json_number_and_the_day_is_the_business_date(
    loans: Creditor, client: Client
) -> None:
    # 20:30 UTC is 04:30 the next day in Shanghai: the payment counts on the later day.
    day = timezone.localdate() - timedelta(days=2)
    utc_evening = datetime(day.year, day.month, day.day, 20, 30).isoformat() + "Z"

    response = post_generic(client, generic_body(amount=88.8, paid_at=utc_evening))

    assert response.json() == {"status": "accepted"}
    payment = Payment.objects.get()
    assert (payment.amount, payment.paid_on) == (8880, day + timedelta(days=1))


def test_an_unknown_loan_is_kept_and_listed_as_unmatched(
    loans: Creditor, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    response = post_generic(client, generic_body(loan_id="NO-SUCH-LOAN"))
    call_command("payments", "unmatched", "--json")
    listed = json.loads(capsys.readouterr().out)

    assert response.json() == {"status": "accepted"}
    assert not Payment.objects.exists()
    assert len(listed) == 1
    row = listed[0]
    assert set(row) == {
        "id",
        "provider",
        "transaction_id",
        "loan_id",
        "amount",
        "paid_at",
        "reason",
        "received_at",
    }
    assert (row["provider"], row["transaction_id"], row["loan_id"], row["amount"]) == (
        "generic",
        "T-1001",
        "NO-SUCH-LOAN",
        "1234.50",
    )
    assert row["reason"] == "unknown_loan"
    assert datetime.fromisoformat(row["paid_at"]) == yesterday_at_ten()


def test_a_closed_loan_is_kept_unmatched(
    loans: Creditor, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    response = post_generic(client, generic_body(loan_id="CLOSED-1"))
    call_command("payments", "unmatched")

    assert response.json() == {"status": "accepted"}
    assert not Payment.objects.exists()
    notice = PaymentNotice.objects.select_related("loan").get()
    assert (notice.status, notice.reason, notice.loan) == (
        "unmatched",
        "closed_loan",
        Loan.objects.get(loan_id="CLOSED-1"),
    )
    assert "generic:T-1001" in capsys.readouterr().out


def test_with_several_creditors_the_setting_names_whose_loans(
    loans: Creditor, client: Client, settings: Any, tmp_path: Path
) -> None:
    other = Creditor.objects.create(name="另一家小贷")
    tape_ingest(creditor=other, kind="loans", path=write_csv(tmp_path / "o.csv", [loan_row("L-1")]))

    unnamed = post_generic(client, generic_body(transaction_id="T-1"))
    settings.ARREARS_PAYMENT_WEBHOOK_CREDITOR = "另一家小贷"
    named = post_generic(client, generic_body(transaction_id="T-2"))

    assert unnamed.json() == named.json() == {"status": "accepted"}
    assert PaymentNotice.objects.get(transaction_id="T-1").reason == "no_creditor"
    assert Payment.objects.get().creditor == other


def test_an_unknown_provider_is_404(loans: Creditor, client: Client) -> None:
    body = generic_body()
    response = client.post(
        "/api/v1/payments/notify/paypal",
        body,
        content_type="application/json",
        headers={SIGNATURE: signed(body)},
    )

    assert response.status_code == 404
    assert not PaymentNotice.objects.exists()


def test_the_database_keeps_one_notice_per_provider_and_transaction(loans: Creditor) -> None:
    notice_record(
        incoming=NoticeIn(
            provider="generic",
            transaction_id="T-9",
            loan_id="L-1",
            amount=100,
            paid_at=yesterday_at_ten(),
            raw_body=b"{}",
        )
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentNotice.objects.create(
            provider="generic",
            transaction_id="T-9",
            amount=100,
            paid_at=yesterday_at_ten(),
            paid_on=yesterday_at_ten().date(),
            status="unmatched",
            raw_body=b"{}",
        )


# Committed data for the threads; serialized_rollback brings back the rows migrations ship
# (without it the flush re-creates content types and every later serialized test fails).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_resends_make_one_notice_and_one_payment(loans: Creditor) -> None:
    incoming = NoticeIn(
        provider="generic",
        transaction_id="T-RACE",
        loan_id="L-1",
        amount=5000,
        paid_at=yesterday_at_ten(),
        raw_body=b"{}",
    )
    start = threading.Barrier(6, timeout=30)
    duplicates: list[bool] = []

    def resend() -> None:
        try:
            start.wait()
            duplicates.append(notice_record(incoming=incoming).duplicate)
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=resend) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        # SQLite's test database lives in this connection and takes one writer at a time:
        # the six re-sends come one after another, and the dedup must hold the same.
        for _ in range(6):
            duplicates.append(notice_record(incoming=incoming).duplicate)

    assert sorted(duplicates) == [False] + [True] * 5
    assert PaymentNotice.objects.count() == Payment.objects.count() == 1


# Alipay's notice, from the fake.


def test_an_alipay_notice_verifies_and_posts_once_though_sent_three_times(
    loans: Creditor, client: Client, fake: FakeAlipay
) -> None:
    fields = fake.notice(
        out_trade_no="L-2-20261206001",
        total_amount="300.00",
        loan_id="L-2",
        paid_at=yesterday_at_ten(),
    )

    answers = [post_alipay(client, fake, fields) for _ in range(3)]

    assert [(a.status_code, a.content) for a in answers] == [(200, b"success")] * 3
    assert answers[0]["Content-Type"].startswith("text/plain")
    payment = Payment.objects.get()
    assert (payment.payment_id, payment.amount, payment.loan.loan_id, payment.channel) == (
        f"alipay:{fields['trade_no']}",
        30000,
        "L-2",
        "alipay",
    )
    assert payment.paid_on == yesterday_at_ten().date()
    assert PaymentNotice.objects.get().status == "posted"


def test_a_notice_signed_by_another_key_is_refused(
    loans: Creditor, client: Client, fake: FakeAlipay
) -> None:
    impostor = FakeAlipay()
    fields = impostor.notice(out_trade_no="L-1-1", total_amount="300.00", loan_id="L-1")

    response = post_alipay(client, impostor, fields)

    assert (response.status_code, response.content) == (401, b"fail")
    assert not Payment.objects.exists() and not PaymentNotice.objects.exists()


def test_a_changed_field_breaks_the_signature(
    loans: Creditor, client: Client, fake: FakeAlipay
) -> None:
    fields = fake.notice(out_trade_no="L-1-1", total_amount="3.00", loan_id="L-1")

    response = post_alipay(client, fake, {**fields, "total_amount": "3000.00"})

    assert (response.status_code, response.content) == (401, b"fail")
    assert not PaymentNotice.objects.exists()


def test_wait_buyer_pay_is_acknowledged_and_posts_nothing_until_paid(
    loans: Creditor, client: Client, fake: FakeAlipay
) -> None:
    waiting = fake.notice(
        out_trade_no="L-1-7", total_amount="50.00", loan_id="L-1", trade_status="WAIT_BUYER_PAY"
    )
    first = post_alipay(client, fake, waiting)
    kept = PaymentNotice.objects.get()
    paid = fake.notice(
        out_trade_no="L-1-7", total_amount="50.00", loan_id="L-1", trade_no=waiting["trade_no"]
    )
    second = post_alipay(client, fake, paid)

    assert first.content == b"success"
    assert (kept.status, kept.reason, kept.detail) == (
        "refused",
        "not_paid",
        "trade_status=WAIT_BUYER_PAY",
    )
    assert second.content == b"success"
    assert Payment.objects.get().amount == 5000
    assert PaymentNotice.objects.get().status == "posted"


def test_the_loan_id_may_come_from_out_trade_no(
    loans: Creditor, client: Client, fake: FakeAlipay
) -> None:
    fields = fake.notice(out_trade_no="L-2-RENEW8", total_amount="12.34")

    assert post_alipay(client, fake, fields).content == b"success"
    assert Payment.objects.get().loan.loan_id == "L-2"


def test_the_received_amount_is_posted(loans: Creditor, client: Client, fake: FakeAlipay) -> None:
    fields = fake.notice(
        out_trade_no="L-2-1", total_amount="100.00", receipt_amount="95.00", loan_id="L-2"
    )

    assert post_alipay(client, fake, fields).content == b"success"
    assert Payment.objects.get().amount == 9500


def test_a_notice_for_another_app_is_refused(
    loans: Creditor, client: Client, fake: FakeAlipay
) -> None:
    fields = fake.notice(
        out_trade_no="L-1-1", total_amount="1.00", loan_id="L-1", app_id="2021999999999999"
    )

    assert post_alipay(client, fake, fields).status_code == 401
    assert not PaymentNotice.objects.exists()


def test_the_console_key_and_a_gbk_notice_verify(
    loans: Creditor, client: Client, settings: Any
) -> None:
    gbk = FakeAlipay(charset="gbk")
    settings.ARREARS_ALIPAY_PUBLIC_KEY = gbk.public_key_base64
    settings.ARREARS_ALIPAY_APP_ID = ""
    fields = gbk.notice(out_trade_no="L-1-2", total_amount="20.00", loan_id="L-1")

    assert post_alipay(client, gbk, fields).content == b"success"
    assert Payment.objects.get().amount == 2000


def test_without_alipay_s_key_notices_are_refused(
    loans: Creditor, client: Client, fake: FakeAlipay, settings: Any
) -> None:
    settings.ARREARS_ALIPAY_PUBLIC_KEY = ""
    fields = fake.notice(out_trade_no="L-1-1", total_amount="1.00", loan_id="L-1")

    assert post_alipay(client, fake, fields).status_code == 401
    assert not PaymentNotice.objects.exists()


def test_a_console_key_too_long_to_be_a_file_name_is_read_as_a_key() -> None:
    # A console key is ~400 base64 characters; where 256 of them run without a "/", the
    # file system calls it a name too long (not "no such file"). Such text must still be
    # judged as a key: here it is no key, so the clear error, never an OSError (a 500).
    from arrears.api.alipay import alipay_public_key
    from arrears.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not a public key"):
        alipay_public_key("A" * 300 + "/" + "B" * 99)
    fake = FakeAlipay()
    wrapped = "\n".join(fake.public_key_base64[i : i + 64] for i in range(0, 392, 64))
    assert alipay_public_key(wrapped).public_numbers() == fake.key.public_key().public_numbers()
