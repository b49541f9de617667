"""Court fees (诉讼费用交纳办法 arts. 13-16): every band edge of every schedule, the worked
examples of the research notes, rounding once, and the ``arrears legal fees`` command.

Expected values come from the quick formulas published for each band (research notes A1),
written out here as literals; the code under test adds the bands up instead.
"""

from __future__ import annotations

import json
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.legal.calculations.fees import court_fee_table, court_fees
from arrears.legal.cli.fees import fees_report

# (upper end of the band in yuan or None, slope, intercept in yuan): fee = slope·x + intercept.
ACCEPTANCE = [
    (10_000, "0", "50"),
    (100_000, "0.025", "-200"),
    (200_000, "0.02", "300"),
    (500_000, "0.015", "1300"),
    (1_000_000, "0.01", "3800"),
    (2_000_000, "0.009", "4800"),
    (5_000_000, "0.008", "6800"),
    (10_000_000, "0.007", "11800"),
    (20_000_000, "0.006", "21800"),
    (None, "0.005", "41800"),
]
PRESERVATION = [(1_000, "0", "30"), (100_000, "0.01", "20"), (None, "0.005", "520")]
PRESERVATION_CAP = Fraction(5000)
ENFORCEMENT = [
    (10_000, "0", "50"),
    (500_000, "0.015", "-100"),
    (5_000_000, "0.01", "2400"),
    (10_000_000, "0.005", "27400"),
    (None, "0.001", "67400"),
]


def quick(formulas: list[tuple[int | None, str, str]], yuan: Fraction) -> Fraction:
    for upper, slope, intercept in formulas:
        if upper is None or yuan <= upper:
            return Fraction(slope) * yuan + Fraction(intercept)
    raise AssertionError("unreachable")


def fen(yuan: Fraction) -> int:
    """Yuan → fen, half up (the test's own rounding)."""
    scaled = yuan * 100
    return int((scaled * 2 + 1) // 2)


def expected(yuan: Fraction) -> tuple[int, int, int, int, int]:
    full = quick(ACCEPTANCE, yuan)
    preservation = min(quick(PRESERVATION, yuan), PRESERVATION_CAP)
    return (
        fen(full),
        fen(full / 2),
        fen(full / 3),
        fen(preservation),
        fen(quick(ENFORCEMENT, yuan)),
    )


def computed(yuan: Fraction) -> tuple[int, int, int, int, int]:
    fees = court_fees(int(yuan * 100))
    return (
        fees.acceptance_fee,
        fees.acceptance_fee_halved,
        fees.payment_order_fee,
        fees.preservation_fee,
        fees.enforcement_fee,
    )


EDGES = sorted(
    {upper for table in (ACCEPTANCE, PRESERVATION, ENFORCEMENT) for upper, _, _ in table if upper}
    | {896_000}  # where the preservation fee reaches its cap
)


@pytest.mark.parametrize("edge", EDGES)
@pytest.mark.parametrize("offset", [Fraction(-1, 100), Fraction(0), Fraction(1, 100)])
def test_every_band_edge_matches_the_published_quick_formulas(edge: int, offset: Fraction) -> None:
    yuan = edge + offset

    assert computed(yuan) == expected(yuan)


def test_the_edges_cover_every_band_of_every_schedule_in_the_data() -> None:
    table = court_fee_table()
    data_edges = {
        band.over // 100
        for schedule in (table.acceptance, table.preservation, table.enforcement)
        for band in schedule.bands
    }

    assert data_edges <= set(EDGES)


@pytest.mark.parametrize(
    ("claim", "fees"),
    [
        ("8000", ("50.00", "25.00", "16.67", "100.00", "50.00")),
        ("50000", ("1050.00", "525.00", "350.00", "520.00", "650.00")),
        ("150000", ("3300.00", "1650.00", "1100.00", "1270.00", "2150.00")),
        ("1000000", ("13800.00", "6900.00", "4600.00", "5000.00", "12400.00")),
    ],
)
def test_the_worked_examples_of_the_research_notes(claim: str, fees: tuple[str, ...]) -> None:
    report = fees_report(int(claim) * 100)

    assert report == {
        "claim": f"{claim}.00",
        "acceptance_fee": fees[0],
        "acceptance_fee_halved": fees[1],
        "payment_order_fee": fees[2],
        "preservation_fee": fees[3],
        "enforcement_fee": fees[4],
    }


def test_the_halved_fee_is_half_the_exact_fee_not_half_the_rounded_one() -> None:
    # 10,000.20 yuan: the full fee is 50.005 → 50.01, its exact half 25.0025 → 25.00.
    fees = court_fees(1_000_020)

    assert fees.acceptance_fee == 50_01
    assert fees.acceptance_fee_halved == 25_00
    assert fees.payment_order_fee == 16_67  # 50.005 / 3 = 16.668…


def test_a_mediated_simple_procedure_case_is_halved_once_not_quartered() -> None:
    fees = court_fees(15_000_000)

    assert fees.acceptance_fee == 3_300_00
    assert fees.acceptance_fee_halved == 1_650_00


def test_the_preservation_fee_stops_at_5000_yuan_from_about_896000() -> None:
    assert court_fees(89_599_899).preservation_fee == 4_999_99
    assert court_fees(89_600_000).preservation_fee == 5_000_00
    assert court_fees(10_000_000_000).preservation_fee == 5_000_00


def test_small_claims_pay_the_flat_fees() -> None:
    fees = court_fees(0)

    assert (fees.acceptance_fee, fees.preservation_fee, fees.enforcement_fee) == (
        50_00,
        30_00,
        50_00,
    )


def test_a_negative_claim_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        court_fees(-1)


def test_each_schedule_names_its_article() -> None:
    table = court_fee_table()

    assert table.acceptance.article == "第十三条第（一）项"
    assert table.preservation.article == "第十四条第（二）项"
    assert table.enforcement.article.startswith("第十四条第（一）项")
    assert table.payment_order.article == "第十四条第（三）项"
    assert table.halved.article == "第十五条、第十六条"


def test_the_command_prints_the_fees_as_json() -> None:
    out = StringIO()

    call_command("legal", "fees", "--claim", "150000", "--json", stdout=out)

    assert json.loads(out.getvalue()) == {
        "claim": "150000.00",
        "acceptance_fee": "3300.00",
        "acceptance_fee_halved": "1650.00",
        "payment_order_fee": "1100.00",
        "preservation_fee": "1270.00",
        "enforcement_fee": "2150.00",
    }


def test_the_command_accepts_grouped_yuan() -> None:
    out = StringIO()

    call_command("legal", "fees", "--claim", "1,000,000.00", "--json", stdout=out)

    assert json.loads(out.getvalue())["acceptance_fee"] == "13800.00"


def test_the_command_prints_a_table_naming_each_fee_and_its_article() -> None:
    out = StringIO()

    call_command("legal", "fees", "--claim", "50000", stdout=out)

    text = out.getvalue()
    assert "1,050.00" in text and "525.00" in text and "350.00" in text
    assert "第十三条" in text and "第十四条第（二）项" in text and "第十五条" in text


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ("-5", "negative"),
        ("100.001", "more than two decimals"),
        ("abc", "not an amount"),
        ("1e30", "not an amount"),
        ("1" + "0" * 30, "ceiling"),
        ("nan", "not an amount"),
    ],
)
def test_bad_claims_exit_2_with_a_clear_message(claim: str, message: str) -> None:
    with pytest.raises(CommandError, match=message) as error:
        call_command("legal", "fees", f"--claim={claim}", stdout=StringIO())

    assert error.value.returncode == 2
