"""Where the data keys' settings are read: one reader for the encryption keys
(``core.crypto``) and the audit chain's key (``core.audit_keys``), so both obey the same
production switch.

A key is a Django setting of the same name as its environment variable (settings.py reads
the environment), or, where settings.py does not name it, the environment itself.
"""

from __future__ import annotations

import os

from django.conf import settings

_TRUE = {"1", "true", "yes", "on"}


def secret_setting(name: str) -> str:
    """The setting ``name``, else the environment variable ``name``; "" when neither."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip()


def secrets_required() -> bool:
    """Production's switch (``ARREARS_REQUIRE_SECRET``, read by settings.py into
    ``REQUIRE_SECRET``): keys only from the environment, never generated into files."""
    required = getattr(settings, "REQUIRE_SECRET", None)
    if required is not None:
        return bool(required)
    return secret_setting("ARREARS_REQUIRE_SECRET").lower() in _TRUE
