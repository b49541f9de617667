"""Writing to and checking the hash-chained audit log (DESIGN.md rule 6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from arrears.core.audit_chain import GENESIS, Break, ChainEntry, entry_hash, verify
from arrears.core.models import AuditEntry, AuditHead


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
    )


@transaction.atomic
def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    subject_type: str,
    subject_id: object,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction.

    The head row is locked first, so two people acting at once are chained one after the
    other instead of both pointing at the same previous hash; it is held until the caller's
    transaction commits, which is short for the human-paced acts audited here.
    """
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})
        head = AuditHead.objects.select_for_update().get(pk=1)
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
    )
    entry.hash = entry_hash(head.last_hash, _chain_entry(entry))
    entry.save()
    head.last_hash, head.count = entry.hash, entry.number
    head.save(update_fields=["last_hash", "count"])
    return entry


def _stored() -> Iterator[tuple[ChainEntry, str, str]]:
    for entry in AuditEntry.objects.order_by("number").iterator(chunk_size=2000):
        yield _chain_entry(entry), entry.prev_hash, entry.hash


def audit_verify() -> tuple[int, Break | None]:
    """Check the whole chain: (entries checked, first break or None). A chain whose last
    entry was deleted still ends where the head says it should, so that is checked too."""
    found = verify(_stored())
    count = AuditEntry.objects.count()
    if found is None:
        head = AuditHead.objects.filter(pk=1).first()
        if head is not None and (
            head.count != count
            or (
                count
                and head.last_hash
                != (AuditEntry.objects.order_by("-number").values_list("hash", flat=True).first())
            )
        ):
            found = Break(head.count, "the chain ends before its recorded head (entries removed)")
    return count, found
