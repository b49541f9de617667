"""Emails carry a working opt-out by default: the List-Unsubscribe header (Arrears' own
one-click link when it has a public https address, and the sender's mailbox) and a line
about it — not the SMS convention 回复TD退订, which SMS keep. Through the real worker to a
real SMTP server on localhost."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from arrears.compliance.models import Hold
from arrears.outreach.channels.email import EmailChannel
from arrears.outreach.models import OutboxMessage
from arrears.outreach.sender import Liveness, send_due
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv
from tests.outreach.test_email_channel import SENDER, SmtpServer, smtp_server  # noqa: F401
from tests.outreach.test_worker import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(creditor: Creditor, tmp_path: Path) -> Loan:
    """A loan whose borrower has an email: the consumer playbook plans an email reminder
    for 2026-03-01."""
    row = loan_row("E1", borrower_phone="13800138000", borrower_email="zhang@example.com")
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", [row]))
    call_command("cycle", "--date", "2026-03-01", stdout=StringIO())
    return Loan.objects.get(loan_id="E1")


def test_an_email_carries_a_one_click_opt_out_that_places_the_hold(
    loan: Loan,
    smtp_server: SmtpServer,  # noqa: F811
    settings: Any,
    client: Client,
) -> None:
    settings.ARREARS_PUBLIC_URL = "https://arrears.lender.example"

    handed = send_due({"email": EmailChannel()}, Liveness(), now=lambda: at("2026-03-01T10:00"))

    message = OutboxMessage.objects.get(channel="email")
    received = smtp_server.inbox.received
    assert handed == 1 and message.status == "sent" and len(received) == 1
    email = received[0].message
    link, mailbox = (t.strip().strip("<>") for t in email["List-Unsubscribe"].split(","))
    assert link.startswith("https://arrears.lender.example/api/v1/outreach/unsubscribe/")
    assert mailbox.startswith(f"mailto:{SENDER}?subject=unsubscribe")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = email.get_content().replace("\r\n", "\n").strip()
    assert body == message.body and "回复TD退订" not in body
    assert body.endswith("请点击邮件程序中的“退订”按钮，或回复本邮件注明“退订”。")

    # The mail program's one click (RFC 8058): a POST to the link, no page, no sign-in.
    clicked = client.post(
        urlsplit(link).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    again = client.post(urlsplit(link).path, data="List-Unsubscribe=One-Click",
                        content_type="application/x-www-form-urlencoded")  # fmt: skip
    forged = client.post(urlsplit(link).path[:-3] + "xyz")

    assert clicked.status_code == 200 and clicked.json() == {
        "unsubscribed": True,
        "hold_placed": True,
    }
    assert again.json()["hold_placed"] is False
    assert forged.status_code == 403 and "detail" in forged.json()
    hold = Hold.objects.get()
    assert (hold.kind, hold.channel, hold.party_id) == ("opt_out", "email", message.party_id)


def test_sms_keep_the_reply_td_opt_out(loan: Loan) -> None:
    from arrears.outreach.composing import compose

    rows = list(OutboxMessage.objects.filter(channel__in=["sms", "email"]).select_related("loan"))
    made = compose(rows, at("2026-03-01T10:00"))

    by_channel = {row.channel: made[row.pk] for row in rows}
    assert "回复TD退订" in by_channel["sms"].body  # type: ignore[union-attr]
    assert "回复TD退订" not in by_channel["email"].body  # type: ignore[union-attr]
