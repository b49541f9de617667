"""Set-based upsert of parties and their contact points for one chunk of tape rows.

Loans, guarantors and extra parties all arrive as ``PartyRecord``s; this module finds the
ones already known (by ID number, per creditor), creates the new ones in bulk, and adds
contact details that changed. It never deletes a contact point: an old number stays as
evidence and keeps its validity status.

ID numbers and contact values are stored encrypted: parties and contact points are matched
by their blind index (``core.crypto.blind_index``), never by the clear value, and the rows
written in bulk carry the ciphertext and the index (the ORM is bypassed, so this module
seals them itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from arrears.core.bulk import chunked, reserve_ids
from arrears.core.bulk_load import bulk_load, db_stamp
from arrears.core.bulk_seal import index_many, seal_many
from arrears.core.fields import encrypted_field
from arrears.portfolio.choices import ContactStatus
from arrears.portfolio.models import ContactPoint, Creditor, Party
from arrears.portfolio.services.ingest_lookup import rows_with_keys
from arrears.portfolio.services.party_keys import (
    PartyKey,
    contact_indexes,
    contacts,
    matching_form,
    party_key,
)
from arrears.portfolio.services.party_seals import PartySeal
from arrears.portfolio.tape.records import PartyRecord


@dataclass(slots=True)
class KnownParty:
    """The columns of a party row that an upsert compares; ``pk`` is None until inserted."""

    pk: int | None
    kind: str
    name: str
    id_type: str
    id_number: str
    employer: str
    seal: PartySeal | None = None  # the record's values sealed ahead, when they were


@dataclass
class PartyUpsert:
    """Collects the parties of a chunk, then writes them with a handful of queries.

    ``add`` records a party as seen on a row and returns a handle; after ``flush`` the
    handle's party id is known and ``changed`` says whether this row changed anything.
    Rows are plain tuples, not model instances: a 100,000-loan tape names 200,000 parties
    and building ORM objects for them costs more than the queries.
    """

    creditor: Creditor
    source: str
    _records: list[tuple[PartyRecord, KnownParty | None, PartyKey | None, PartySeal | None]] = (
        field(default_factory=list)
    )
    # The blind index of each identity seen, computed once: looked up, then written.
    _indexes: dict[PartyKey, str] = field(default_factory=dict)

    def add(
        self,
        record: PartyRecord,
        existing: KnownParty | None = None,
        seal: PartySeal | None = None,
    ) -> int:
        """Queue ``record``; ``existing`` pins the party when the caller already knows it,
        ``seal`` is the record's values sealed ahead (``party_seals``), if they were."""
        key = party_key(record)
        if seal is not None and key is not None:
            self._indexes.setdefault(key, seal.id_index)
        self._records.append((record, existing, key, seal))
        return len(self._records) - 1

    def _lookup(self, keys: Iterable[PartyKey]) -> dict[PartyKey, KnownParty]:
        """Parties of this creditor already holding these identities, found by the blind
        index of the ID number (nothing is decrypted).

        One query per ID type and 900 numbers, each an index search: the
        ``id_number_index <> ''`` term lets SQLite and PostgreSQL use the partial unique
        index on the identity.
        """
        indexes = self._indexes
        wanted_keys = list(dict.fromkeys(keys))
        fresh = [key for key in wanted_keys if key not in indexes]
        indexes.update(zip(fresh, index_many([key[1] for key in fresh], scheme="id"), strict=True))
        by_index: dict[str, dict[str, PartyKey]] = {}
        for key in wanted_keys:
            by_index.setdefault(key[0], {})[indexes[key]] = key
        known: dict[PartyKey, KnownParty] = {}
        for id_type, wanted in by_index.items():
            rows = rows_with_keys(
                Party,
                ["id", "kind", "name", "id_number_index", "employer"],
                key="id_number_index",
                keys=sorted(wanted),
                equal=[("creditor_id", self.creditor.pk), ("id_type", id_type)],
                not_equal=[("id_number_index", "")],
            )
            for pk, kind, name, index, employer in rows:
                key = wanted[index]
                known[key] = KnownParty(pk, kind, name, key[0], key[1], employer)
        return known

    def flush(self) -> tuple[list[int], list[bool]]:
        """Write everything queued; return (party id, changed?) per ``add`` call, in order."""
        now = timezone.now()
        known = self._lookup(key for _, _, key, _ in self._records if key)
        # Parties: the last row naming an identity decides its name and employer.
        to_create: dict[PartyKey | int, KnownParty] = {}
        to_update: dict[int, KnownParty] = {}
        resolved: list[KnownParty] = []
        changed = [False] * len(self._records)
        for index, (record, pinned, key, seal) in enumerate(self._records):
            found = pinned or (known.get(key) if key else None)
            if found is None and key:
                found = to_create.get(key)
            if found is None:
                party = KnownParty(
                    None,
                    record.kind,
                    record.name,
                    record.id_type,
                    record.id_number,
                    record.employer,
                    seal,
                )
                to_create[key if key else -index - 1] = party
                changed[index] = True
            else:
                party = found
                if party.pk is not None:
                    employer = record.employer or party.employer
                    if (party.name, party.kind, party.employer) != (
                        record.name,
                        record.kind,
                        employer,
                    ):
                        party.name, party.kind, party.employer = (
                            record.name,
                            record.kind,
                            employer,
                        )
                        to_update[party.pk] = party
                        changed[index] = True
            resolved.append(party)
        # Parties created just now have no contact points yet: only older ones are looked up.
        preexisting = {party.pk for party in resolved if party.pk is not None}
        if to_create:
            self._insert(list(to_create.values()), now)
        if to_update:
            Party.objects.bulk_update(
                [
                    Party(
                        pk=p.pk,
                        name=p.name,
                        kind=p.kind,
                        employer=p.employer,
                        updated_at=now,
                    )
                    for p in to_update.values()
                ],
                ["name", "kind", "employer", "updated_at"],
                batch_size=500,
            )
        party_ids = [party.pk for party in resolved if party.pk is not None]
        assert len(party_ids) == len(resolved), "every party has an id after the insert"
        contact_changed = self._flush_contacts(party_ids, preexisting, now)
        return party_ids, [a or b for a, b in zip(changed, contact_changed, strict=True)]

    def _insert(self, parties: list[KnownParty], now: datetime) -> None:
        """Insert new parties in bulk under reserved ids, the ID number sealed."""
        table = Party._meta.db_table
        for party, pk in zip(parties, reserve_ids(table, len(parties)), strict=True):
            party.pk = pk
        creditor_id = self.creditor.pk
        context = encrypted_field(Party, "id_number").context
        stamp = db_stamp(now)
        sealed: list[str | None] = [p.seal.id_sealed if p.seal else None for p in parties]
        unsealed = [n for n, seal in enumerate(sealed) if seal is None]
        late = seal_many([parties[n].id_number for n in unsealed], context=context)
        for n, seal in zip(unsealed, late, strict=True):
            sealed[n] = seal
        # Every new party with an ID number was looked up first, so its index is known.
        indexes = self._indexes
        numbers = [
            indexes.get((p.id_type, matching_form(p.id_number))) if p.id_number else ""
            for p in parties
        ]
        missing = [n for n, found in enumerate(numbers) if found is None]
        for n, found in zip(
            missing, index_many([parties[n].id_number for n in missing], scheme="id"), strict=True
        ):
            numbers[n] = found
        bulk_load(
            table,
            [
                "id",
                "creditor_id",
                "kind",
                "name",
                "id_type",
                "id_number",
                "id_number_index",
                "employer",
                "created_at",
                "updated_at",
            ],
            (
                (
                    p.pk,
                    creditor_id,
                    p.kind,
                    p.name,
                    p.id_type,
                    seal,
                    number,
                    p.employer,
                    stamp,
                    stamp,
                )
                for p, seal, number in zip(parties, sealed, numbers, strict=True)
            ),
        )

    def _flush_contacts(
        self, party_ids: list[int], preexisting: set[int], now: datetime
    ) -> list[bool]:
        """Add contact values not yet known; a new value becomes the primary of its kind.

        ``preexisting`` are the parties that were in the database before this chunk; the
        others cannot have contact points yet. Values are compared by blind index, so the
        known ones are never decrypted and a value differing only in form (spaces, +86,
        case of an email) is the same value.
        """
        existing: dict[tuple[int, str], dict[str, bool]] = {}
        for batch in chunked(sorted(preexisting), 900):
            for party_id, kind, value_index, primary in (
                ContactPoint.objects.filter(party_id__in=batch)
                .order_by()
                .values_list("party_id", "kind", "value_index", "is_primary")
            ):
                existing.setdefault((party_id, kind), {})[value_index] = primary
        changed = [False] * len(party_ids)
        # Every contact value of the chunk, as sealed ahead or else indexed here in one
        # pass per kind: (row, party, kind, value, index, ciphertext or None).
        seen: list[tuple[int, int, str, str, str, str | None]] = []
        unsealed: list[tuple[int, int, str, str]] = []
        for index, ((record, _, _, seal), party_id) in enumerate(
            zip(self._records, party_ids, strict=True)
        ):
            if seal is not None:
                seen.extend(
                    (index, party_id, kind, value, value_index, sealed)
                    for kind, value, value_index, sealed in seal.contacts
                )
            else:
                unsealed.extend((index, party_id, kind, value) for kind, value in contacts(record))
        seen.extend(self._indexed(unsealed))
        new_values: list[tuple[int, str, str, str, str | None]] = []
        demote: set[tuple[int, str]] = set()
        for index, party_id, kind, value, value_index, sealed in seen:
            values = existing.setdefault((party_id, kind), {})
            if value_index in values:
                continue
            if values:
                demote.add((party_id, kind))
                for known_value in values:
                    values[known_value] = False
            values[value_index] = True
            new_values.append((party_id, kind, value, value_index, sealed))
            changed[index] = True
        # Values not sealed ahead are sealed here, only the new ones, in one pass.
        context = encrypted_field(ContactPoint, "value").context
        unsealed_new = [n for n, new in enumerate(new_values) if new[4] is None]
        late = iter(seal_many([new_values[n][2] for n in unsealed_new], context=context))
        stamp = db_stamp(now)
        unverified = ContactStatus.UNVERIFIED.value  # once, not an enum lookup per value
        new_rows = [
            (
                party_id,
                kind,
                seal if seal is not None else next(late),
                value_index,
                unverified,
                True,
                self.source,
                stamp,
                stamp,
            )
            for party_id, kind, _, value_index, seal in new_values
        ]
        for pairs in chunked(sorted(demote), 400):
            condition = Q()
            for party_id, kind in pairs:
                condition |= Q(party_id=party_id, kind=kind)
            ContactPoint.objects.filter(condition, is_primary=True).update(
                is_primary=False, updated_at=now
            )
        if new_rows:
            bulk_load(
                ContactPoint._meta.db_table,
                [
                    "party_id",
                    "kind",
                    "value",
                    "value_index",
                    "status",
                    "is_primary",
                    "source",
                    "created_at",
                    "updated_at",
                ],
                new_rows,
            )
        return changed

    @staticmethod
    def _indexed(
        values: list[tuple[int, int, str, str]],
    ) -> list[tuple[int, int, str, str, str, str | None]]:
        """(row, party, kind, value) → the same with the value's blind index, in one pass
        per kind, and no ciphertext yet."""
        value_indexes = contact_indexes([(kind, value) for _, _, kind, value in values])
        return [
            (*value, value_index, None)
            for value, value_index in zip(values, value_indexes, strict=True)
        ]
