"""Writing to and checking the keyed, hash-chained audit log (DESIGN.md rule 6).

Every entry is signed with the audit key (``core.audit_keys``, kept outside the database)
over the previous entry's hash, so a row rewritten in the database shows even when every
later hash and the head were recomputed. Anchors (``core.audit_anchor``) keep the head
outside the database too, so removing the newest entries and rewriting the head shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from arrears.core.audit_anchor import Anchor
from arrears.core.audit_chain import GENESIS, REKEY_ACTION, Break, ChainEntry, entry_hash, walk
from arrears.core.audit_keys import key_file_append, key_new, keyring
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry, AuditHead

# Fields read to recompute the chain, in ChainEntry's order followed by the stored hashes.
_FIELDS = (
    "number",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "subject_type",
    "subject_id",
    "data",
    "key_id",
    "prev_hash",
    "hash",
)


def _chain_entry(entry: AuditEntry) -> ChainEntry:
    return ChainEntry(
        number=entry.number,
        at=entry.at.isoformat(),
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        data=entry.data,
        key_id=entry.key_id,
    )


def _head_locked() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


@transaction.atomic
def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    subject_type: str,
    subject_id: object,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction; O(1) per entry.

    The head row is locked first, so two people acting at once are chained one after the
    other instead of both pointing at the same previous hash; it is held until the caller's
    transaction commits, which is short for the human-paced acts audited here. The key is
    read after the lock, so an entry written after a rekey is signed with the new key.
    """
    head = _head_locked()
    ring = keyring()
    # Stored with microseconds dropped so the hash recomputes from what the database returns.
    entry = AuditEntry(
        number=head.count + 1,
        at=timezone.now().replace(microsecond=0),
        actor_id=actor.pk if actor is not None else None,
        actor_name=actor.get_username() if actor is not None else "system",
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=data or {},
        prev_hash=head.last_hash,
        key_id=ring.current_id,
    )
    entry.hash = entry_hash(head.last_hash, _chain_entry(entry), ring.current)
    entry.save()
    head.last_hash, head.count = entry.hash, entry.number
    head.save(update_fields=["last_hash", "count"])
    return entry


@transaction.atomic
def audit_rekey(*, actor: AbstractBaseUser | None = None) -> AuditEntry:
    """Start a new key's segment: later entries are signed with the new key and the old key
    may no longer sign (it stays in the keyring so older entries verify).

    With the key file, the new key is generated and appended to it. With the environment, the
    operator sets the new ``ARREARS_AUDIT_KEY`` (the old one moved to
    ``ARREARS_AUDIT_OLD_KEYS``) on every process first; this then records the change.
    """
    _head_locked()
    ring = keyring()
    last = AuditEntry.objects.order_by("-number").values_list("key_id", flat=True).first()
    if ring.path is None:
        if last == ring.current_id:
            raise InvalidInput(
                "ARREARS_AUDIT_KEY still holds the key the chain is signed with. Set it to a "
                "new key on every process, add the old one to ARREARS_AUDIT_OLD_KEYS, then "
                f"run this again. A new key, if you need one: {key_new()}"
            )
        if last and last not in ring.keys:
            raise InvalidInput(
                f"The chain's current key {last} is in neither ARREARS_AUDIT_KEY nor "
                "ARREARS_AUDIT_OLD_KEYS: add it to ARREARS_AUDIT_OLD_KEYS, or older entries "
                "cannot be verified."
            )
        retired = last or ""
    else:
        key_file_append(ring.path, key_new())
        retired = ring.current_id
    fresh = keyring()
    return audit_record(
        actor=actor,
        action=REKEY_ACTION,
        subject_type="audit_key",
        subject_id=fresh.current_id,
        data={"retired": retired},
    )


def _stored() -> Iterator[tuple[ChainEntry, str, str]]:
    rows = AuditEntry.objects.order_by("number").values_list(*_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        number, at, actor_id, actor_name, action, stype, sid, data, key_id, prev, stored = row
        entry = ChainEntry(
            number, at.isoformat(), actor_id, actor_name, action, stype, sid, data, key_id
        )
        yield entry, prev, stored


@dataclass(frozen=True)
class AuditCheck:
    """The result of ``audit_verify``: what was checked, the head found, the first break."""

    count: int
    legacy: int
    head_hash: str
    key_id: str
    broken: Break | None
    anchor: Anchor | None  # the latest anchor checked against, if any

    @property
    def intact(self) -> bool:
        return self.broken is None


def audit_verify(*, anchors: Sequence[Anchor] = ()) -> AuditCheck:
    """Recompute the whole chain with the keys, streaming; then check it against the head
    row and every anchor (the chain at an anchor's count must reproduce its hash, and must
    not be shorter). Names the first entry that breaks it."""
    ring = keyring()
    found = walk(_stored(), keys=ring.keys, checkpoints=[anchor.count for anchor in anchors])
    broken = found.broken or _head_problem(found.count, found.last_hash, found.legacy)
    if broken is None:
        broken = _anchor_problem(found.count, found.legacy, found.hashes_at, anchors)
    latest = max(anchors, key=lambda anchor: anchor.count, default=None)
    return AuditCheck(found.count, found.legacy, found.last_hash, found.last_key_id, broken, latest)


def _head_problem(count: int, last_hash: str, legacy: int) -> Break | None:
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        return Break(1, "the chain has entries but no head") if count else None
    if head.count > count:
        if AuditEntry.objects.filter(number__gt=count).exists():
            return None  # written while the chain was being read: checked next time
        return Break(count + 1, "the chain ends before its recorded head (entries removed)")
    if head.count < count or head.last_hash != last_hash:
        return Break(head.count + 1, "the head does not match the chain's last entry")
    if head.legacy_count != legacy:
        return Break(
            min(head.legacy_count, legacy) + 1,
            f"{legacy} entries are unkeyed where the upgrade recorded {head.legacy_count}",
        )
    return None


def _anchor_problem(
    count: int, legacy: int, hashes_at: dict[int, str], anchors: Sequence[Anchor]
) -> Break | None:
    good = 0
    for anchor in sorted(anchors, key=lambda anchor: anchor.count):
        if anchor.count > count:
            return Break(
                count + 1,
                f"the chain has {count} entries but the anchor of {anchor.at} recorded "
                f"{anchor.count}: entries {count + 1}–{anchor.count} were removed",
            )
        if hashes_at.get(anchor.count) != anchor.hash:
            return Break(
                good + 1,
                f"the chain at entry {anchor.count} does not reproduce the hash anchored at "
                f"{anchor.at}: an entry from {good + 1} to {anchor.count} was rewritten",
            )
        if anchor.legacy is not None and anchor.legacy != legacy:
            return Break(
                min(anchor.legacy, legacy) + 1,
                f"{legacy} entries are unkeyed where the anchor of {anchor.at} recorded "
                f"{anchor.legacy}",
            )
        good = anchor.count
    return None


def audit_anchor_make(*, anchors: Sequence[Anchor] = ()) -> tuple[AuditCheck, Anchor | None]:
    """The head to export, from a verified chain (an anchor never vouches for a broken one):
    the check, and the anchor or None when the chain is broken."""
    check = audit_verify(anchors=anchors)
    if not check.intact:
        return check, None
    anchor = Anchor(
        at=timezone.now().isoformat(timespec="seconds"),
        count=check.count,
        hash=check.head_hash,
        key_id=check.key_id,
        legacy=check.legacy,
    )
    return check, anchor
