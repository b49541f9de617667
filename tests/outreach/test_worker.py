"""The outreach worker: planned messages sent through the local fake SMS gateway over HTTP,
checked again at send time, retried, never sent twice, recorded as evidence."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from arrears.cases.models import CollectionCase
from arrears.compliance.models import ContactAttempt, Hold
from arrears.outreach.channels.email import EmailChannel
from arrears.outreach.channels.sms_generic import GenericSmsChannel
from arrears.outreach.models import OutboxMessage
from arrears.outreach.sender import Liveness, recover, send_due
from arrears.portfolio.models import ContactPoint, Creditor, Loan
from arrears.portfolio.services import tape_ingest
from arrears.strategy.models import CaseStrategy
from tests.factories import loan_row, write_csv
from tests.fakes.sms_gateway import FakeSmsGateway

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def gateway() -> Iterator[FakeSmsGateway]:
    with FakeSmsGateway() as fake:
        yield fake


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    """A consumer loan first due 2026-02-28, never paid: DPD 1 on 2026-03-01, when the
    consumer playbook plans an SMS reminder for 09:00."""
    row = loan_row("S1", borrower_phone="13800138000", borrower_email="")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    call_command("cycle", "--date", "2026-03-01", stdout=StringIO())
    return Loan.objects.get(loan_id="S1")


def send(gateway: FakeSmsGateway, when: datetime, liveness: Liveness | None = None) -> int:
    channel = GenericSmsChannel(gateway.generic_url, gateway.token)
    return send_due({"sms": channel}, liveness or Liveness(), now=lambda: when)


def test_a_planned_reminder_is_rendered_sent_once_and_kept_as_evidence(
    loan: Loan, gateway: FakeSmsGateway
) -> None:
    handed = send(gateway, at("2026-03-01T10:00"))
    again = send(gateway, at("2026-03-01T10:05"))

    message = OutboxMessage.objects.get(channel="sms")
    received = gateway.messages()
    assert (handed, again) == (1, 0)
    assert [(m.phone, m.text) for m in received] == [("+8613800138000", message.body)]
    assert message.status == "sent" and message.provider_id == received[0].provider_id
    assert "张三" in message.body and "退订" in message.body
    assert message.body_sha256 == hashlib.sha256(message.body.encode()).hexdigest()
    overview = StringIO()
    call_command("case", "S1", "--json", stdout=overview)
    case = json.loads(overview.getvalue())
    sms = [a for a in case["actions"] if a["type"] == "sms"]
    assert [a["status"] for a in sms] == ["done"]
    assert [(m["status"], m["text"]) for m in case["messages"] if m["channel"] == "sms"] == [
        ("sent", message.body)
    ]
    contact = ContactAttempt.objects.get(channel="sms")
    assert (contact.outcome, contact.number, contact.party_id) == (
        "sent",
        "+8613800138000",
        message.party_id,
    )


def test_a_message_of_a_case_paused_since_planning_is_cancelled_with_the_reason_not_sent(
    loan: Loan, gateway: FakeSmsGateway
) -> None:
    case = CollectionCase.objects.get(loan=loan)
    CaseStrategy.objects.filter(case=case).update(paused=True)  # paused behind the plan's back

    handed = send(gateway, at("2026-03-01T10:00"))

    message = OutboxMessage.objects.get(channel="sms")
    assert handed == 0 and gateway.messages() == []
    assert (message.status, message.error) == ("cancelled", "case paused by a manager")
    assert not ContactAttempt.objects.filter(channel="sms").exists()


def test_a_message_due_at_2159_not_sent_before_2200_goes_out_at_0800(
    loan: Loan, gateway: FakeSmsGateway
) -> None:
    OutboxMessage.objects.filter(channel="sms").update(due_at=at("2026-03-01T21:59:30"))

    late = send(gateway, at("2026-03-01T22:00:05"))
    message = OutboxMessage.objects.get(channel="sms")
    night = send(gateway, at("2026-03-02T03:00"))
    morning = send(gateway, at("2026-03-02T08:00"))

    assert (late, night, morning) == (0, 0, 1)
    assert message.status == "queued"
    assert message.due_at == at("2026-03-02T08:00")
    assert OutboxMessage.objects.get(channel="sms").status == "sent"
    assert gateway.messages()[0].received_at  # it did go out, in the morning


def test_a_party_who_replied_td_gets_no_sms(
    loan: Loan, gateway: FakeSmsGateway, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_RECEIPT_SECRET", "s3cret")
    reply = client.post(
        "/api/v1/outreach/inbound/sms",
        data=json.dumps({"from": "13800138000", "text": "TD"}),
        content_type="application/json",
        headers={"X-Arrears-Secret": "s3cret"},
    )

    handed = send(gateway, at("2026-03-01T10:00"))

    assert reply.status_code == 200 and reply.json() == {"opted_out_parties": 1}
    hold = Hold.objects.get()
    assert (hold.kind, hold.channel) == ("opt_out", "sms")
    message = OutboxMessage.objects.get(channel="sms")
    assert handed == 0 and gateway.messages() == []
    assert message.status == "blocked"
    assert message.blocked_reasons == ["the party opted out of sms"]


def test_receipts_need_the_secret_and_mark_messages_delivered(
    loan: Loan, gateway: FakeSmsGateway, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_RECEIPT_SECRET", "s3cret")
    send(gateway, at("2026-03-01T10:00"))
    message = OutboxMessage.objects.get(channel="sms")
    body = json.dumps([{"id": f"arrears-{message.pk}", "status": "delivered"}])

    refused = client.post(
        "/api/v1/outreach/receipts/sms", data=body, content_type="application/json"
    )
    accepted = client.post(
        "/api/v1/outreach/receipts/sms",
        data=body,
        content_type="application/json",
        headers={"X-Arrears-Secret": "s3cret"},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200 and accepted.json()["delivered"] == 1
    message.refresh_from_db()
    assert message.status == "delivered" and message.delivered_at is not None


def test_a_gateway_outage_is_retried_with_backoff_and_a_broken_reply_is_never_resent(
    loan: Loan, gateway: FakeSmsGateway
) -> None:
    gateway.fail_next(1, "unavailable")
    first = send(gateway, at("2026-03-01T10:00"))
    message = OutboxMessage.objects.get(channel="sms")
    too_soon = send(gateway, at("2026-03-01T10:00:20"))
    gateway.fail_next(1, "drop")
    retried = send(gateway, at("2026-03-01T10:00:31"))
    lost = OutboxMessage.objects.get(channel="sms")
    later = send(gateway, at("2026-03-01T11:00"))

    assert (first, too_soon, retried, later) == (1, 0, 1, 0)
    assert message.status == "queued" and message.attempts == 1
    assert message.due_at == at("2026-03-01T10:00:30")
    # The gateway took it but the reply was lost: unknown, not sent again on a guess …
    assert lost.status == "unknown" and lost.attempts == 2
    # … until the next pass asks the gateway, which has it: sent, with the gateway's id.
    final = OutboxMessage.objects.get(channel="sms")
    received = gateway.messages()
    assert len(received) == 1
    assert (final.status, final.provider_id) == ("sent", received[0].provider_id)
    assert final.sent_at == at("2026-03-01T10:00:31")
    assert ContactAttempt.objects.filter(channel="sms", party_id=final.party_id).count() == 1


def test_a_message_left_sending_by_a_dead_worker_becomes_unknown(
    loan: Loan, gateway: FakeSmsGateway
) -> None:
    OutboxMessage.objects.filter(channel="sms").update(status="sending", claimed_by="gone:1:x")

    handed = send(gateway, at("2026-03-01T10:00"))
    recovered = recover(Liveness())

    message = OutboxMessage.objects.get(channel="sms")
    assert handed == 0 and recovered == 1
    assert message.status == "unknown" and "stopped while sending" in message.error
    assert gateway.messages() == []


def test_the_outbox_command_counts_by_channel_and_status(loan: Loan) -> None:
    out = StringIO()
    call_command("outbox", "--json", stdout=out)

    # The borrower has no email on file: the planned email entered the outbox cancelled.
    assert json.loads(out.getvalue()) == {"email": {"cancelled": 1}, "sms": {"queued": 1}}


def test_an_email_planned_for_a_party_without_an_address_is_cancelled_not_tried(
    loan: Loan, gateway: FakeSmsGateway
) -> None:
    assert not ContactPoint.objects.filter(kind="email").exists()
    email = OutboxMessage.objects.get(channel="email")
    assert (email.status, email.error) == ("cancelled", "no email on file for this party")

    handed = send_due({"email": EmailChannel()}, Liveness(), now=lambda: at("2026-03-01T10:00"))

    email.refresh_from_db()
    assert handed == 0 and email.status == "cancelled" and email.attempts == 0


def test_an_address_gone_after_planning_cancels_the_message_with_the_reason(
    loan: Loan, gateway: FakeSmsGateway
) -> None:
    # Queued while the party still had an email; the address was removed before sending.
    OutboxMessage.objects.filter(channel="email").update(status="queued", error="")

    handed = send_due({"email": EmailChannel()}, Liveness(), now=lambda: at("2026-03-01T10:00"))

    email = OutboxMessage.objects.get(channel="email")
    assert handed == 0 and email.attempts == 0  # nothing was tried
    assert (email.status, email.error) == ("cancelled", "no email on file for this party")
