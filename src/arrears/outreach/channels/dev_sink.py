"""The development sink: where the dev SMS channel and the dev email backend put messages.

Out of the box (no SMS provider, no mail server, not production) Arrears "sends" into
files a person can read, under ``ARREARS_DATA_DIR/dev-outbox/``:

- ``sms.log``: one entry per SMS — time, number, the message's key, the exact text;
- ``email.log``: one entry per email — time, recipient, subject, the exact text;
- ``email/``: each email as a whole ``.eml`` file (headers included), to open in a mail
  program.

Never used under production settings (``ARREARS_REQUIRE_SECRET=1``): building either sink
there raises ``ImproperlyConfigured``, and the checks ``arrears.outreach.E001``/``E002`` name it.
The addresses written are the real ones of the (demo) data, so the files stay local.
"""

from __future__ import annotations

import fcntl
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

DEV_OUTBOX = "dev-outbox"
SMS_LOG = "sms.log"
EMAIL_LOG = "email.log"
EMAIL_DIR = "email"


def dev_outbox_dir() -> Path:
    """``ARREARS_DATA_DIR/dev-outbox`` (``ARREARS_DEV_OUTBOX_DIR`` moves it)."""
    configured = getattr(settings, "ARREARS_DEV_OUTBOX_DIR", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / DEV_OUTBOX


def refuse_in_production(what: str) -> None:
    """The dev sinks deliver to nobody: production settings must never use them."""
    if getattr(settings, "REQUIRE_SECRET", False):
        raise ImproperlyConfigured(
            f"{what} writes messages to files instead of sending them and must not be used"
            " with ARREARS_REQUIRE_SECRET=1: configure a real provider (docs/outreach.md)."
        )


def sink_time(at: datetime | None = None) -> str:
    return timezone.localtime(at or timezone.now()).isoformat(timespec="seconds")


def sink_append(name: str, entry: str) -> Path:
    """Append ``entry`` (ending with a separator line) to ``dev-outbox/<name>``, under an
    exclusive lock so several workers' entries never interleave."""
    folder = dev_outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("a", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            file.write(entry)
            file.flush()
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
    return path


def sink_entry(fields: list[tuple[str, str]], text: str) -> str:
    """One readable entry: ``name: value`` lines, a blank line, the exact text, a rule."""
    head = "".join(f"{name}: {value}\n" for name, value in fields)
    return f"{head}\n{text}\n{'-' * 60}\n"
