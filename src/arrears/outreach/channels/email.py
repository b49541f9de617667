"""The email channel: messages through Django's email backend (SMTP in production).

One connection serves a whole batch, but each message is its own SMTP transaction, so a
refused address fails that message alone. What a failure means for the worker:

- the server refused the recipient, the sender or the message with a 5xx reply: a permanent
  failure (a 4xx reply, such as greylisting, is transient);
- the connection could not be opened, or broke or timed out before the message's final
  ``.`` was written: transient, since the server cannot have accepted the message;
- the connection broke or timed out after the final ``.`` was written and before the
  server's reply was read: ``unknown``, since the server may have queued the message.

The ``Message-ID`` is derived from the idempotency key, so every attempt of one message
carries the same id and a receiving system can recognise a repeat. SMTP has no way to ask
later whether a message was taken, so an ``unknown`` email stays for a person to check.

Every email carries a working opt-out (RFC 2369 ``List-Unsubscribe``): the targets of
``EMAIL_LIST_UNSUBSCRIBE`` when set, else the sender's own mailbox (``DEFAULT_FROM_EMAIL``,
a mailbox that exists and is read) with the message's key in the subject, plus Arrears' own
one-click link when ``ARREARS_PUBLIC_URL`` is an https address (``unsubscribe_url``).
With an https target the RFC 8058 ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``
header goes too.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from collections.abc import Callable, Sequence
from email.utils import formataddr, parseaddr
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from arrears.outreach.channels.base import Outgoing, RequestHooks, Result
from arrears.outreach.unsubscribe import unsubscribe_url

MESSAGE_ID_DOMAIN = "arrears"
# RFC 5322 dot-atom text: what may stand left of the "@" of a Message-ID unquoted.
_NOT_ATOM_TEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
# The end of the DATA payload smtplib writes: once it is out, the server may accept.
_END_OF_DATA = b"\r\n.\r\n"


def message_id_for(message: Outgoing) -> str:
    """The ``Message-ID`` of every attempt of ``message``: ``<{idempotency_key}@arrears>``."""
    key = message.idempotency_key or f"outbox-{message.message_id}"
    local = _NOT_ATOM_TEXT.sub("-", key).strip(".") or f"outbox-{message.message_id}"
    return f"<{local}@{MESSAGE_ID_DOMAIN}>"


def default_unsubscribe(message: Outgoing, from_email: str) -> str:
    """The sender's own mailbox, the subject naming the message, when nothing else is set."""
    address = parseaddr(from_email)[1]
    if "@" not in address:
        return ""
    key = message.idempotency_key or f"outbox-{message.message_id}"
    return f"mailto:{address}?subject={quote(f'unsubscribe {key}')}"


def list_unsubscribe_header(targets: str) -> str:
    """``mailto:x@y, https://…`` (or a bare address) → ``<mailto:x@y>, <https://…>``."""
    parts = []
    for raw in targets.split(","):
        target = raw.strip().strip("<>").strip()
        if not target:
            continue
        if "@" in target and ":" not in target:
            target = f"mailto:{target}"
        parts.append(f"<{target}>")
    return ", ".join(parts)


class _DataWatch:
    """Notes whether the current message's final ``.`` has been written to the server.

    Django's SMTP backend hides the SMTP dialogue, so the watch wraps the ``send`` of the
    backend's ``smtplib.SMTP`` object: a failure after the payload went out is ``unknown``.
    """

    def __init__(self) -> None:
        self.data_sent = False

    def attach(self, backend: BaseEmailBackend) -> None:
        smtp = getattr(backend, "connection", None)
        if not isinstance(smtp, smtplib.SMTP) or getattr(smtp, "_arrears_watched", False):
            return
        original = smtp.send

        def send(payload: Any) -> None:
            original(payload)
            if isinstance(payload, bytes | bytearray) and payload.endswith(_END_OF_DATA):
                self.data_sent = True

        smtp.send = send  # type: ignore[method-assign, assignment]
        smtp._arrears_watched = True  # type: ignore[attr-defined]


def _reply_codes(exc: smtplib.SMTPException) -> list[int]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return [code for code, _ in exc.recipients.values()]
    if isinstance(exc, smtplib.SMTPResponseException):
        return [exc.smtp_code]
    return []


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
    return f"{type(exc).__name__}: {text}"[:500]


