"""Encryption at rest for personal identifiers (ID numbers, phones, emails, addresses) and
their keyed blind index for exact search. docs/security.md, "Encryption at rest".

A value is stored as ``v1:<key id>:<base64(nonce | AES-256-GCM ciphertext and tag)>``; the
associated data is the column (``table.column``), so a ciphertext copied into another
column fails its check instead of reading as that column's value. The empty string stays
empty (an absent number, and the partial unique indexes that skip it).

Where the keys come from:

- ``ARREARS_FIELD_KEYS`` = ``kid1:base64key,kid0:base64key``: 32-byte AES keys; the first
  encrypts, every one decrypts (a key id is 1–32 letters, digits or ``-``).
- ``ARREARS_INDEX_KEY`` = a base64 key of at least 32 bytes for the blind index
  (HMAC-SHA256 of the normalised value, 128 bits kept, in hex).
- Without them, unless ``ARREARS_REQUIRE_SECRET`` is on (then the first use fails with a
  clear message), the files ``field_keys`` (the same syntax, one key a line, the first
  current) and ``index_key`` under ``DATA_DIR``, created 0600 with random keys on first
  use: the demo, ``make run`` and the tests. There is no built-in key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from arrears.core.phones import index_form
from arrears.core.secret_settings import secret_setting, secrets_required

FORMAT = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
FIELD_KEY_BYTES = 32
INDEX_KEY_MIN_BYTES = 32
INDEX_HEX_CHARS = 32  # 128 bits of the HMAC: collisions are out of reach at any portfolio size
FIELD_KEYS_FILE = "field_keys"
INDEX_KEY_FILE = "index_key"
KID = re.compile(r"[A-Za-z0-9-]{1,32}")


class FieldDecryptionError(RuntimeError):
    """A stored value that does not decrypt: altered, moved from another column, written
    around the application in clear, or under a key that is not configured. Never a guess:
    the caller gets this instead of a wrong value. The message names the column, not the
    value."""


@dataclass(frozen=True)
class FieldKeys:
    """The AES keys in force: ``current`` encrypts, all of ``keys`` decrypt."""

    current: str
    keys: dict[str, AESGCM]
    source: str  # "environment" or the key file's path


def _b64(text: str, *, name: str, size: int, exact: bool) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < size or (exact and len(key) != size):
        wanted = f"{size} bytes" if exact else f"at least {size} bytes"
        raise ImproperlyConfigured(
            f"{name}: a key must be {wanted} in base64 (make one with `arrears keys generate`)"
        )
    return key


def parse_field_keys(text: str, *, name: str = "ARREARS_FIELD_KEYS") -> list[tuple[str, bytes]]:
    """``kid:base64key`` items, comma- or line-separated, first current; a clear error for
    anything malformed."""
    items: list[tuple[str, bytes]] = []
    for part in re.split(r"[,\n]", text):
        part = part.strip()
        if not part:
            continue
        kid, sep, key = part.partition(":")
        if not sep or not KID.fullmatch(kid):
            raise ImproperlyConfigured(
                f"{name}: each key is 'id:base64key' with an id of 1-32 letters, digits or '-'"
            )
        # Case-insensitively distinct: SQLite's LIKE, which finds a key's values, ignores case.
        if any(kid.lower() == known.lower() for known, _ in items):
            raise ImproperlyConfigured(f"{name}: the key id '{kid}' appears twice")
        items.append((kid, _b64(key, name=name, size=FIELD_KEY_BYTES, exact=True)))
    if not items:
        raise ImproperlyConfigured(f"{name} holds no key")
    return items


def new_field_key_item(kid: str | None = None) -> str:
    """A fresh ``kid:base64key`` item for ARREARS_FIELD_KEYS (key id from today's date)."""
    kid = kid or f"k{date.today():%Y%m%d}{secrets.token_hex(2)}"
    return f"{kid}:{base64.b64encode(secrets.token_bytes(FIELD_KEY_BYTES)).decode()}"


def new_index_key() -> str:
    """A fresh base64 key for ARREARS_INDEX_KEY."""
    return base64.b64encode(secrets.token_bytes(INDEX_KEY_MIN_BYTES)).decode()


def _data_file(name: str) -> Path:
    return Path(settings.DATA_DIR) / name


def _file_create(path: Path, content: str) -> None:
    """Create ``path`` 0600 with ``content`` unless it exists, so that two processes starting
    at once end with the same keys: each writes its own temporary file and links it into
    place; the loser keeps the winner's."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(content + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"no encryption keys: set ARREARS_FIELD_KEYS and ARREARS_INDEX_KEY, or make "
            f"{path.parent} writable so the demo keys can be kept there ({exc.strerror})"
        ) from None


def write_field_keys_file(items: list[str]) -> Path:
    """Replace the key file with ``items`` (first current), atomically and 0600."""
    path = _data_file(FIELD_KEYS_FILE)
    parse_field_keys("\n".join(items), name=str(path))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join(items) + "\n")
    os.replace(temporary, path)
    reset_keys()
    return path


_cache: dict[str, object] = {}


def reset_keys(**_: object) -> None:
    """Forget the loaded keys (a setting changed, or the key file was rewritten)."""
    _cache.clear()


_KEY_SETTINGS = {"ARREARS_FIELD_KEYS", "ARREARS_INDEX_KEY", "REQUIRE_SECRET", "DATA_DIR"}


def _settings_changed(*, setting: str, **_: object) -> None:
    if setting in _KEY_SETTINGS or setting == "DEBUG":
        reset_keys()


setting_changed.connect(_settings_changed, dispatch_uid="arrears.core.crypto.keys")


def _missing(name: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"{name} must be set when ARREARS_REQUIRE_SECRET is on: personal identifiers are "
        "encrypted with it, and a key kept beside the database protects nothing "
        "(make one with `arrears keys generate`; docs/security.md, 'Encryption at rest')"
    )


def field_keys() -> FieldKeys:
    """The AES keys in force (loaded once per process; see the module's docstring)."""
    found = _cache.get("field")
    if isinstance(found, FieldKeys):
        return found
    text = secret_setting("ARREARS_FIELD_KEYS")
    if text:
        items, source = parse_field_keys(text), "environment"
    else:
        if secrets_required():
            raise _missing("ARREARS_FIELD_KEYS")
        path = _data_file(FIELD_KEYS_FILE)
        if not path.exists():
            _file_create(path, new_field_key_item())
        items, source = parse_field_keys(path.read_text(), name=str(path)), str(path)
    keys = FieldKeys(items[0][0], {kid: AESGCM(key) for kid, key in items}, source)
    _cache["field"] = keys
    return keys


def index_key() -> bytes:
    """The blind index key in force."""
    found = _cache.get("index")
    if isinstance(found, bytes):
        return found
    text = secret_setting("ARREARS_INDEX_KEY")
    name = "ARREARS_INDEX_KEY"
    if not text:
        if secrets_required():
            raise _missing(name)
        path = _data_file(INDEX_KEY_FILE)
        if not path.exists():
            _file_create(path, new_index_key())
        text, name = path.read_text(), str(path)
    key = _b64(text, name=name, size=INDEX_KEY_MIN_BYTES, exact=False)
    _cache["index"] = key
    return key


def index_key_fingerprint() -> str:
    """A short public name of the index key, to tell which key built the stored index."""
    return hmac.new(index_key(), b"arrears index key fingerprint", hashlib.sha256).hexdigest()[:12]


def encrypt(plain: str, *, context: str) -> str:
    """``plain`` sealed for the column ``context`` (``table.column``) under the current
    key; the empty string stays empty."""
    if not plain:
        return ""
    keys = field_keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys.keys[keys.current].encrypt(nonce, plain.encode(), context.encode())
    return f"{FORMAT}:{keys.current}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def key_id(stored: str) -> str:
    """The key id a stored value was sealed under ('' for the empty string or junk)."""
    head, _, rest = stored.partition(":")
    return rest.partition(":")[0] if head == FORMAT and rest else ""


def decrypt(stored: str, *, context: str) -> str:
    """The clear value of ``stored`` read from the column ``context``, or
    ``FieldDecryptionError``; the empty string stays empty."""
    if not stored:
        return ""
    head, _, rest = stored.partition(":")
    kid, _, data = rest.partition(":")
    if head != FORMAT or not kid or not data:
        raise FieldDecryptionError(
            f"{context}: a stored value is not in the encrypted form; it was written around "
            "the application (run `arrears keys status`)"
        )
    cipher = field_keys().keys.get(kid)
    if cipher is None and not secret_setting("ARREARS_FIELD_KEYS"):
        reset_keys()  # another process may have added a key to the file
        cipher = field_keys().keys.get(kid)
    if cipher is None:
        raise FieldDecryptionError(
            f"{context}: a value is encrypted under the key '{kid}', which is not among the "
            "configured keys (ARREARS_FIELD_KEYS)"
        )
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise FieldDecryptionError(f"{context}: a stored value is damaged (not its encrypted form)")
    try:
        clear = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except InvalidTag:
        raise FieldDecryptionError(
            f"{context}: a stored value fails its authentication check: it was altered, or "
            "copied from another column"
        ) from None
    return clear.decode()


_SPACE = re.compile(r"\s+")


def normalise(value: str, *, scheme: str) -> str:
    """The form an identifier is matched in: a phone in E.164 (``core.phones.index_form``:
    ``138 0013 8000``, ``+86 13800138000`` and ``+8613800138000`` are one; a number
    without country code is read as Chinese), an ID number upper-case without spaces, an
    email lower-case, other text with single spaces."""
    text = value.strip()
    if scheme == "phone":
        return index_form(text)
    if scheme == "id":
        return _SPACE.sub("", text).upper()
    if scheme == "email":
        return text.lower()
    return _SPACE.sub(" ", text)


def blind_index(value: str, *, scheme: str) -> str:
    """The keyed index of ``value`` read as ``scheme`` (phone, email, id, address): equal
    for equal normalised values, unlinkable without the index key; '' for ''. The scheme
    is part of the input, so a phone's index never equals an email's."""
    if not value:
        return ""
    message = f"{scheme}\x1f{normalise(value, scheme=scheme)}".encode()
    return hmac.new(index_key(), message, hashlib.sha256).hexdigest()[:INDEX_HEX_CHARS]
