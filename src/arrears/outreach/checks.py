"""System checks of the outreach app: the development channels (``channels.sms_dev``,
``channels.email_dev``), which write messages to files instead of sending them, are never
configured under production settings (``ARREARS_REQUIRE_SECRET=1``).

Registered as an ordinary check (not only ``--deploy``), so ``arrears migrate``, ``serve``
and ``check`` stop on it; building either channel there raises ``ImproperlyConfigured`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error

from arrears.outreach.channels.email_dev import DEV_EMAIL_BACKEND
from arrears.outreach.channels.sms import sms_provider_name


def dev_channels_check(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    """Production settings with a development channel configured is an error."""
    if not getattr(settings, "REQUIRE_SECRET", False):
        return []
    errors: list[CheckMessage] = []
    if sms_provider_name() == "dev":
        errors.append(
            Error(
                "ARREARS_SMS_PROVIDER=dev writes SMS to a file instead of sending them, and "
                "ARREARS_REQUIRE_SECRET=1 marks these settings as production.",
                hint="Set ARREARS_SMS_PROVIDER to aliyun or generic (docs/outreach.md).",
                id="arrears.outreach.E001",
            )
        )
    if getattr(settings, "EMAIL_BACKEND", "") == DEV_EMAIL_BACKEND:
        errors.append(
            Error(
                "EMAIL_BACKEND is the development backend, which writes emails to files, and "
                "ARREARS_REQUIRE_SECRET=1 marks these settings as production.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, …) for SMTP.",
                id="arrears.outreach.E002",
            )
        )
    return errors