def classify(exc: BaseException, *, data_sent: bool) -> Result:
    """The result for a message whose send raised ``exc``."""
    error = _describe(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException):
        codes = _reply_codes(exc)
        # Every refusal a 4xx (greylisting, a full mailbox, a busy server): try again later.
        transient = bool(codes) and all(400 <= code < 500 for code in codes)
        return Result("failed", transient=transient, error=error)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Result("failed", error=error)
    # Every other SMTPException is a broken connection; socket errors and timeouts are too.
    if isinstance(exc, OSError):
        if data_sent:
            return Result("unknown", error=error)
        return Result("failed", transient=True, error=error)
    # A malformed address or header (ValueError) never gets better by retrying.
    return Result("failed", error=error)


class EmailChannel:
    """Sends ``Outgoing`` emails through ``django.core.mail``; ``from_email`` defaults to
    ``DEFAULT_FROM_EMAIL`` and ``list_unsubscribe`` to ``EMAIL_LIST_UNSUBSCRIBE``."""

    name = "email"
    max_batch = 50

    def __init__(
        self,
        *,
        from_email: str | None = None,
        list_unsubscribe: str | None = None,
        connection_factory: Callable[[], BaseEmailBackend] | None = None,
        unsubscribe_link: Callable[[Outgoing], str] | None = None,
    ) -> None:
        self._from_email = from_email
        self._list_unsubscribe = list_unsubscribe
        # Arrears' own one-click link for a message (``outreach.unsubscribe``), or "".
        self._unsubscribe_link = unsubscribe_link or (lambda m: unsubscribe_url(m.message_id))
        self._connection_factory = connection_factory or (
            lambda: get_connection(fail_silently=False)
        )

    def build(self, message: Outgoing, connection: BaseEmailBackend | None = None) -> EmailMessage:
        """The ``EmailMessage`` for ``message``: UTF-8, with its Message-ID and headers."""
        headers = {"Message-ID": message_id_for(message)}
        from_email = self._from_email or settings.DEFAULT_FROM_EMAIL
        configured = (
            self._list_unsubscribe
            if self._list_unsubscribe is not None
            else getattr(settings, "EMAIL_LIST_UNSUBSCRIBE", "")
        )
        targets = [
            self._unsubscribe_link(message),
            configured.strip() or default_unsubscribe(message, from_email),
        ]
        unsubscribe = list_unsubscribe_header(", ".join(t for t in targets if t))
        if unsubscribe:
            headers["List-Unsubscribe"] = unsubscribe
            if "<https://" in unsubscribe:
                # RFC 8058: a mail program may unsubscribe with one POST, no page to read.
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        to = message.to.strip()
        if message.recipient_name and "<" not in to:
            to = formataddr((message.recipient_name, to))
        return EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=from_email,
            to=[to],
            headers=headers,
            connection=connection,
        )

    def send(self, messages: Sequence[Outgoing], hooks: RequestHooks | None = None) -> list[Result]:
        """Send each message as its own SMTP transaction over one connection; ``hooks`` are
        called around each (one email is one provider request)."""
        results: list[Result] = []
        if not messages:
            return results
        connection = self._connection_factory()
        watch = _DataWatch()
        opened = False
        try:
            for message in messages:
                if not opened:
                    try:
                        connection.open()
                    except Exception as exc:
                        # The server is unreachable: nothing of the rest can go now either.
                        failure = Result("failed", transient=True, error=_describe(exc))
                        results.extend(failure for _ in range(len(messages) - len(results)))
                        return results
                    opened = True
                    watch.attach(connection)
                watch.data_sent = False
                if hooks is not None:
                    hooks.before([message])
                results.append(self._send_one(connection, message, watch))
                if hooks is not None:
                    hooks.after([message], results[-1:])
                if results[-1].outcome != "sent" and self._connection_lost(connection):
                    # A broken connection is closed and opened afresh for the next message.
                    self._close(connection)
                    opened = False
        finally:
            if opened:
                self._close(connection)
        return results

    def _send_one(
        self, connection: BaseEmailBackend, message: Outgoing, watch: _DataWatch
    ) -> Result:
        try:
            email = self.build(message, connection)
            sent = connection.send_messages([email])
        except Exception as exc:
            return classify(exc, data_sent=watch.data_sent)
        if sent != 1:
            return Result("failed", error="the email backend sent nothing (no recipient?)")
        return Result("sent", provider_id=message_id_for(message))

    @staticmethod
    def _connection_lost(connection: BaseEmailBackend) -> bool:
        smtp = getattr(connection, "connection", None)
        return isinstance(smtp, smtplib.SMTP) and getattr(smtp, "sock", None) is None

    @staticmethod
    def _close(connection: BaseEmailBackend) -> None:
        # Closing a broken connection may fail too; there is nothing left to do about it.
        with contextlib.suppress(Exception):
            connection.close()
