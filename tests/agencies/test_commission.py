"""Commission arithmetic without a database: bucket rates, progressive tiers, rounding
half up once on the cumulative recovery, and months that add up to the whole."""

from __future__ import annotations

import pytest

from arrears.agencies.commission import (
    RateLine,
    bucket_rate,
    commission_in_period,
    commission_to_date,
    rate_label,
    tiered_exact,
)

BUCKETS = [
    RateLine(rate_bp=1200, bucket="M2"),
    RateLine(rate_bp=1800, bucket="M3"),
    RateLine(rate_bp=2500, bucket="M4"),
]
TIERS = [RateLine(rate_bp=1500, from_amount=0), RateLine(rate_bp=2000, from_amount=1_000_000)]


@pytest.mark.parametrize(
    ("bucket", "rate"), [("M1", None), ("M2", 1200), ("M3", 1800), ("M4", 2500), ("M7", 2500)]
)
def test_a_bucket_line_covers_its_bucket_and_those_above_until_the_next(
    bucket: str, rate: int | None
) -> None:
    assert bucket_rate(BUCKETS, bucket) == rate


def test_a_bucket_no_line_covers_earns_no_commission() -> None:
    assert commission_to_date(basis="bucket", lines=BUCKETS, bucket="M1", recovered=10_000) == 0


def test_bucket_commission_is_the_rate_on_the_recovery_rounded_half_up() -> None:
    # 12% of 1,234.55 yuan = 148.146 yuan = 14814.6 fen → 14815 fen.
    assert commission_to_date(basis="bucket", lines=BUCKETS, bucket="M2", recovered=123_455) == (
        14_815
    )
    # 12% of 0.04 yuan = 0.48 fen → 0 fen; of 0.05 yuan = 0.6 fen → 1 fen; half → up.
    assert commission_to_date(basis="bucket", lines=BUCKETS, bucket="M2", recovered=4) == 0
    assert commission_to_date(basis="bucket", lines=BUCKETS, bucket="M2", recovered=5) == 1
    half = [RateLine(rate_bp=5000, bucket="M1")]
    assert commission_to_date(basis="bucket", lines=half, bucket="M1", recovered=1) == 1


def test_tiers_are_progressive_each_slice_at_its_rate() -> None:
    # 15,000 yuan: 10,000 × 15% + 5,000 × 20% = 2,500 yuan.
    assert tiered_exact(TIERS, 1_500_000) == 250_000
    assert commission_to_date(basis="recovered", lines=TIERS, bucket="M3", recovered=1_500_000) == (
        250_000
    )
    # Below the second tier only the first rate applies.
    assert commission_to_date(basis="recovered", lines=TIERS, bucket="M3", recovered=999_999) == (
        150_000
    )


def test_a_months_commission_is_the_difference_of_rounded_cumulative_commissions() -> None:
    # Month 1 recovers 800,000 fen (15% → 120,000); month 2 another 400,000 fen crossing the
    # tier: cumulative 1,200,000 → 150,000 + 40,000 = 190,000, so month 2 earns 70,000.
    first = commission_in_period(
        basis="recovered", lines=TIERS, bucket="M3", before=0, during=800_000
    )
    second = commission_in_period(
        basis="recovered", lines=TIERS, bucket="M3", before=800_000, during=400_000
    )
    assert (first, second) == (120_000, 70_000)
    whole = commission_to_date(basis="recovered", lines=TIERS, bucket="M3", recovered=1_200_000)
    assert first + second == whole


def test_months_add_up_to_the_commission_on_the_whole_even_where_each_rounds() -> None:
    parts = [3, 3, 3]  # 12% of 3 fen = 0.36 fen each; the whole 9 fen → 1.08 → 1 fen
    before, total = 0, 0
    for part in parts:
        total += commission_in_period(
            basis="bucket", lines=BUCKETS, bucket="M2", before=before, during=part
        )
        before += part
    assert total == commission_to_date(basis="bucket", lines=BUCKETS, bucket="M2", recovered=9)
    assert total == 1


def test_rates_are_shown_as_percentages() -> None:
    assert rate_label(1250) == "12.50%"
    assert rate_label(2500) == "25.00%"
