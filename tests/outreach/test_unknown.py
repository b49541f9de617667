"""What a stopped worker leaves, and the unknown messages the next pass settles: claimed
messages go back to the queue, sending ones become unknown, the SMS gateway is asked about
those (found: sent; not found after its window: sent again, once), an email stays unknown.
And the idempotency keys providers see name this installation."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from arrears.compliance.models import ContactAttempt
from arrears.outreach.channels.email import EmailChannel
from arrears.outreach.channels.sms_aliyun import AliyunSmsChannel
from arrears.outreach.channels.sms_generic import GenericSmsChannel
from arrears.outreach.liveness import Liveness, recover
from arrears.outreach.models import Installation, MessageTemplate, OutboxMessage
from arrears.outreach.sender import send_due
from arrears.outreach.services import ReceiptIn, message_id_of_key, receipts_apply
from arrears.portfolio.models import Loan
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.outreach.test_worker import at, gateway, loan  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_dead_workers_claimed_messages_are_queued_again_and_its_sending_ones_unknown(
    loan: Loan,  # noqa: F811
) -> None:
    OutboxMessage.objects.filter(channel="sms").update(status="claimed", claimed_by="gone:1:x")
    OutboxMessage.objects.filter(channel="email").update(status="sending", claimed_by="gone:1:x")

    marked = recover(Liveness())

    sms = OutboxMessage.objects.get(channel="sms")
    email = OutboxMessage.objects.get(channel="email")
    assert marked == 1
    assert (sms.status, sms.claimed_by) == ("queued", "")
    assert email.status == "unknown" and "stopped while sending" in email.error


def test_an_sms_that_never_reached_the_gateway_goes_again_once_the_window_has_passed(
    loan: Loan,  # noqa: F811
    gateway: FakeSmsGateway,  # noqa: F811
) -> None:
    started = at("2026-03-01T10:00")
    OutboxMessage.objects.filter(channel="sms").update(
        status="unknown",
        claimed_by="gone:1:x",
        sending_at=started,
        request_key="-",
        attempts=1,
        error="worker gone:1:x stopped",
    )
    channel = GenericSmsChannel(gateway.generic_url, gateway.token, status_window=600)

    early = send_due({"sms": channel}, Liveness(), now=lambda: started + timedelta(minutes=5))
    waiting = OutboxMessage.objects.get(channel="sms")
    later = send_due({"sms": channel}, Liveness(), now=lambda: started + timedelta(minutes=11))

    message = OutboxMessage.objects.get(channel="sms")
    received = gateway.messages()
    # Not found five minutes on may still be "not recorded yet": it waits.
    assert early == 0 and waiting.status == "unknown"
    assert waiting.error.startswith("provider asked at 2026-03-01 02:05:00 UTC: no record yet")
    assert waiting.error.endswith("| worker gone:1:x stopped")
    # Not found after the window: it never arrived, so it goes, once.
    assert later == 1 and len(received) == 1
    assert (message.status, message.provider_id) == ("sent", received[0].provider_id)
    assert received[0].key == f"arrears-{Installation.current_key()}-{message.pk}"
    assert ContactAttempt.objects.filter(channel="sms").count() == 1


def test_an_unknown_email_stays_unknown_for_a_person(
    loan: Loan,  # noqa: F811
) -> None:
    started = at("2026-03-01T10:00")
    OutboxMessage.objects.filter(channel="email").update(
        status="unknown", sending_at=started, request_key="arrears-x-1"
    )

    handed = send_due(
        {"email": EmailChannel()}, Liveness(), now=lambda: started + timedelta(days=1)
    )

    assert handed == 0
    assert OutboxMessage.objects.get(channel="email").status == "unknown"


def test_keys_name_the_installation_and_another_installations_receipt_is_not_ours(
    loan: Loan,  # noqa: F811
    gateway: FakeSmsGateway,  # noqa: F811
) -> None:
    channel = GenericSmsChannel(gateway.generic_url, gateway.token)
    send_due({"sms": channel}, Liveness(), now=lambda: at("2026-03-01T10:00"))
    message = OutboxMessage.objects.get(channel="sms")
    ours = Installation.current_key()
    other = "0" * 8 if ours != "0" * 8 else "1" * 8

    foreign = receipts_apply(
        channel="sms",
        receipts=[ReceiptIn(True, message_id_of_key(f"arrears-{other}-{message.pk}"))],
    )
    own = receipts_apply(
        channel="sms", receipts=[ReceiptIn(True, message_id_of_key(gateway.messages()[0].key))]
    )

    assert gateway.messages()[0].key == f"arrears-{ours}-{message.pk}"
    assert foreign == {"delivered": 0, "failed": 0, "unmatched": 1}
    assert own == {"delivered": 1, "failed": 0, "unmatched": 0}


def test_a_rebuilt_database_gets_a_new_installation_key(db: None) -> None:
    first = Installation.current_key()
    again = Installation.current_key()
    Installation.objects.all().delete()  # what a database built afresh lacks

    rebuilt = Installation.current_key()

    assert first == again and len(first) == 8
    assert rebuilt != first


def test_outbox_resolve_settles_what_a_dead_worker_left_sending(
    loan: Loan,  # noqa: F811
    gateway: FakeSmsGateway,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel = GenericSmsChannel(gateway.generic_url, gateway.token)
    send_due({"sms": channel}, Liveness(), now=lambda: at("2026-03-01T10:00"))
    # The gateway took it; the worker died before recording the reply.
    OutboxMessage.objects.filter(channel="sms").update(
        status="sending", claimed_by="gone:1:x", provider_id="", sending_at=timezone.now()
    )
    monkeypatch.setenv("ARREARS_SMS_PROVIDER", "generic")
    monkeypatch.setenv("ARREARS_SMS_URL", gateway.generic_url)
    monkeypatch.setenv("ARREARS_SMS_TOKEN", gateway.token)
    out = StringIO()

    call_command("outbox", "resolve", "--json", stdout=out)

    message = OutboxMessage.objects.get(channel="sms")
    assert json.loads(out.getvalue()) == {"marked_unknown": 1, "sms": {"sent": 1}}
    assert (message.status, message.provider_id) == ("sent", gateway.messages()[0].provider_id)
    assert len(gateway.messages()) == 1


# The live server needs committed data; serialized_rollback brings back the rows migrations
# ship (playbooks, templates), which an earlier transactional test's flush removed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_aliyuns_pushed_reports_reach_the_message_through_the_path_token(
    loan: Loan,  # noqa: F811
    gateway: FakeSmsGateway,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    live_server: Any,
) -> None:
    MessageTemplate.objects.filter(channel="sms").update(provider_template_code="SMS_1")
    channel = AliyunSmsChannel(
        gateway.access_key_id, gateway.access_key_secret, "测试", endpoint=gateway.aliyun_url
    )
    send_due({"sms": channel}, Liveness(), now=lambda: at("2026-03-01T10:00"))
    monkeypatch.setenv("ARREARS_RECEIPT_PATH_TOKEN", "p4th")

    # Aliyun is given a URL and sends no header: the token travels in the path.
    pushed = gateway.push_delivery_reports(f"{live_server.url}/api/v1/outreach/p/p4th/receipts/sms")

    message = OutboxMessage.objects.get(channel="sms")
    assert pushed == [200]
    assert message.status == "delivered" and message.provider_id.endswith("^0")
