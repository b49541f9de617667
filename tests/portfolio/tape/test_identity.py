"""The fast resident-ID check agrees with python-stdnum on every number."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from arrears.portfolio.synthetic import resident_id
from arrears.portfolio.tape.fields import identity, resident_id_valid


def stdnum_says(number: str) -> bool:
    try:
        return ric.is_valid(number)
    except KeyError:  # stdnum fails this way on a province-level region code
        return False


@settings(max_examples=400)
@given(
    seed=st.integers(0, 2**32),
    position=st.integers(0, 17),
    replacement=st.sampled_from("0123456789X"),
    mutate=st.booleans(),
)
def test_resident_id_valid_agrees_with_stdnum(
    seed: int, position: int, replacement: str, mutate: bool
) -> None:
    number, _ = resident_id(random.Random(seed))
    if mutate:
        number = number[:position] + replacement + number[position + 1 :]

    assert resident_id_valid(number) == stdnum_says(number)


@given(digits=st.text("0123456789", min_size=17, max_size=17))
def test_random_digits_with_a_correct_check_character_agree_too(digits: str) -> None:
    number = digits + ric.calc_check_digit(digits + "0")

    assert resident_id_valid(number) == stdnum_says(number)


def test_a_province_level_region_code_is_refused_with_a_reason_not_a_crash() -> None:
    # 110001 lies under Beijing's province-level code but names no county; python-stdnum's
    # own check raises KeyError on it.
    body = "11000119860915888"
    number = body + ric.calc_check_digit(body + "0")

    assert resident_id_valid(number) is False
    try:
        identity(number)
    except ValueError as error:
        assert "region code" in str(error)
    else:
        raise AssertionError("a city-level region code was accepted")
