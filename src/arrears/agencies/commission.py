"""Commission arithmetic of agency contracts: pure, no Django.

Rates are integer basis points (1 bp = 0.01%). Two ways to price:

* by bucket: the placement's bucket when it was placed picks one rate, the line with the
  highest bucket not above it (a line "M4" covers M4 to M7); every fen recovered earns it;
* by recovered-amount tiers: progressive, like income tax — with tiers 0: 15%, 10,000 yuan:
  20%, a recovery of 15,000 yuan earns 10,000 × 15% + 5,000 × 20%.

Rounding rule (DESIGN.md rule 1): the commission earned on a placement's cumulative
recovery is exact (a fraction of a fen) and is rounded half up once; a month's commission
is the rounded cumulative commission at the month's end less the rounded cumulative
commission at its start. So the months of a placement add up exactly to the rounded
commission on its whole recovery, and a placement recovered in one month pays
``round_half_up(recovered × rate)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from arrears.core.money import round_half_up

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class RateLine:
    """One line of a contract's price: from ``bucket`` (bucket basis) or from ``from_amount``
    fen of recovery (tier basis), ``rate_bp`` basis points."""

    rate_bp: int
    bucket: str = ""
    from_amount: int = 0


def bucket_number(bucket: str) -> int:
    """``M3`` → 3; a bucket that is not ``M<n>`` is refused."""
    if len(bucket) < 2 or bucket[0] != "M" or not bucket[1:].isdigit():
        raise ValueError(f"not a bucket: {bucket!r}")
    return int(bucket[1:])


def bucket_rate(lines: Sequence[RateLine], bucket: str) -> int | None:
    """The basis points for a case placed in ``bucket``, or ``None`` when no line covers it."""
    number = bucket_number(bucket)
    covering = [line for line in lines if bucket_number(line.bucket) <= number]
    if not covering:
        return None
    return max(covering, key=lambda line: bucket_number(line.bucket)).rate_bp


def tiered_exact(lines: Sequence[RateLine], recovered: int) -> Fraction:
    """The exact commission (fen, unrounded) on a cumulative recovery of ``recovered`` fen
    under progressive tiers; nothing below the lowest tier's start."""
    tiers = sorted(lines, key=lambda line: line.from_amount)
    total = Fraction(0)
    for index, line in enumerate(tiers):
        upper = tiers[index + 1].from_amount if index + 1 < len(tiers) else None
        if recovered <= line.from_amount:
            break
        top = recovered if upper is None else min(recovered, upper)
        total += Fraction((top - line.from_amount) * line.rate_bp, BASIS_POINTS)
    return total


def commission_to_date(
    *, basis: str, lines: Sequence[RateLine], bucket: str, recovered: int
) -> int:
    """The commission in fen on a placement's cumulative recovery, rounded half up once.

    ``basis`` is ``bucket`` or ``recovered``; a bucket no line covers earns nothing."""
    if recovered <= 0:
        return 0
    if basis == "bucket":
        rate = bucket_rate(lines, bucket)
        return 0 if rate is None else round_half_up(Fraction(recovered * rate, BASIS_POINTS))
    return round_half_up(tiered_exact(lines, recovered))


def commission_in_period(
    *, basis: str, lines: Sequence[RateLine], bucket: str, before: int, during: int
) -> int:
    """The commission earned on ``during`` fen recovered in a period, after ``before`` fen
    recovered on the same placement earlier: the difference of the rounded cumulative
    commissions (see the module's rounding rule)."""
    end = commission_to_date(basis=basis, lines=lines, bucket=bucket, recovered=before + during)
    start = commission_to_date(basis=basis, lines=lines, bucket=bucket, recovered=before)
    return end - start


def rate_label(rate_bp: int) -> str:
    """``1250`` → ``"12.50%"``."""
    return f"{rate_bp // 100}.{rate_bp % 100:02d}%"
