"""The pieces of encryption at rest that need no database: sealing, the blind index's
normalisation, key parsing, and masking an address to its district."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from arrears.core import crypto
from arrears.core.crypto import FieldDecryptionError, blind_index, decrypt, encrypt, normalise
from arrears.core.masking import mask_address


@pytest.fixture(autouse=True)
def _keys(settings: Any) -> None:
    settings.ARREARS_FIELD_KEYS = f"k1:{base64.b64encode(os.urandom(32)).decode()}"
    settings.ARREARS_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()


def test_a_sealed_value_is_random_bound_to_its_column_and_opens_again() -> None:
    one = encrypt("110101199003071234", context="portfolio_party.id_number")
    two = encrypt("110101199003071234", context="portfolio_party.id_number")

    assert one != two, "a fresh nonce per value: equal values do not show as equal"
    assert one.startswith("v1:k1:") and "1101011990" not in one
    assert decrypt(one, context="portfolio_party.id_number") == "110101199003071234"
    with pytest.raises(FieldDecryptionError, match="another column"):
        decrypt(one, context="portfolio_contactpoint.value")
    assert encrypt("", context="x.y") == "" and decrypt("", context="x.y") == ""


@pytest.mark.parametrize(
    ("scheme", "forms"),
    [
        ("phone", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "008613800138000"]),
        ("phone", ["8613800138000", "(138)00138000"]),
        ("email", ["Zhang.San@Example.com", " zhang.san@example.com "]),
        ("id", ["11010119900307123x", "110101 19900307 123X"]),
    ],
)
def test_the_blind_index_is_equal_for_every_form_of_a_value(scheme: str, forms: list[str]) -> None:
    assert len({blind_index(form, scheme=scheme) for form in forms}) == 1
    assert len(blind_index(forms[0], scheme=scheme)) == 32  # 128 bits in hex


def test_the_index_differs_by_scheme_value_and_key(settings: Any) -> None:
    phone = blind_index("13800138000", scheme="phone")
    assert blind_index("13800138000", scheme="id") != phone
    assert blind_index("13800138001", scheme="phone") != phone
    settings.ARREARS_INDEX_KEY = base64.b64encode(os.urandom(32)).decode()
    assert blind_index("13800138000", scheme="phone") != phone
    assert normalise("+86 10 6552 9988", scheme="phone") == "+861065529988"


@pytest.mark.parametrize(
    "text",
    ["k1", "k1:not-base64!", f"k1:{base64.b64encode(b'short').decode()}", "bad id:AAAA"],
)
def test_a_malformed_key_setting_is_a_clear_error(settings: Any, text: str) -> None:
    settings.ARREARS_FIELD_KEYS = text
    with pytest.raises(ImproperlyConfigured, match="ARREARS_FIELD_KEYS"):
        crypto.field_keys()


def test_two_keys_the_first_encrypts_both_decrypt(settings: Any) -> None:
    old = settings.ARREARS_FIELD_KEYS
    sealed = encrypt("13800138000", context="t.c")
    settings.ARREARS_FIELD_KEYS = f"k2:{base64.b64encode(os.urandom(32)).decode()},{old}"

    assert encrypt("13800138000", context="t.c").startswith("v1:k2:")
    assert decrypt(sealed, context="t.c") == "13800138000"
    assert crypto.key_id(sealed) == "k1"


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("北京市朝阳区建国路88号3号楼1201室", "北京市朝阳区****"),
        ("广东省深圳市南山区科技园南区深南大道10000号", "广东省深圳市南山区****"),
        ("江苏省昆山市玉山镇人民路1号", "江苏省昆山市****"),
        ("新疆维吾尔自治区乌鲁木齐市天山区解放路5号", "新疆维吾尔自治区乌鲁木齐市天山区****"),
        ("上海市浦东新区世纪大道100号", "上海市浦东新区****"),
        ("123 Main St, Springfield", "****"),
        ("", ""),
    ],
)
def test_an_address_is_masked_to_its_district(address: str, shown: str) -> None:
    assert mask_address(address) == shown
