"""The configured SMS channel, chosen from the environment at call time.

Variables (read when ``sms_channel_from_settings`` is called, so tests can set them):

- ``ARREARS_SMS_PROVIDER``: ``aliyun``, ``generic``, ``dev`` or ``none``. Unset, it is
  ``dev`` (``sms_dev``: each SMS written to ``ARREARS_DATA_DIR/dev-outbox/sms.log``) unless
  the settings are production's (``ARREARS_REQUIRE_SECRET=1``), where it is ``none``: every
  message fails permanently ("no SMS provider configured") rather than pretending to send.
  ``dev`` under production settings is refused (``ImproperlyConfigured``).
- ``ARREARS_SMS_URL``: the gateway URL; required for ``generic``; for ``aliyun`` it defaults
  to ``https://dysmsapi.aliyuncs.com/``.
- ``ARREARS_SMS_ACCESS_KEY_ID``, ``ARREARS_SMS_ACCESS_KEY_SECRET``, ``ARREARS_SMS_SIGN_NAME``
  (签名), ``ARREARS_SMS_REGION`` (default ``cn-hangzhou``): Aliyun.
- ``ARREARS_SMS_TOKEN``: the generic gateway's bearer token.
- ``ARREARS_SMS_TIMEOUT``: seconds per network operation (default 10).
- ``ARREARS_SMS_STATUS_WINDOW``: seconds after a request before "the provider has no record
  of it" is believed and the message is sent again (default 600).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from arrears.outreach.channels.base import Channel, Outgoing, RequestHooks, Result
from arrears.outreach.channels.sms_aliyun import ALIYUN_ENDPOINT, AliyunSmsChannel
from arrears.outreach.channels.sms_dev import DevSmsChannel
from arrears.outreach.channels.sms_generic import GenericSmsChannel

__all__ = ["NoSmsChannel", "sms_channel_from_settings", "sms_provider_name"]

PROVIDERS = ("aliyun", "generic", "dev", "none")


class NoSmsChannel:
    """The channel when no SMS provider is configured: every message fails permanently."""

    name = "sms"
    max_batch = 1000

    def send(self, messages: Sequence[Outgoing], hooks: RequestHooks | None = None) -> list[Result]:
        """Fail each message with a reason an operator can act on."""
        return [Result("failed", error="no SMS provider configured")] * len(messages)


def _required(name: str, provider: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when ARREARS_SMS_PROVIDER={provider}")
    return value


def _timeout() -> float:
    raw = os.environ.get("ARREARS_SMS_TIMEOUT", "").strip() or "10"
    try:
        timeout = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"ARREARS_SMS_TIMEOUT must be seconds, got {raw!r}") from None
    if timeout <= 0:
        raise ImproperlyConfigured(f"ARREARS_SMS_TIMEOUT must be positive, got {raw!r}")
    return timeout


def _status_window() -> float:
    raw = os.environ.get("ARREARS_SMS_STATUS_WINDOW", "").strip() or "600"
    try:
        window = float(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"ARREARS_SMS_STATUS_WINDOW must be seconds, got {raw!r}"
        ) from None
    if window < 0:
        raise ImproperlyConfigured(f"ARREARS_SMS_STATUS_WINDOW must be >= 0, got {raw!r}")
    return window


def sms_provider_name() -> str:
    """``ARREARS_SMS_PROVIDER``, or its default: ``dev`` outside production, ``none`` in it."""
    provider = os.environ.get("ARREARS_SMS_PROVIDER", "").strip().lower()
    if provider:
        return provider
    return "none" if getattr(settings, "REQUIRE_SECRET", False) else "dev"


def sms_channel_from_settings() -> Channel:
    """Build the SMS adapter that ``ARREARS_SMS_*`` describe.

    Raises ``ImproperlyConfigured`` naming the missing or wrong variable. Each call builds a
    new adapter with its own connection; keep one per worker thread.
    """
    provider = sms_provider_name()
    if provider == "none":
        return NoSmsChannel()
    if provider == "dev":
        return DevSmsChannel()  # refuses production settings
    if provider == "aliyun":
        return AliyunSmsChannel(
            _required("ARREARS_SMS_ACCESS_KEY_ID", provider),
            _required("ARREARS_SMS_ACCESS_KEY_SECRET", provider),
            _required("ARREARS_SMS_SIGN_NAME", provider),
            endpoint=os.environ.get("ARREARS_SMS_URL", "").strip() or ALIYUN_ENDPOINT,
            region=os.environ.get("ARREARS_SMS_REGION", "").strip() or "cn-hangzhou",
            timeout=_timeout(),
            status_window=_status_window(),
        )
    if provider == "generic":
        return GenericSmsChannel(
            _required("ARREARS_SMS_URL", provider),
            _required("ARREARS_SMS_TOKEN", provider),
            timeout=_timeout(),
            status_window=_status_window(),
        )
    raise ImproperlyConfigured(
        f"ARREARS_SMS_PROVIDER must be aliyun, generic, dev or none, got {provider!r}"
    )
