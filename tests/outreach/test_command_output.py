"""Output a person can follow: the worker's one-line summary, ``arrears outbox --failed``
with the reasons, and progress bars only on a terminal."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from arrears.core.progress import progress
from arrears.cycle.management.commands import worker as worker_command
from arrears.outreach.models import OutboxMessage
from arrears.outreach.sender import send_due
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Terminal(StringIO):
    """Standard error as a terminal a person watches."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def loan(
    creditor: Creditor, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Loan:
    """A consumer loan with a phone and no email, DPD 1 on 2026-03-01: its SMS reminder
    goes to the development channel."""
    settings.REQUIRE_SECRET = False
    settings.ARREARS_DEV_OUTBOX_DIR = str(tmp_path / "dev-outbox")
    monkeypatch.delenv("ARREARS_SMS_PROVIDER", raising=False)
    row = loan_row("S1", borrower_phone="13800138000", borrower_email="")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    call_command("cycle", "--date", "2026-03-01", stdout=StringIO())
    return Loan.objects.get(loan_id="S1")


def worker_at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> Callable[..., str]:
    """``arrears worker --outbox-only --until-empty`` as if run at ``when``."""
    monkeypatch.setattr(worker_command, "send_due", functools.partial(send_due, now=lambda: when))

    def run(*args: str) -> str:
        out = StringIO()
        call_command("worker", "--outbox-only", "--until-empty", *args, stdout=out)
        return out.getvalue()

    return run


def test_the_worker_prints_what_became_of_the_messages_in_one_line(
    loan: Loan, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The playbook planned an SMS and an email; the borrower has no email address, so the
    # email entered the outbox cancelled with that reason and the worker never tries it.
    assert sorted(OutboxMessage.objects.values_list("channel", flat=True)) == ["email", "sms"]
    email = OutboxMessage.objects.get(channel="email")
    assert (email.status, email.error) == ("cancelled", "no email on file for this party")

    printed = worker_at(monkeypatch, at("2026-03-01T10:00"))("--channels", "sms,email")

    assert printed == "sent 1, failed 0, deferred 0\n"


def test_a_message_taken_in_quiet_hours_is_counted_deferred_with_the_reason(
    loan: Loan, monkeypatch: pytest.MonkeyPatch
) -> None:
    OutboxMessage.objects.filter(channel="sms").update(due_at=at("2026-03-01T21:59:30"))

    printed = worker_at(monkeypatch, at("2026-03-01T22:00:05"))("--channels", "sms")

    assert printed == "sent 0, failed 0, deferred 1 (quiet hours)\n"
    assert OutboxMessage.objects.get(channel="sms").status == "queued"


def test_outbox_failed_lists_each_failure_with_its_reason_and_a_masked_recipient(
    loan: Loan, monkeypatch: pytest.MonkeyPatch
) -> None:
    sms = OutboxMessage.objects.get(channel="sms")
    worker_at(monkeypatch, at("2026-03-01T10:00"))("--channels", "sms,email")
    OutboxMessage.objects.filter(channel="email").update(
        status="failed", error="550 mailbox unavailable"
    )
    OutboxMessage.objects.filter(pk=sms.pk).update(
        status="failed", error="number refused by the operator"
    )

    text, raw = StringIO(), StringIO()
    call_command("outbox", "--failed", stdout=text)
    call_command("outbox", "--failed", "--json", stdout=raw)

    lines = text.getvalue().splitlines()
    assert lines[0] == "2 failed messages:"
    assert any("email" in line and "550 mailbox unavailable" in line for line in lines)
    [sms_line] = [line for line in lines if " sms " in line]
    assert "number refused by the operator" in sms_line and "13800138000" not in sms_line
    assert "138****8000" in sms_line
    answer = json.loads(raw.getvalue())
    assert answer["failed"] == 2
    by_channel = {m["channel"]: m for m in answer["messages"]}
    assert by_channel["sms"]["reason"] == "number refused by the operator"
    assert by_channel["sms"]["to"] == "138****8000" and by_channel["sms"]["id"] == sms.pk
    assert by_channel["email"]["to"] == "" and by_channel["email"]["purpose"]
    assert set(by_channel["sms"]) >= {"id", "channel", "to", "template", "failed_at", "reason"}
    counts = StringIO()
    call_command("outbox", "--json", stdout=counts)
    assert json.loads(counts.getvalue())["sms"] == {"failed": 1}  # the old contract holds


def test_outbox_failed_on_a_clean_outbox_says_so(loan: Loan) -> None:
    out = StringIO()
    call_command("outbox", "--failed", stdout=out)
    assert out.getvalue() == "No failed messages.\n"


def test_the_worker_draws_a_bar_on_a_terminal_and_keeps_stdout_to_the_summary(
    loan: Loan, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    OutboxMessage.objects.filter(channel="sms").update(due_at=at("2020-01-01T09:00"))

    printed = worker_at(monkeypatch, at("2026-03-01T10:00"))("--channels", "sms")

    assert printed == "sent 1, failed 0, deferred 0\n"
    drawn = terminal.getvalue()
    assert "outbox" in drawn and "100%" in drawn and "msg/s" in drawn
    assert drawn.count("outbox") == 2  # one bar (drawn, then done); none for the empty pass


def test_no_bar_when_standard_error_is_not_a_terminal(
    loan: Loan, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = StringIO()
    monkeypatch.setattr("sys.stderr", piped)

    worker_at(monkeypatch, at("2026-03-01T10:00"))("--channels", "sms")

    assert piped.getvalue() == ""


def test_the_progress_helper_draws_rate_and_eta_only_when_forced_or_on_a_terminal() -> None:
    forced, piped = StringIO(), StringIO()

    with progress(total=4, desc="work", unit="row", stream=forced, force=True) as bar:
        bar.update(2)
        bar.update(2)
    with progress(total=4, desc="work", unit="row", stream=piped) as bar:
        bar.update(4)

    assert "work" in forced.getvalue() and "100%" in forced.getvalue()
    assert "row/s" in forced.getvalue() and "<" in forced.getvalue()  # rate, elapsed<ETA
    assert piped.getvalue() == ""


def test_the_letters_batch_draws_letters_merged_on_a_terminal_and_keeps_json_pure(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arrears.outreach.channels.letter import LetterChannel
    from tests.outreach.test_letters import DAY, _letter, _require_cjk_font

    _require_cjk_font()
    settings.DATA_DIR = tmp_path
    LetterChannel(business_date=DAY).send([_letter(1, "张三"), _letter(2, "李四")])
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = StringIO()

    call_command("letters", "batch", "--date", DAY.isoformat(), "--json", stdout=out)

    assert json.loads(out.getvalue())["letters"] == 2
    drawn = terminal.getvalue()
    assert "letters" in drawn and "100%" in drawn and "letter/s" in drawn
