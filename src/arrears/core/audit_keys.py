"""The audit chain's keys, kept outside the database.

Where the keys come from, in order:

1. ``ARREARS_AUDIT_KEY`` (base64 or hex, at least 32 bytes): the key new entries are signed
   with; ``ARREARS_AUDIT_OLD_KEYS`` (comma-separated, same forms) keeps retired keys so older
   entries still verify.
2. Otherwise, unless ``ARREARS_REQUIRE_SECRET`` is set (then a missing key is an error), the
   file ``audit_keys`` under ``DATA_DIR``: one base64 key a line, the last line the current
   key, created 0600 with a random key on first use. This serves the demo and tests; a
   production installation sets the environment and keeps the key in its secret store.

A key is named by its fingerprint (``key_id_of``), stored on every keyed entry.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from arrears.core.audit_chain import key_id_of
from arrears.core.secret_settings import secret_setting, secrets_required

KEY_FILE_NAME = "audit_keys"
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class Keyring:
    """The current signing key and every key that may have signed an entry."""

    current_id: str
    keys: dict[str, bytes]
    path: Path | None  # the key file, or None when the keys come from the environment

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


def key_decode(text: str, *, name: str) -> bytes:
    """A key from its hex or base64 form; at least 32 bytes, or a clear error."""
    text = text.strip()
    key: bytes | None = None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        standard = text.replace("-", "+").replace("_", "/").rstrip("=")
        try:
            key = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        except (binascii.Error, ValueError):
            key = None
    if key is None or len(key) < MIN_KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must be a key of at least {MIN_KEY_BYTES} bytes in hex or base64 "
            '(make one with: python -c "import secrets; print(secrets.token_hex(32))")'
        )
    return key


def key_new() -> str:
    """A fresh random key in base64, as the key file and the environment take it."""
    return base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode()


def _file_create(path: Path) -> None:
    """Write a first key so that two processes starting at once end with the same one:
    each writes its own temporary file and links it into place; the loser reads the winner's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key_new() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def key_file_append(path: Path, key_text: str) -> None:
    """Add a new current key to the file, atomically (readers see the old or the new file)."""
    try:
        lines = path.read_text().splitlines()
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write("\n".join([*lines, key_text]) + "\n")
        os.replace(temporary, path)
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot add a key to {path} ({error.strerror or error}); nothing was rotated."
        ) from error


_cache: dict[tuple[object, ...], Keyring] = {}


def keyring() -> Keyring:
    """The keys in force. Cheap on every call (one ``stat`` in file mode), since every
    audited write asks: the parsed keys are cached until the environment or the file
    changes, so a rekey by another process is seen by the next entry."""
    current = secret_setting("ARREARS_AUDIT_KEY")
    old = secret_setting("ARREARS_AUDIT_OLD_KEYS")
    if len(_cache) > 16:
        _cache.clear()  # keys seen before a rotation or a changed setting
    if current:
        marker: tuple[object, ...] = ("env", current, old)
        if marker not in _cache:
            _cache[marker] = _env_keyring(current, old)
        return _cache[marker]
    if secrets_required():
        raise ImproperlyConfigured(
            "ARREARS_AUDIT_KEY must be set when ARREARS_REQUIRE_SECRET is on: the audit "
            "chain is signed with it, and a key in the database directory is not kept apart "
            "from the database (see docs/security.md, 'Audit chain')"
        )
    name = os.path.join(settings.DATA_DIR, KEY_FILE_NAME)  # a str: this runs per entry
    try:
        try:
            stat = os.stat(name)
        except FileNotFoundError:
            _file_create(Path(name))
            stat = os.stat(name)
        marker = ("file", name, stat.st_mtime_ns, stat.st_size, stat.st_ino, old)
        if marker not in _cache:
            _cache[marker] = _file_keyring(Path(name), old)
    except OSError as error:
        raise ImproperlyConfigured(
            f"No audit key: ARREARS_AUDIT_KEY is not set and the key file {name} cannot be "
            f"written or read ({error.strerror or error}). Set ARREARS_AUDIT_KEY or make "
            "ARREARS_DATA_DIR writable."
        ) from error
    return _cache[marker]


def _env_keyring(current: str, old: str) -> Keyring:
    key = key_decode(current, name="ARREARS_AUDIT_KEY")
    keys = {key_id_of(key): key}
    for text in filter(None, (part.strip() for part in old.split(","))):
        retired = key_decode(text, name="ARREARS_AUDIT_OLD_KEYS")
        keys.setdefault(key_id_of(retired), retired)
    return Keyring(current_id=key_id_of(key), keys=keys, path=None)


def _file_keyring(path: Path, old: str) -> Keyring:
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if not lines:
        raise ImproperlyConfigured(f"the audit key file {path} is empty")
    keys: dict[str, bytes] = {}
    for line in lines:
        key = key_decode(line, name=str(path))
        keys[key_id_of(key)] = key
    for text in filter(None, (part.strip() for part in old.split(","))):
        retired = key_decode(text, name="ARREARS_AUDIT_OLD_KEYS")
        keys.setdefault(key_id_of(retired), retired)
    current = key_id_of(key_decode(lines[-1], name=str(path)))
    return Keyring(current_id=current, keys=keys, path=path)
