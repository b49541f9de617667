"""The audit log's hash chain: how an entry's hash is computed and how a chain is checked.

Pure module (no Django): the service feeds it entries as plain values, so the rule that
makes tampering visible is written once and tested on its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# The hash before the first entry: 64 zeros, as in most hash chains.
GENESIS = "0" * 64


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


def entry_hash(prev_hash: str, entry: ChainEntry) -> str:
    """SHA-256 of the previous hash and the entry's content in canonical JSON (sorted keys,
    no spaces, non-ASCII kept), so the same content always gives the same hash."""
    body = json.dumps(
        [
            entry.number,
            entry.at,
            entry.actor_id,
            entry.actor_name,
            entry.action,
            entry.subject_type,
            entry.subject_id,
            entry.data,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where a chain stops holding: the entry number and what is wrong there."""

    number: int
    problem: str


def verify(entries: Iterable[tuple[ChainEntry, str, str]]) -> Break | None:
    """Check ``(entry, prev_hash, hash)`` triples in order; the first break, or None.

    Catches an edited entry (its hash no longer matches), a deleted or inserted entry (the
    numbers skip or the previous hash does not match) and reordering.
    """
    expected_prev = GENESIS
    expected_number = 1
    for entry, prev_hash, stored in entries:
        if entry.number != expected_number:
            return Break(entry.number, f"entry {expected_number} is missing")
        if prev_hash != expected_prev:
            return Break(entry.number, "its previous hash does not match the entry before it")
        if entry_hash(prev_hash, entry) != stored:
            return Break(entry.number, "its content does not match its hash (changed)")
        expected_prev = stored
        expected_number += 1
    return None
