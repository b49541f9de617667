"""Channels that work out of the box: outside production, SMS and email go to files under
``ARREARS_DATA_DIR/dev-outbox/`` a person can read; production settings never use them."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from arrears.accounts.models import User
from arrears.compliance.holidays import is_public_holiday
from arrears.cycle.management.commands import worker as worker_command
from arrears.outreach.channels.base import Outgoing
from arrears.outreach.channels.email import EmailChannel
from arrears.outreach.channels.email_dev import DEV_EMAIL_BACKEND
from arrears.outreach.channels.email_dev import EmailBackend as DevEmailBackend
from arrears.outreach.channels.sms import NoSmsChannel, sms_channel_from_settings
from arrears.outreach.channels.sms_dev import DevSmsChannel
from arrears.outreach.models import OutboxMessage
from arrears.outreach.sender import send_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def sink(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Not production, no provider set, the dev email backend: the out-of-the-box setup."""
    settings.REQUIRE_SECRET = False
    settings.ARREARS_DEV_OUTBOX_DIR = str(tmp_path / "dev-outbox")
    settings.EMAIL_BACKEND = DEV_EMAIL_BACKEND
    monkeypatch.delenv("ARREARS_SMS_PROVIDER", raising=False)
    yield tmp_path / "dev-outbox"


def sms(number: int, text: str = "您好，测试短信。回复TD退订") -> Outgoing:
    return Outgoing(
        message_id=number,
        channel="sms",
        to="13800138000",
        body=text,
        idempotency_key=f"arrears-test-{number}",
    )


# -- choosing -------------------------------------------------------------------------------


def test_without_a_provider_outside_production_sms_goes_to_the_dev_outbox(sink: Path) -> None:
    channel = sms_channel_from_settings()

    results = channel.send([sms(1), sms(2, "第二条\n两行")])

    assert isinstance(channel, DevSmsChannel)
    assert [(r.outcome, r.provider_id) for r in results] == [
        ("sent", "dev-sms-arrears-test-1"),
        ("sent", "dev-sms-arrears-test-2"),
    ]
    log = (sink / "sms.log").read_text(encoding="utf-8")
    assert "to: 13800138000" in log
    assert "\n您好，测试短信。回复TD退订\n" in log and "\n第二条\n两行\n" in log


def test_a_message_without_a_number_fails_in_the_dev_channel_too(sink: Path) -> None:
    nobody = Outgoing(message_id=3, channel="sms", to="", body="x")

    [result] = DevSmsChannel().send([nobody])

    assert (result.outcome, result.error) == ("failed", "no phone number")


