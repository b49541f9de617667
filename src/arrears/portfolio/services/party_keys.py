"""How a tape's party is matched: its identity and contact values in their matching form
(shared by ``PartyUpsert`` and the sealing ahead of it, ``party_seals``)."""

from __future__ import annotations

from arrears.core.bulk_seal import index_many
from arrears.core.crypto import normalise
from arrears.portfolio.choices import ContactKind
from arrears.portfolio.tape.records import PartyRecord

PartyKey = tuple[str, str]  # (id_type, normalised id_number)


def party_key(record: PartyRecord) -> PartyKey | None:
    """Identity of a party across rows and files, or None when it has no ID number."""
    if not record.id_number:
        return None
    return (record.id_type, matching_form(record.id_number))


def matching_form(number: str) -> str:
    """``normalise(number, scheme="id")``. A validated tape's number is already in that
    form (ASCII letters and digits, upper case), so its regular expression is skipped."""
    if number.isascii() and number.isalnum() and number == number.upper():
        return number
    return normalise(number, scheme="id")


# The contact kinds as plain text, looked up once rather than three times per party.
_PHONE, _EMAIL, _ADDRESS = (
    ContactKind.PHONE.value,
    ContactKind.EMAIL.value,
    ContactKind.ADDRESS.value,
)


def contacts(record: PartyRecord) -> list[tuple[str, str]]:
    """The record's contact values as (kind, value), the empty ones left out."""
    return [
        (kind, value)
        for kind, value in (
            (_PHONE, record.phone),
            (_EMAIL, record.email),
            (_ADDRESS, record.address),
        )
        if value
    ]


def contact_indexes(values: list[tuple[str, str]]) -> list[str]:
    """The blind index of each (kind, value), in order: one ``index_many`` pass per kind."""
    by_kind: dict[str, list[int]] = {}
    for position, (kind, _) in enumerate(values):
        by_kind.setdefault(kind, []).append(position)
    indexes = [""] * len(values)
    for kind, positions in by_kind.items():
        found = index_many([values[p][1] for p in positions], scheme=kind)
        for position, index in zip(positions, found, strict=True):
            indexes[position] = index
    return indexes
