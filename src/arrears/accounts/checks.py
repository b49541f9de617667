"""Deployment checks of Arrears' own (``arrears check --deploy``), beside Django's: the
secret key and the data keys must come from the environment, the sign-in throttle must be
in place, sessions must end. Registered by the accounts app (``AccountsConfig`` below, named
in INSTALLED_APPS) since signing in is what the key and the throttle protect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

from arrears.accounts.apps import AccountsConfig as AccountsAppConfig

THROTTLE_BACKEND = "arrears.accounts.throttle.SignInThrottleBackend"
SESSION_MAX_HOURS_ADVISED = 24


def secret_key_check(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    """The key that signs sessions and CSRF tokens should be the operator's, from the
    environment: a key generated into the data directory is lost with it, differs between
    machines, and is readable by anyone who can read the data directory."""
    if getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", False):
        return []
    return [
        CheckWarning(
            "SECRET_KEY is not set from the environment: it was generated into "
            f"{settings.DATA_DIR / 'secret_key'}.",
            hint="Set ARREARS_SECRET_KEY (at least 50 random characters) and "
            "ARREARS_REQUIRE_SECRET=1; see docs/deployment.md.",
            id="arrears.W001",
        )
    ]


def sign_in_throttle_check(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    """Both sign-in pages are throttled only while the throttle backend comes first."""
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", []))
    if backends[:1] == [THROTTLE_BACKEND] and getattr(settings, "AXES_ENABLED", True):
        return []
    return [
        CheckWarning(
            "The sign-in throttle is off: repeated wrong passwords are not limited.",
            hint=f"Keep {THROTTLE_BACKEND} first in AUTHENTICATION_BACKENDS and AXES_ENABLED on.",
            id="arrears.W002",
        )
    ]


def session_lifetime_check(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    """A session left open on a shared office computer is someone else's access to debtors'
    personal data: it must end when idle and after a working day."""
    max_seconds = int(getattr(settings, "ARREARS_SESSION_MAX_SECONDS", 0))
    if 0 < max_seconds <= SESSION_MAX_HOURS_ADVISED * 3600:
        return []
    return [
        CheckWarning(
            f"Sessions may last longer than {SESSION_MAX_HOURS_ADVISED} hours "
            "(ARREARS_SESSION_MAX_HOURS).",
            hint="Set ARREARS_SESSION_MAX_HOURS to a working day (default 12).",
            id="arrears.W003",
        )
    ]


# The keys that protect what sits in the database: field encryption, the blind index and
# the audit chain's HMAC. Generated into the data directory they would sit beside the data
# they protect (and in every copy of it), so production gives them from the environment.
DATA_KEYS = ("ARREARS_FIELD_KEYS", "ARREARS_INDEX_KEY", "ARREARS_AUDIT_KEY")


def data_keys_check(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    """The encryption, blind-index and audit keys should come from the environment."""
    missing = [name for name in DATA_KEYS if not str(getattr(settings, name, "") or "").strip()]
    if not missing:
        return []
    return [
        CheckWarning(
            f"{', '.join(missing)} not set from the environment: the key files in "
            f"{settings.DATA_DIR} are used, next to the data they protect.",
            hint="Set them from your secret store (`arrears keys generate` prints field and "
            "index keys); see docs/security.md and docs/deployment.md.",
            id="arrears.W004",
        )
    ]


class AccountsConfig(AccountsAppConfig):
    """The accounts app with the deployment checks above registered."""

    def ready(self) -> None:
        super().ready()
        register(Tags.security, deploy=True)(secret_key_check)
        register(Tags.security, deploy=True)(sign_in_throttle_check)
        register(Tags.security, deploy=True)(session_lifetime_check)
        register(Tags.security, deploy=True)(data_keys_check)