def test_production_settings_never_pick_the_dev_channels(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REQUIRE_SECRET = True
    monkeypatch.delenv("ARREARS_SMS_PROVIDER", raising=False)

    assert isinstance(sms_channel_from_settings(), NoSmsChannel)
    assert not [m for m in run_checks() if (m.id or "").startswith("arrears.outreach.")]


def test_the_dev_channels_asked_for_under_production_settings_are_refused(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REQUIRE_SECRET = True
    settings.EMAIL_BACKEND = DEV_EMAIL_BACKEND
    monkeypatch.setenv("ARREARS_SMS_PROVIDER", "dev")

    with pytest.raises(ImproperlyConfigured, match="ARREARS_REQUIRE_SECRET"):
        sms_channel_from_settings()
    with pytest.raises(ImproperlyConfigured, match="ARREARS_REQUIRE_SECRET"):
        get_connection()
    ids = sorted(str(m.id) for m in run_checks() if (m.id or "").startswith("arrears.outreach."))
    assert ids == ["arrears.outreach.E001", "arrears.outreach.E002"]


def _settings_in(env: dict[str, str]) -> dict[str, str]:
    """EMAIL_BACKEND as a fresh process's settings make it from ``env``."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EMAIL_", "ARREARS_REQUIRE", "ARREARS_SECRET", "ARREARS_SMS"))
    }
    code = (
        "import json; from django.conf import settings;"
        "print(json.dumps({'backend': settings.EMAIL_BACKEND}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "arrears.config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout))


def test_the_email_backend_defaults_to_the_dev_files_only_outside_production(
    tmp_path: Path,
) -> None:
    data = {"ARREARS_DATA_DIR": str(tmp_path)}
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    production = {**data, "ARREARS_REQUIRE_SECRET": "1", "ARREARS_SECRET_KEY": "k" * 60}

    assert _settings_in(data)["backend"] == DEV_EMAIL_BACKEND
    assert _settings_in({**data, "EMAIL_HOST": "mail.lender.example"})["backend"] == smtp
    assert _settings_in(production)["backend"] == smtp


def test_the_email_channel_through_the_dev_backend_writes_the_exact_text(sink: Path) -> None:
    body = "张三您好：\n\n您的借款已逾期。\n如需退订，请使用邮件程序的退订按钮。"
    message = Outgoing(
        message_id=7,
        channel="email",
        to="zhang@example.com",
        body=body,
        subject="逾期提醒",
        recipient_name="张三",
        idempotency_key="arrears-test-7",
    )

    [result] = EmailChannel(from_email="arrears@lender.example").send([message])

    assert (result.outcome, result.provider_id) == ("sent", "<arrears-test-7@arrears>")
    log = (sink / "email.log").read_text(encoding="utf-8")
    assert "subject: 逾期提醒" in log and "zhang@example.com" in log
    assert f"\n{body}\n" in log
    [eml] = (sink / "email").glob("*.eml")
    assert b"Message-ID: <arrears-test-7@arrears>" in eml.read_bytes()
    assert isinstance(DevEmailBackend(), DevEmailBackend)


# -- out of the box, end to end -------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_then_the_worker_sends_the_due_messages_to_files_with_their_exact_text(
    sink: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` then `arrears worker --outbox-only --until-empty`: every due SMS and email
    is sent (none failed for want of a provider), the text in the file is the text on
    record, and the worker says so in one line."""
    call_command("demo", "--loans", "60", stdout=StringIO())
    # The worker as a person runs it, at 10:00 in Beijing (inside the contact window
    # whatever the hour the test runs) on the first day that is not a public holiday.
    day = timezone.localdate()
    while is_public_holiday(day):
        day += timedelta(days=1)
    ten = datetime.combine(day, time(10), SHANGHAI)
    OutboxMessage.objects.filter(status="queued", due_at__gt=ten).update(
        due_at=ten - timedelta(minutes=1)
    )
    due = OutboxMessage.objects.filter(status="queued", channel__in=["sms", "email"]).count()
    monkeypatch.setattr(worker_command, "send_due", functools.partial(send_due, now=lambda: ten))
    out = StringIO()

    call_command("worker", "--outbox-only", "--until-empty", "--channels", "sms,email", stdout=out)

    messages = OutboxMessage.objects.filter(channel__in=["sms", "email"])
    sent = list(messages.filter(status="sent"))
    assert due and sent
    assert not messages.filter(status__in=["queued", "claimed", "sending", "unknown"]).exists()
    # Nothing failed: a planned email to a party without an address was cancelled with
    # that reason when planned (the demo has such parties), not tried and failed.
    assert not messages.filter(status="failed").exists()
    cancelled = set(messages.filter(status="cancelled").values_list("error", flat=True))
    assert cancelled <= {"", "no email on file for this party", "no phone on file for this party"}
    sms_log = (sink / "sms.log").read_text(encoding="utf-8")
    email_log = (sink / "email.log").read_text(encoding="utf-8")
    for message in sent:
        assert message.provider_id
        assert f"\n{message.body}\n" in (sms_log if message.channel == "sms" else email_log)
    assert out.getvalue().startswith(f"sent {len(sent):,}, failed 0, deferred 0")
    # The case's timeline shows what was sent, word for word.
    sms = next(message for message in sent if message.channel == "sms")
    client = Client()
    client.force_login(User.objects.get(username="demo"))
    page = client.get(f"/cases/{sms.case_id}/").content.decode()
    assert escape(sms.body) in page
