"""A tape's parties sealed and blind-indexed ahead of their writing, with no database.

``PartyUpsert`` needs, for each party of a chunk, the blind index of its ID number (to find
it) and of each contact value (to compare), and the ciphertext of what it inserts. That is
HMAC and AES work on about 240,000 values for a 100,000-loan tape: the import's driver runs
``seal_parties`` on its reading side (``LoanIngestor.prepare``), on a core of its own,
so the writing side only looks the results up. Every value is sealed, even of a party
that turns out to be known already: the reading side is otherwise waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from arrears.core.bulk_seal import index_many, seal_many
from arrears.core.fields import encrypted_field
from arrears.portfolio.models import ContactPoint, Party
from arrears.portfolio.services.party_keys import contact_indexes, contacts, matching_form
from arrears.portfolio.tape.records import PartyRecord, pickled_by_fields

# One contact value: (kind, value, blind index, ciphertext).
SealedContact = tuple[str, str, str, str]


@pickled_by_fields  # sent from the reading process: 240,000 of them for 100,000 loans
@dataclass(frozen=True, slots=True)
class PartySeal:
    """One party record's values as ``PartyUpsert`` writes and matches them."""

    id_index: str  # blind index of the ID number in its matching form; "" without one
    id_sealed: str  # the ID number's ciphertext; "" without one
    contacts: tuple[SealedContact, ...]


def seal_parties(records: Sequence[PartyRecord]) -> list[PartySeal]:
    """``records``' seals, in order: one pass of ``index_many`` and ``seal_many`` per kind
    of value (the same results as the upsert's own sealing, value by value)."""
    numbers = [matching_form(r.id_number) if r.id_number else "" for r in records]
    id_indexes = index_many(numbers, scheme="id")
    id_sealed = seal_many(
        [r.id_number for r in records], context=encrypted_field(Party, "id_number").context
    )
    seen = [(n, kind, value) for n, r in enumerate(records) for kind, value in contacts(r)]
    value_indexes = contact_indexes([(kind, value) for _, kind, value in seen])
    sealed = seal_many(
        [value for _, _, value in seen], context=encrypted_field(ContactPoint, "value").context
    )
    per_record: list[list[SealedContact]] = [[] for _ in records]
    for (n, kind, value), value_index, seal in zip(seen, value_indexes, sealed, strict=True):
        per_record[n].append((kind, value, value_index, seal))
    return [
        PartySeal(index if number else "", seal, tuple(found))
        for number, index, seal, found in zip(
            numbers, id_indexes, id_sealed, per_record, strict=True
        )
    ]
