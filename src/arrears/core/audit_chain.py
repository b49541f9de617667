"""The audit log's chain: how an entry's hash is computed and how a chain is checked.

Pure module (no Django): the service feeds it entries as plain values, so the rule that
makes tampering visible is written once and tested on its own.

Two kinds of entry share one chain:

- **keyed** entries (``key_id`` set): the hash is HMAC-SHA256 under a key kept outside the
  database, over the previous hash and the entry's content including its key id. Someone
  with only database access cannot recompute it, so a rewritten row shows even when every
  later hash and the head were rewritten too.
- **unkeyed** entries (``key_id`` empty): plain SHA-256, as the log was written before the
  key existed. They are accepted only as the chain's prefix (the entries written before the
  upgrade); an unkeyed entry after a keyed one is a rewrite with the old algorithm.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The hash before the first entry: 64 zeros, as in most hash chains.
GENESIS = "0" * 64
# The action of the entry that starts a new key's segment; its data names the retired key.
REKEY_ACTION = "audit.rekey"


@dataclass(frozen=True)
class ChainEntry:
    """The content of one audit entry that its hash covers."""

    number: int
    at: str
    actor_id: int | None
    actor_name: str
    action: str
    subject_type: str
    subject_id: str
    data: Any
    key_id: str = ""


def key_id_of(key: bytes) -> str:
    """A key's public name: a fingerprint, so an id can never be paired with another key."""
    return hashlib.sha256(b"arrears-audit-key-id:" + key).hexdigest()[:12]


def _body(entry: ChainEntry) -> str:
    fields: list[Any] = [
        entry.number,
        entry.at,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.subject_type,
        entry.subject_id,
        entry.data,
    ]
    # Unkeyed entries keep the body they were hashed with before keys existed.
    if entry.key_id:
        fields.append(entry.key_id)
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry: ChainEntry, key: bytes | None = None) -> str:
    """The entry's hash over the previous hash and its content in canonical JSON (sorted
    keys, no spaces, non-ASCII kept): HMAC-SHA256 under ``key`` for a keyed entry, plain
    SHA-256 for an unkeyed one."""
    message = (prev_hash + _body(entry)).encode()
    if entry.key_id:
        if key is None:
            raise ValueError("a keyed entry needs its key")
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where a chain stops holding: the entry number and what is wrong there."""

    number: int
    problem: str


@dataclass
class Walk:
    """What a walk over the chain found: entries seen, the unkeyed prefix, the last hash and
    key, the hash after each requested count, and the first break (None when intact)."""

    count: int = 0
    legacy: int = 0
    last_hash: str = GENESIS
    last_key_id: str = ""
    hashes_at: dict[int, str] = field(default_factory=dict)
    broken: Break | None = None


def walk(
    entries: Iterable[tuple[ChainEntry, str, str]],
    *,
    keys: Mapping[str, bytes] | None = None,
    checkpoints: Iterable[int] = (),
) -> Walk:
    """Check ``(entry, prev_hash, hash)`` triples in order, stopping at the first break.

    Catches an edited entry (its hash no longer matches), a deleted or inserted entry (the
    numbers skip or the previous hash does not match), reordering, an unkeyed entry after a
    keyed one, an entry under a key not in ``keys`` and an entry under a key retired by an
    earlier ``audit.rekey`` entry. ``checkpoints`` are entry counts (anchors) whose running
    hash is kept in ``hashes_at``.
    """
    keys = keys or {}
    wanted = set(checkpoints)
    found = Walk()
    if 0 in wanted:
        found.hashes_at[0] = GENESIS
    retired: set[str] = set()
    for entry, prev_hash, stored in entries:
        problem = _problem(entry, prev_hash, stored, found, keys, retired)
        if problem:
            found.broken = Break(entry.number, problem)
            return found
        if entry.key_id:
            if entry.action == REKEY_ACTION and isinstance(entry.data, dict):
                retired.add(str(entry.data.get("retired", "")))
        else:
            found.legacy += 1
        found.count, found.last_hash, found.last_key_id = entry.number, stored, entry.key_id
        if entry.number in wanted:
            found.hashes_at[entry.number] = stored
    return found


def _problem(
    entry: ChainEntry,
    prev_hash: str,
    stored: str,
    found: Walk,
    keys: Mapping[str, bytes],
    retired: set[str],
) -> str | None:
    if entry.number != found.count + 1:
        return f"entry {found.count + 1} is missing"
    if prev_hash != found.last_hash:
        return "its previous hash does not match the entry before it"
    if not entry.key_id:
        if found.count > found.legacy:
            return "it is unkeyed but follows keyed entries (rewritten without the key)"
    elif entry.key_id not in keys:
        return f"it is signed with key {entry.key_id}, which is not in the keyring"
    elif entry.key_id in retired:
        return f"it is signed with key {entry.key_id}, retired by an earlier rekey"
    if not hmac.compare_digest(entry_hash(prev_hash, entry, keys.get(entry.key_id)), stored):
        return "its content does not match its hash (changed)"
    return None


def verify(
    entries: Iterable[tuple[ChainEntry, str, str]], keys: Mapping[str, bytes] | None = None
) -> Break | None:
    """The first break of a chain, or None (``walk`` without the details)."""
    return walk(entries, keys=keys).broken
