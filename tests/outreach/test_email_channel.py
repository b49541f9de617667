"""The email channel against a real SMTP server on localhost (aiosmtpd in a thread)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from arrears.outreach.channels.base import Outgoing, Result
from arrears.outreach.channels.email import EmailChannel

SENDER = "collections@lender.example"
BODY = "张三您好：\n您在本公司的借款已逾期 30 天，应还 1,234.56 元，请尽快还款。"


@dataclass
class Received:
    peer: Any
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """An aiosmtpd handler keeping what it accepted; ``rcpt_replies`` refuse recipients, and
    a message to an address in ``drop_after_data`` loses its connection before the reply."""

    received: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    drop_after_data: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_after_data.intersection(envelope.rcpt_tos):
            server.transport.close()
            return "250 OK"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(session.peer, envelope.mail_from, list(envelope.rcpt_tos), message)
        )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    inbox: Inbox
    controller: Controller
    running: bool = True

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = f"某某小贷催收部 <{SENDER}>"
    settings.EMAIL_LIST_UNSUBSCRIBE = ""
    settings.ARREARS_PUBLIC_URL = ""
    server = SmtpServer(inbox, controller)
    yield server
    server.stop()


@dataclass
class Hooks:
    """Notes the adapter's calls around each provider request."""

    calls: list[tuple[str, list[int]]]

    def before(self, messages: Sequence[Outgoing], request_key: str = "") -> None:
        self.calls.append(("before", [m.message_id for m in messages]))

    def after(self, messages: Sequence[Outgoing], results: Sequence[Result]) -> None:
        self.calls.append(("after", [m.message_id for m in messages]))


def _outgoing(message_id: int, to: str, name: str = "张三") -> Outgoing:
    return Outgoing(
        message_id=message_id,
        channel="email",
        to=to,
        body=BODY,
        subject=f"还款提醒（第 {message_id} 号）",
        recipient_name=name,
        idempotency_key=f"arrears-{message_id}",
    )


def test_three_emails_arrive_over_one_connection_with_their_headers_and_chinese_body(
    smtp_server: SmtpServer, settings: Any
) -> None:
    settings.EMAIL_LIST_UNSUBSCRIBE = "unsubscribe@lender.example, https://lender.example/u"
    hooked: list[tuple[str, list[int]]] = []
    names = {1: "张三", 2: "李四", 3: "王五"}
    messages = [_outgoing(n, f"borrower{n}@example.com", name) for n, name in names.items()]

    results = EmailChannel().send(messages, Hooks(hooked))

    assert results == [
        Result("sent", provider_id="<arrears-1@arrears>"),
        Result("sent", provider_id="<arrears-2@arrears>"),
        Result("sent", provider_id="<arrears-3@arrears>"),
    ]
    received = smtp_server.inbox.received
    assert [r.rcpt_tos for r in received] == [[m.to] for m in messages]
    assert len({r.peer for r in received}) == 1
    # Each email is its own provider request: marked sending just before, recorded after.
    assert hooked == [(step, [n]) for n in (1, 2, 3) for step in ("before", "after")]
    for item, sent in zip(received, messages, strict=True):
        message = item.message
        assert item.mail_from == SENDER
        assert message["From"].addresses[0].addr_spec == SENDER
        assert message["From"].addresses[0].display_name == "某某小贷催收部"
        assert message["To"].addresses[0].addr_spec == sent.to
        assert message["To"].addresses[0].display_name == sent.recipient_name
        assert message["Subject"] == sent.subject
        assert message["Message-ID"] == f"<{sent.idempotency_key}@arrears>"
        assert message["List-Unsubscribe"] == (
            "<mailto:unsubscribe@lender.example>, <https://lender.example/u>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_charset() == "utf-8"
        assert message.get_content().replace("\r\n", "\n").rstrip("\n") == BODY


def test_a_refused_recipient_fails_that_message_alone_and_permanently(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.inbox.rcpt_replies = {
        "nobody@example.com": "550 5.1.1 No such user",
        "busy@example.com": "450 4.2.1 Mailbox busy, try later",
    }
    messages = [
        _outgoing(1, "borrower1@example.com"),
        _outgoing(2, "nobody@example.com"),
        _outgoing(3, "busy@example.com"),
        _outgoing(4, "borrower4@example.com"),
    ]

    results = EmailChannel().send(messages)

    assert [(r.outcome, r.transient) for r in results] == [
        ("sent", False),
        ("failed", False),
        ("failed", True),
        ("sent", False),
    ]
    assert "550" in results[1].error
    assert "450" in results[2].error
    received = smtp_server.inbox.received
    assert [r.rcpt_tos for r in received] == [["borrower1@example.com"], ["borrower4@example.com"]]
    assert len({r.peer for r in received}) == 1


def test_an_unreachable_server_is_a_transient_failure_of_every_message(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.stop()

    results = EmailChannel().send([_outgoing(1, "a@example.com"), _outgoing(2, "b@example.com")])

    assert [(r.outcome, r.transient) for r in results] == [("failed", True), ("failed", True)]
    assert all(r.error for r in results)


def test_a_connection_lost_after_the_data_is_unknown_and_the_next_message_still_goes(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.inbox.drop_after_data = {"lost@example.com"}

    results = EmailChannel().send(
        [_outgoing(1, "lost@example.com"), _outgoing(2, "borrower2@example.com")]
    )

    assert results[0].outcome == "unknown"
    assert results[1] == Result("sent", provider_id="<arrears-2@arrears>")
    assert [r.rcpt_tos for r in smtp_server.inbox.received] == [["borrower2@example.com"]]


def test_without_an_unsubscribe_setting_the_senders_own_mailbox_is_the_opt_out(
    smtp_server: SmtpServer, settings: Any
) -> None:
    settings.EMAIL_LIST_UNSUBSCRIBE = ""
    settings.ARREARS_PUBLIC_URL = ""

    results = EmailChannel().send([_outgoing(7, "a@example.com")])

    message = smtp_server.inbox.received[0].message
    assert results == [Result("sent", provider_id="<arrears-7@arrears>")]
    # (A long header may be folded onto its next line: unfolded, it is the mailbox.)
    assert message["List-Unsubscribe"].strip() == (
        f"<mailto:{SENDER}?subject=unsubscribe%20arrears-7>"
    )
    # A mailbox is no one-click target: RFC 8058's header goes only with an https link.
    assert "List-Unsubscribe-Post" not in message


def test_an_https_unsubscribe_target_gets_the_one_click_header(
    smtp_server: SmtpServer, settings: Any
) -> None:
    settings.EMAIL_LIST_UNSUBSCRIBE = "https://lender.example/unsubscribe"
    settings.ARREARS_PUBLIC_URL = ""

    EmailChannel().send([_outgoing(8, "a@example.com")])

    message = smtp_server.inbox.received[0].message
    assert message["List-Unsubscribe"] == "<https://lender.example/unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
