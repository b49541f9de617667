"""Set-based upsert of parties and their contact points for one chunk of tape rows.

Loans, guarantors and extra parties all arrive as ``PartyRecord``s; this module finds the
ones already known (by ID number, per creditor), creates the new ones in bulk, and adds
contact details that changed. It never deletes a contact point: an old number stays as
evidence and keeps its validity status.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from arrears.core.bulk import bulk_insert, chunked
from arrears.portfolio.choices import ContactKind, ContactStatus
from arrears.portfolio.models import ContactPoint, Creditor, Party
from arrears.portfolio.tape.validation import PartyRecord

PartyKey = tuple[str, str]  # (id_type, id_number)


def party_key(record: PartyRecord) -> PartyKey | None:
    """Identity of a party across rows and files, or None when it has no ID number."""
    return (record.id_type, record.id_number) if record.id_number else None


def _contacts(record: PartyRecord) -> list[tuple[str, str]]:
    return [
        (kind, value)
        for kind, value in (
            (ContactKind.PHONE, record.phone),
            (ContactKind.EMAIL, record.email),
            (ContactKind.ADDRESS, record.address),
        )
        if value
    ]


@dataclass
class PartyUpsert:
    """Collects the parties of a chunk, then writes them with a handful of queries.

    ``add`` records a party as seen on a row and returns a handle; after ``flush`` the
    handle's ``party_id`` is set and ``changed`` says whether this row changed anything.
    """

    creditor: Creditor
    source: str
    _records: list[tuple[PartyRecord, Party | None]] = field(default_factory=list)

    def add(self, record: PartyRecord, existing: Party | None = None) -> int:
        """Queue ``record``; ``existing`` pins the party when the caller already knows it."""
        self._records.append((record, existing))
        return len(self._records) - 1

    def flush(self) -> tuple[list[int], list[bool]]:
        """Write everything queued; return (party id, changed?) per ``add`` call, in order."""
        now = timezone.now()
        keys = {key for record, _ in self._records if (key := party_key(record))}
        known: dict[PartyKey, Party] = {}
        for batch in chunked(sorted(keys), 900):
            condition = Q()
            for id_type, id_number in batch:
                condition |= Q(id_type=id_type, id_number=id_number)
            for party in Party.objects.filter(condition, creditor=self.creditor):
                known[(party.id_type, party.id_number)] = party

        # Parties: the last row naming an identity decides its name and employer.
        to_create: dict[PartyKey | int, Party] = {}
        to_update: dict[int, Party] = {}
        resolved: list[Party] = []
        changed = [False] * len(self._records)
        for index, (record, pinned) in enumerate(self._records):
            key = party_key(record)
            found = pinned or (known.get(key) if key else None)
            if found is None and key:
                found = to_create.get(key)
            if found is None:
                party = Party(
                    creditor=self.creditor,
                    kind=record.kind,
                    name=record.name,
                    id_type=record.id_type,
                    id_number=record.id_number,
                    employer=record.employer,
                )
                to_create[key if key else -index - 1] = party
                changed[index] = True
            else:
                party = found
                if party.pk is not None:
                    fresh = {"name": record.name, "kind": record.kind}
                    if record.employer:
                        fresh["employer"] = record.employer
                    if any(getattr(party, attr) != value for attr, value in fresh.items()):
                        for attr, value in fresh.items():
                            setattr(party, attr, value)
                        to_update[party.pk] = party
                        changed[index] = True
            resolved.append(party)
        if to_create:
            self._insert(to_create, now)
        if to_update:
            for party in to_update.values():
                party.updated_at = now
            Party.objects.bulk_update(
                list(to_update.values()), ["name", "kind", "employer", "updated_at"], batch_size=500
            )
        party_ids = [party.pk for party in resolved]
        contact_changed = self._flush_contacts(party_ids, now)
        return party_ids, [a or b for a, b in zip(changed, contact_changed, strict=True)]

    def _insert(self, to_create: dict[PartyKey | int, Party], now: object) -> None:
        """Insert new parties in bulk and learn their ids with one query.

        Parties without an ID number (emergency contacts) cannot be found again by key, so
        they go through ``bulk_create``, which returns ids; they are few.
        """
        keyed = [party for key, party in to_create.items() if isinstance(key, tuple)]
        anonymous = [party for key, party in to_create.items() if not isinstance(key, tuple)]
        if anonymous:
            Party.objects.bulk_create(anonymous, batch_size=500)
        if not keyed:
            return
        columns = ["creditor_id", "kind", "name", "id_type", "id_number", "employer"]
        bulk_insert(
            Party._meta.db_table,
            [*columns, "created_at", "updated_at"],
            ([*(getattr(party, c) for c in columns), now, now] for party in keyed),
        )
        ids = {
            (id_type, id_number): pk
            for pk, id_type, id_number in Party.objects.filter(
                creditor=self.creditor, id_number__in=[party.id_number for party in keyed]
            ).values_list("pk", "id_type", "id_number")
        }
        for party in keyed:
            party.pk = ids[(party.id_type, party.id_number)]
            party._state.adding = False

    def _flush_contacts(self, party_ids: list[int], now: object) -> list[bool]:
        """Add contact values not yet known; a new value becomes the primary of its kind."""
        existing: dict[tuple[int, str], dict[str, bool]] = {}
        for batch in chunked(sorted(set(party_ids)), 900):
            for party_id, kind, value, primary in ContactPoint.objects.filter(
                party_id__in=batch
            ).values_list("party_id", "kind", "value", "is_primary"):
                existing.setdefault((party_id, kind), {})[value] = primary
        changed = [False] * len(party_ids)
        new_rows: list[tuple[object, ...]] = []
        demote: set[tuple[int, str]] = set()
        for index, ((record, _), party_id) in enumerate(zip(self._records, party_ids, strict=True)):
            for kind, value in _contacts(record):
                values = existing.setdefault((party_id, kind), {})
                if value in values:
                    continue
                if values:
                    demote.add((party_id, kind))
                    for known_value in values:
                        values[known_value] = False
                values[value] = True
                new_rows.append(
                    (party_id, kind, value, ContactStatus.UNVERIFIED, True, self.source, now, now)
                )
                changed[index] = True
        for pairs in chunked(sorted(demote), 400):
            condition = Q()
            for party_id, kind in pairs:
                condition |= Q(party_id=party_id, kind=kind)
            ContactPoint.objects.filter(condition, is_primary=True).update(
                is_primary=False, updated_at=now
            )
        if new_rows:
            bulk_insert(
                ContactPoint._meta.db_table,
                [
                    "party_id",
                    "kind",
                    "value",
                    "status",
                    "is_primary",
                    "source",
                    "created_at",
                    "updated_at",
                ],
                new_rows,
            )
        return changed
