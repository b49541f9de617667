"""The sign-in code's SMS goes through the outbox at once, never twice: a provider that fails
is said so to the borrower, and a code message a worker ever takes again is failed, not
sent (the code is gone)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from arrears.outreach.channels.sms_dev import DevSmsChannel
from arrears.outreach.models import OutboxMessage
from arrears.outreach.sender import Liveness, recover, send_due
from tests.portal.conftest import World, codes_sent, last4, link_path, to_code_step

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_an_sms_provider_the_borrower_is_told_and_the_outbox_says_why(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARREARS_SMS_PROVIDER", "none")
    client.get(link_path(world))

    # Committed data, as in a real request: the SMS is tried before the answer is made.
    page = client.post("/p/verify/", {"step": "id", "last4": last4(world.borrower)}, follow=True)

    assert "could not be sent just now" in page.content.decode()
    message = OutboxMessage.objects.get(purpose="verification")
    assert message.status == "failed" and message.error == "no SMS provider configured"
    assert codes_sent(world) == []


def test_a_code_message_taken_again_by_a_worker_is_failed_not_sent(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    to_code_step(client, world, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(purpose="verification")
    # As if its sender had died before the request: a dead worker's claimed message.
    OutboxMessage.objects.filter(pk=message.pk).update(status="claimed", claimed_by="gone:1:x")

    recover(Liveness())
    send_due({"sms": DevSmsChannel()}, Liveness(), now=lambda: world.clock.now)

    message.refresh_from_db()
    assert message.status == "failed" and "portal-code" in message.error
    assert len(codes_sent(world)) == 1  # the one sent at sign-in, never again


def test_staff_signed_in_get_no_portal_page(world: World, client: Client) -> None:
    client.force_login(world.collector)

    for path in ("/p/", "/p/verify/", "/p/promise/", "/p/plan/", "/p/quiet/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert 'data-reason="no_session"' in response.content.decode(), path
    assert client.post("/p/verify/", {"step": "id", "last4": "1234"}).status_code == 403
