"""Signing in to the borrower portal: a one-time link, the ID number's last four, a code by
SMS through the outbox; locks, expiries, the idle limit, and what the pages never show."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from arrears.compliance.models import ContactAttempt
from arrears.core.models import AuditEntry
from arrears.outreach.models import OutboxMessage
from arrears.portal.models import PortalLink, SignInAttempt, VerificationCode
from tests.portal.conftest import (
    World,
    codes_sent,
    last4,
    link_path,
    signed_in,
    to_code_step,
)

pytestmark = pytest.mark.django_db


def wrong(digits: str) -> str:
    """Four characters that are not ``digits``."""
    return "".join("1" if c != "1" else "2" for c in digits)


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("number").values_list("action", flat=True))


def test_the_borrower_signs_in_with_the_id_ending_and_the_code_sent_by_sms(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in(client, world, django_capture_on_commit_callbacks)

    page = client.get("/p/").content.decode()

    assert "10,709.16" in page  # overdue today, by component below it
    assert "9,461.85" in page and "47.31" in page
    assert actions()[-4:] == [
        "portal.link_open",
        "portal.id_passed",
        "portal.code_issue",
        "portal.sign_in",
    ]


def test_a_wrong_id_ending_five_times_locks_the_link_and_audits_it(
    world: World, client: Client
) -> None:
    client.get(link_path(world))
    bad = wrong(last4(world.borrower))

    answers = [client.post("/p/verify/", {"step": "id", "last4": bad}) for _ in range(5)]

    assert [a.status_code for a in answers] == [400, 400, 400, 400, 403]
    assert "1 try left" in answers[3].content.decode()
    assert PortalLink.objects.get().locked_at is not None
    assert actions().count("portal.id_failed") == 5 and "portal.link_locked" in actions()
    assert not VerificationCode.objects.exists()  # no code was ever sent


def test_a_wrong_code_five_times_locks_the_link_and_reopening_it_says_so(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    path = link_path(world)
    client.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/p/verify/", {"step": "id", "last4": last4(world.borrower)})
    code = codes_sent(world)[-1]
    bad = f"{(int(code) + 1) % 10**6:06d}"

    answers = [client.post("/p/verify/", {"step": "code", "code": bad}) for _ in range(5)]
    again = client.get(path)
    late = client.post("/p/verify/", {"step": "code", "code": code})

    assert [a.status_code for a in answers] == [400, 400, 400, 400, 403]
    assert 'data-reason="locked"' in answers[-1].content.decode()
    assert again.status_code == 403 and 'data-reason="locked"' in again.content.decode()
    assert late.status_code == 403  # the session ended with the lock
    assert actions().count("portal.code_failed") == 5
    assert actions().count("portal.link_locked") == 1
    entry = AuditEntry.objects.get(action="portal.link_locked")
    assert entry.data["step"] == "code" and code not in str(entry.data)


def test_a_code_expires_after_five_minutes_and_a_new_one_can_be_asked_for(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    code = to_code_step(client, world, django_capture_on_commit_callbacks)
    world.clock.advance(minutes=5, seconds=1)

    expired = client.post("/p/verify/", {"step": "code", "code": code})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/p/verify/resend/")
    fresh = codes_sent(world)[-1]
    answer = client.post("/p/verify/", {"step": "code", "code": fresh})

    assert expired.status_code == 400 and "expired" in expired.content.decode()
    assert PortalLink.objects.get().code_failures == 0  # an expired code is no guess
    assert answer.status_code == 302 and answer["Location"] == "/p/"


def test_a_code_within_five_minutes_signs_in(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    code = to_code_step(client, world, django_capture_on_commit_callbacks)
    world.clock.advance(minutes=4, seconds=59)

    assert client.post("/p/verify/", {"step": "code", "code": code}).status_code == 302


def test_a_new_code_waits_a_minute_and_a_link_sends_at_most_five(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    to_code_step(client, world, django_capture_on_commit_callbacks)
    too_soon = client.post("/p/verify/resend/", follow=True).content.decode()
    for _ in range(5):
        world.clock.advance(seconds=61)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/p/verify/resend/")

    assert "less than a minute ago" in too_soon
    assert len(codes_sent(world)) == 5
    assert PortalLink.objects.get().codes_sent == 5


def test_a_link_signs_in_once(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    path = link_path(world)
    client.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/p/verify/", {"step": "id", "last4": last4(world.borrower)})
    client.post("/p/verify/", {"step": "code", "code": codes_sent(world)[-1]})

    again = Client().get(path)

    assert again.status_code == 410 and 'data-reason="used"' in again.content.decode()


def test_a_link_whose_steps_failed_can_be_tried_again_until_it_locks(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    path = link_path(world)
    client.get(path)
    client.post("/p/verify/", {"step": "id", "last4": wrong(last4(world.borrower))})

    other = Client()
    other.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        other.post("/p/verify/", {"step": "id", "last4": last4(world.borrower)})

    assert (
        other.post("/p/verify/", {"step": "code", "code": codes_sent(world)[-1]}).status_code == 302
    )
    assert PortalLink.objects.get().id_failures == 1


def test_a_tampered_or_expired_link_is_refused(world: World, client: Client) -> None:
    path = link_path(world)
    tampered = path[:5] + ("A" if path[5] != "A" else "B") + path[6:]
    world.clock.advance(days=7, seconds=1)

    assert client.get(tampered).status_code == 404
    assert client.get(path).status_code == 410


def test_a_session_ends_after_fifteen_minutes_idle(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in(client, world, django_capture_on_commit_callbacks)
    world.clock.advance(minutes=14, seconds=59)
    assert client.get("/p/").status_code == 200  # a request restarts the idle clock
    world.clock.advance(minutes=15, seconds=1)

    ended = client.get("/p/")

    assert ended.status_code == 403 and 'data-reason="ended"' in ended.content.decode()
    assert client.get("/p/promise/").status_code == 403


def test_the_portal_session_is_not_a_staff_sign_in(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in(client, world, django_capture_on_commit_callbacks)

    assert client.get("/queue/").status_code == 302  # to the staff login page
    assert "_auth_user_id" not in client.session


def test_pages_are_never_cached_and_carry_no_full_id_or_other_partys_data(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in(client, world, django_capture_on_commit_callbacks)
    guarantor_phone = world.guarantor.contact_points.get(kind="phone").value
    own_phone = world.borrower.contact_points.get(kind="phone").value

    for path in ("/p/", "/p/promise/", "/p/plan/", "/p/dispute/", "/p/pause/", "/p/quiet/"):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert world.borrower.id_number not in page, path
        assert world.guarantor.id_number not in page and guarantor_phone not in page, path
        assert "李四" not in page and own_phone not in page, path
        assert "王小明" not in page, path  # even one's own name is masked: 王**


def test_the_code_is_kept_only_as_a_hash_and_its_sms_is_no_contact_attempt(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    code = to_code_step(client, world, django_capture_on_commit_callbacks)

    message = OutboxMessage.objects.get(purpose="verification")
    stored = VerificationCode.objects.get()
    assert code not in stored.code_hash and code not in message.body
    assert "******" in message.body and message.status == "sent"
    assert message.planned_action_id == -message.pk
    assert stored.outbox_message_id == message.pk and stored.send_status == "sent"
    assert ContactAttempt.objects.count() == 0


def test_a_code_goes_at_night_and_under_a_dispute_hold(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from arrears.compliance.services import hold_place

    hold_place(kind="dispute", reason="disputes", loan=world.case.loan)
    world.clock.advance(hours=13)  # 23:00 in Shanghai

    code = to_code_step(client, world, django_capture_on_commit_callbacks)

    assert client.post("/p/verify/", {"step": "code", "code": code}).status_code == 302


def test_one_address_failing_on_many_links_is_slowed_down(world: World, client: Client) -> None:
    bad = wrong(last4(world.borrower))
    for _ in range(5):
        client.get(link_path(world))
        for _ in range(4):
            client.post("/p/verify/", {"step": "id", "last4": bad})
    client.get(link_path(world))

    refused = client.post("/p/verify/", {"step": "id", "last4": last4(world.borrower)})

    assert refused.status_code == 429
    assert SignInAttempt.objects.filter(ok=False).count() == 20
    assert not SignInAttempt.objects.filter(ok=True).exists()


def test_a_guarantor_signs_in_to_their_own_portal(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in(client, world, django_capture_on_commit_callbacks, party=world.guarantor)

    page = client.get("/p/").content.decode()

    assert "保**" in page and "王**" not in page and world.borrower.id_number[-4:] not in page


def test_every_form_needs_its_csrf_token(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.get(link_path(world))

    assert (
        strict.post("/p/verify/", {"step": "id", "last4": last4(world.borrower)}).status_code == 403
    )
    assert not SignInAttempt.objects.exists()
