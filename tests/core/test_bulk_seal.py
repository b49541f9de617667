"""Sealing and indexing in bulk gives what sealing and indexing value by value gives: the
same index for every form of a value, and ciphertexts that open to the value in their
column only."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest

from arrears.core.bulk_seal import index_many, seal_many
from arrears.core.crypto import FieldDecryptionError, blind_index, decrypt


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    settings.ARREARS_FIELD_KEYS = f"k1:{base64.b64encode(os.urandom(32)).decode()}"
    settings.ARREARS_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()


VALUES = {
    "phone": [
        "+8613800138000",
        " +8619912345678 ",
        "13800138000",
        "+86 138-0013-8000",
        "+861065529988",
        "+8613800138000;ext=12",
        "+12025550143",
        "not a number",
        "",
    ],
    "id": ["11010119900307123X", "110101 19900307 123x", "91110105MA01ABCD1X", ""],
    "email": ["Zhang.San@Example.com", " zhang.san@example.com ", ""],
    "address": ["北京市  朝阳区 建国路1号", ""],
}


@pytest.mark.parametrize("scheme", sorted(VALUES))
def test_indexes_in_bulk_equal_the_index_of_each_value(scheme: str) -> None:
    values = VALUES[scheme]

    assert index_many(values, scheme=scheme) == [blind_index(v, scheme=scheme) for v in values]


def test_values_sealed_in_bulk_open_to_themselves_in_their_column_only() -> None:
    values = ["110101199003071234", "", "+8613800138000", "110101199003071234"]

    sealed = seal_many(values, context="portfolio_party.id_number")

    assert [decrypt(s, context="portfolio_party.id_number") for s in sealed] == values
    assert sealed[1] == "" and sealed[0].startswith("v1:k1:")
    assert sealed[0] != sealed[3], "a fresh nonce per value: equal values do not show as equal"
    with pytest.raises(FieldDecryptionError, match="another column"):
        decrypt(sealed[0], context="portfolio_contactpoint.value")
