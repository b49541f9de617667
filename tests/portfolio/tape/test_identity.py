"""Resident ID numbers as real ones are: the fast check agrees with a reference built from
python-stdnum's parts on every number, accepts codes of districts created after the holder's
birth, and still refuses wrong check digits, impossible birth dates and unknown regions."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import numdb
from stdnum.cn import ric

from arrears.portfolio.synthetic import resident_id
from arrears.portfolio.tape.fields import identity, resident_id_valid


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def reality_says(number: str) -> bool:
    """The rule written plainly: stdnum's check digit, a real birth date in 1900..today, and
    a six-digit region code that names a county in stdnum's table for any years."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if number[17] != ric.calc_check_digit(number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not date(1900, 1, 1) <= born <= date.today():
        return False
    return any(props.get("county") for _, props in numdb.get("cn/loc").info(number[:6]))


@settings(max_examples=400)
@given(
    seed=st.integers(0, 2**32),
    position=st.integers(0, 17),
    replacement=st.sampled_from("0123456789X"),
    mutate=st.booleans(),
)
def test_resident_id_valid_agrees_with_the_rule(
    seed: int, position: int, replacement: str, mutate: bool
) -> None:
    number, _ = resident_id(random.Random(seed))
    if mutate:
        number = number[:position] + replacement + number[position + 1 :]

    assert resident_id_valid(number) == reality_says(number)


@given(digits=st.text("0123456789", min_size=17, max_size=17))
def test_random_digits_with_a_correct_check_character_agree_too(digits: str) -> None:
    number = with_check(digits)

    assert resident_id_valid(number) == reality_says(number)


@pytest.mark.parametrize(
    "number",
    [
        "440305197012232493",  # 深圳南山区 (code from 1990), born 1970
        "510107196709075091",  # 成都武侯区 (code from 1990), born 1967
        "330106197404194887",  # 杭州西湖区 (code from 1983), born 1974
        with_check("31011519650302123"),  # 上海浦东新区 (code from 1992), born 1965
    ],
)
def test_a_district_created_after_the_birth_is_accepted(number: str) -> None:
    # python-stdnum refuses these (the code did not exist in the birth year); real people
    # hold them, registered after the district was created.
    assert not ric.is_valid(number)
    assert identity(number) == ("person", "resident_id", number)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("440305197012232494", "check digit is wrong"),
        (with_check("44030520991223249"), "not a real date between 1900 and today"),
        (with_check("44030518891223249"), "not a real date between 1900 and today"),
        (with_check("44030519700230249"), "not a real date between 1900 and today"),
        (with_check("99999919800101123"), "region code 999999 never existed"),
        # 110001 lies under Beijing but names no county (python-stdnum raises KeyError).
        (with_check("11000119860915888"), "region code 110001 never existed"),
    ],
)
def test_truly_bad_numbers_are_refused_with_the_reason(number: str, reason: str) -> None:
    assert resident_id_valid(number) is False
    with pytest.raises(ValueError, match=reason):
        identity(number)
