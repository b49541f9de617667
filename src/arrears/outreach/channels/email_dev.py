"""The development email backend (the default ``EMAIL_BACKEND`` outside production when
neither ``EMAIL_BACKEND`` nor ``EMAIL_HOST`` is set): each email is appended, readable, to
``ARREARS_DATA_DIR/dev-outbox/email.log`` (time, to, subject, the exact text) and saved
whole as ``dev-outbox/email/<time>-<Message-ID>.eml``.

A Django email backend, so the outreach email channel works through it unchanged and its
messages are ``sent`` with their Message-ID as the provider id. Under production settings
(``ARREARS_REQUIRE_SECRET=1``) it refuses to open.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from arrears.outreach.channels.dev_sink import (
    EMAIL_DIR,
    EMAIL_LOG,
    dev_outbox_dir,
    refuse_in_production,
    sink_append,
    sink_entry,
    sink_time,
)

DEV_EMAIL_BACKEND = "arrears.outreach.channels.email_dev.EmailBackend"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class EmailBackend(BaseEmailBackend):
    """Writes emails to the dev outbox instead of a mail server."""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        refuse_in_production("The development email backend")
        super().__init__(fail_silently=fail_silently, **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = dev_outbox_dir() / EMAIL_DIR
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            at = sink_time()
            message_id = str(message.extra_headers.get("Message-ID", "")) or f"<{sent}@dev>"
            name = _UNSAFE.sub("-", f"{timezone.now():%Y%m%dT%H%M%S%f}-{message_id}").strip("-")
            (folder / f"{name}.eml").write_bytes(message.message().as_bytes(linesep="\n"))
            sink_append(
                EMAIL_LOG,
                sink_entry(
                    [
                        ("time", at),
                        ("to", ", ".join(message.to)),
                        ("from", str(message.from_email)),
                        ("subject", str(message.subject)),
                        ("message-id", message_id),
                        ("file", f"{EMAIL_DIR}/{name}.eml"),
                    ],
                    str(message.body),
                ),
            )
            sent += 1
        return sent
