"""Reading settings from the environment: typed values, the secret key kept in the data
directory on a single machine, and ``DATABASE_URL`` as Django's ``DATABASES`` entry.

``settings.py`` is the one file that says which settings exist; the parsing lives here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    """``name`` as a switch: 1, true, yes or on (any case) is on; unset is ``default``."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """``name`` as a whole number; unset or empty is ``default``, anything else refused."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


# Django's own check (security.W009) asks for at least 50 characters; so do we.
SECRET_KEY_MIN_LENGTH = 50


def secret_key_of_data_dir(data_dir: Path) -> str:
    """The key generated once into ``data_dir/secret_key`` (single machine, demo): sessions
    stay valid across restarts without shipping a secret. Written to a temporary file and
    linked into place, so processes starting together all read the one key that won.
    Without a usable file the start fails: a key nobody can keep is worse than none."""
    key_file = data_dir / "secret_key"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            draft = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(50))
            try:
                os.link(draft, key_file)
            except FileExistsError:
                pass  # another process wrote it first: use theirs
            finally:
                draft.unlink()
        key = key_file.read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"No secret key: ARREARS_SECRET_KEY is not set and the key file {key_file} "
            f"cannot be written or read ({error.strerror or error}). Set ARREARS_SECRET_KEY "
            "(at least 50 random characters) or make ARREARS_DATA_DIR writable."
        ) from error
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"The key file {key_file} holds no usable secret key (fewer than "
            f"{SECRET_KEY_MIN_LENGTH} characters). Delete it to have a new one generated, "
            "or set ARREARS_SECRET_KEY."
        )
    return key


# Set to ``WEB_PROCESS`` by the WSGI entry point (``arrears.config.wsgi``): the process
# serves pages, whose database sessions are tuned for short reads.
PROCESS_ENV = "ARREARS_PROCESS"
WEB_PROCESS = "web"
PARALLEL_SETTING = "max_parallel_workers_per_gather"
PREPARE_ENV = "ARREARS_PREPARE_THRESHOLD"
DEFAULT_PREPARE_THRESHOLD = 1


def _statement_options(options: dict[str, Any]) -> None:
    """How a web process sends statements (``arrears.core.prepared``): values bound on the
    server, and a statement prepared on its second use (``ARREARS_PREPARE_THRESHOLD``: the
    uses before preparing, default 1; ``off``: bound but never prepared, for a
    transaction-mode pooler that cannot keep prepared statements). Other processes send
    statements with their values written in, Django's default."""
    if os.environ.get(PROCESS_ENV) != WEB_PROCESS:
        return
    chosen = os.environ.get(PREPARE_ENV, "").strip().lower()
    if chosen in {"off", "none", "never"}:
        threshold = None
    elif not chosen:
        threshold = DEFAULT_PREPARE_THRESHOLD
    elif chosen.isdigit():
        threshold = int(chosen)
    else:
        raise ImproperlyConfigured(f"{PREPARE_ENV} is a whole number or off, not {chosen!r}")
    options["server_side_binding"] = True
    options["prepare_threshold"] = threshold


def database_from_url(url: str) -> dict[str, object]:
    """Translate ``postgres://user:pass@host:port/name?opt=v`` into Django's DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme '{parsed.scheme}' is not supported; use postgres://"
        )
    options: dict[str, Any] = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    # JIT compilation is tuned for long analytic queries; on the cycle's statements it cost
    # ten times the execution (471 ms of JIT for a 40 ms insert), so it is off unless the
    # URL's own ``options`` say otherwise.
    options.setdefault("options", "-c jit=off")
    if os.environ.get(PROCESS_ENV) == WEB_PROCESS and PARALLEL_SETTING not in options["options"]:
        # A page reads a few hundred rows by index. A parallel plan's workers took longer
        # to start than the whole query without them (the queue at 300,000 loans: 27 ms
        # with a Gather Merge, 7 ms without), and with many collectors at once they take
        # the cores the other requests need. Batch processes (the cycle, imports) keep them.
        options["options"] = f"{options['options']} -c {PARALLEL_SETTING}=0".strip()
    _statement_options(options)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        # Persistent connections: without them PostgreSQL served 103 req/s instead of 537.
        "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        "TEST": {"NAME": os.environ.get("ARREARS_TEST_DB_NAME") or None},
    }
