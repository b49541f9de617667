"""A tape's parties sealed ahead of the import's writing side match what the upsert itself
would find and store: the blind index of each ID number and contact value, and
ciphertexts that open to the value in its own column."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest

from arrears.core.crypto import blind_index, decrypt
from arrears.core.fields import encrypted_field
from arrears.portfolio.models import ContactPoint, Party
from arrears.portfolio.services.party_seals import seal_parties
from arrears.portfolio.tape.records import PartyRecord


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    settings.ARREARS_FIELD_KEYS = f"k1:{base64.b64encode(os.urandom(32)).decode()}"
    settings.ARREARS_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()


def test_each_value_is_indexed_and_sealed_as_the_upsert_would() -> None:
    records = [
        PartyRecord(
            name="张三",
            id_type="resident_id",
            id_number="11010119900307123X",
            phone="+8613800138000",
            email="zhang.san@example.com",
            address="北京市朝阳区建国路1号",
        ),
        PartyRecord(name="李四", phone="+8619912345678"),
        PartyRecord(name="王五", id_type="resident_id", id_number="110101199003071234"),
    ]

    seals = seal_parties(records)

    id_context = encrypted_field(Party, "id_number").context
    value_context = encrypted_field(ContactPoint, "value").context
    first, second, third = seals
    assert first.id_index == blind_index("11010119900307123X", scheme="id")
    assert decrypt(first.id_sealed, context=id_context) == "11010119900307123X"
    assert [(kind, value) for kind, value, _, _ in first.contacts] == [
        ("phone", "+8613800138000"),
        ("email", "zhang.san@example.com"),
        ("address", "北京市朝阳区建国路1号"),
    ]
    for kind, value, index, sealed in first.contacts + second.contacts:
        assert index == blind_index(value, scheme=kind)
        assert decrypt(sealed, context=value_context) == value
    # A party without an ID number has no identity to index or seal.
    assert (second.id_index, second.id_sealed) == ("", "")
    assert third.id_index == blind_index("110101199003071234", scheme="id")
    assert third.contacts == ()
