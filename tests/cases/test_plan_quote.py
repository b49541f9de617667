"""The plan quote: down payment now, equal monthly installments, lines that sum exactly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.cases.plan_quote import QuoteError, QuoteLine, down_payment_of, plan_quote

TODAY = date(2026, 3, 10)


def test_thirty_percent_now_and_the_rest_over_six_months() -> None:
    down = down_payment_of(1_000_000, "30")

    lines = plan_quote(
        total=1_000_000, down_payment=down, installments=6, start_on=date(2026, 4, 10), today=TODAY
    )

    assert lines[0] == QuoteLine(0, TODAY, 300_000)
    assert [line.due_on for line in lines[1:]] == [
        date(2026, 4, 10),
        date(2026, 5, 10),
        date(2026, 6, 10),
        date(2026, 7, 10),
        date(2026, 8, 10),
        date(2026, 9, 10),
    ]
    assert [line.amount for line in lines[1:]] == [116_667] * 5 + [116_665]
    assert sum(line.amount for line in lines) == 1_000_000


def test_installments_from_the_31st_fall_on_each_months_last_day_without_drifting() -> None:
    lines = plan_quote(
        total=300_00,
        down_payment=0,
        installments=3,
        start_on=date(2026, 1, 31),
        today=TODAY - timedelta(days=60),
    )

    assert [line.due_on for line in lines] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert [line.number for line in lines] == [1, 2, 3]


def test_a_percentage_is_rounded_half_up_to_the_fen() -> None:
    assert down_payment_of(100_001, 30) == 30_000
    assert down_payment_of(5, "50") == 3


def test_the_down_payment_can_be_due_on_a_later_day_than_the_plan_is_made() -> None:
    lines = plan_quote(
        total=50_000,
        down_payment=10_000,
        installments=2,
        start_on=date(2026, 4, 1),
        today=TODAY,
        down_on=date(2026, 3, 15),
    )

    assert lines[0] == QuoteLine(0, date(2026, 3, 15), 10_000)


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"down_payment": 200_000}, "down_payment", "more than the amount"),
        ({"installments": 0}, "installments", "1 to 60"),
        ({"installments": 61}, "installments", "1 to 60"),
        ({"start_on": TODAY - timedelta(days=1)}, "start_on", "before today"),
        ({"down_payment": 100_000}, "down_payment", "under 1 yuan"),
        ({"total": 0}, "total", "more than zero"),
    ],
)
def test_an_impossible_quote_names_the_field_to_correct(
    kwargs: dict[str, object], field: str, words: str
) -> None:
    args: dict[str, object] = {
        "total": 100_000,
        "down_payment": 0,
        "installments": 6,
        "start_on": TODAY,
        "today": TODAY,
    }
    args.update(kwargs)

    with pytest.raises(QuoteError, match=words) as caught:
        plan_quote(**args)  # type: ignore[arg-type]

    assert caught.value.field == field


def test_a_percentage_outside_0_to_100_is_refused() -> None:
    with pytest.raises(QuoteError) as caught:
        down_payment_of(100, "130")

    assert caught.value.field == "down_payment"


@given(
    total=st.integers(100, 10**11),
    share=st.integers(0, 100),
    installments=st.integers(1, 60),
    start=st.integers(0, 800),
)
def test_the_lines_always_sum_to_the_amount_and_never_go_below_a_yuan(
    total: int, share: int, installments: int, start: int
) -> None:
    down = down_payment_of(total, share)
    try:
        lines = plan_quote(
            total=total,
            down_payment=down,
            installments=installments,
            start_on=TODAY + timedelta(days=start),
            today=TODAY,
        )
    except QuoteError as error:
        assert total - down < installments * 100
        assert error.field in {"installments", "down_payment"}
        return

    assert sum(line.amount for line in lines) == total
    assert all(line.amount > 0 for line in lines)
    regular = [line.amount for line in lines if line.number > 0]
    assert max(regular) - min(regular) <= installments // 2 + 1
    assert [line.due_on for line in lines] == sorted(line.due_on for line in lines)
