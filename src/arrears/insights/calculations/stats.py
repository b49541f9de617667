"""The statistics of champion/challenger results: 95 % intervals and a two-sided test.

Pure module (no Django): the experiment report computes sums in SQL and hands them here.

- A proportion's interval is Wilson's score interval, which stays inside [0, 1] and keeps
  its coverage for small arms and rates near 0 or 1, where the textbook Wald interval fails.
- The difference of two proportions is tested with the pooled two-proportion z-test
  (two-sided); its interval is the unpooled (Wald) interval of the difference, the one
  usually printed beside that test.
- A mean's interval is the normal approximation mean ± z·s/√n with the sample standard
  deviation (n − 1); the difference of two means uses Welch's unpooled standard error.

Every function takes counts or sums, never rows, so the caller's SQL stays set-based.
"""

from __future__ import annotations

import math
from statistics import NormalDist

CONFIDENCE = 0.95
# The two-sided normal quantile for ``CONFIDENCE``: 1.959963984540054.
Z95 = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)

Interval = tuple[float, float]


def wilson_interval(successes: int, trials: int, *, z: float = Z95) -> Interval | None:
    """Wilson's score interval for ``successes`` out of ``trials``; None without trials."""
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError("successes must lie between 0 and trials")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    # At 0 or all successes the bound is exactly 0 or 1; rounding would leave a hair off it.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def two_proportion_p_value(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int
) -> float | None:
    """The two-sided p-value of the pooled z-test that both arms share one rate.

    None when an arm has no trials. When the pooled rate is 0 or 1 both arms agree
    exactly and the answer is 1."""
    if trials_a <= 0 or trials_b <= 0:
        return None
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    variance = pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b)
    if variance <= 0:
        return 1.0
    z = (successes_b / trials_b - successes_a / trials_a) / math.sqrt(variance)
    return 2 * (1 - NormalDist().cdf(abs(z)))


def difference_interval(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, *, z: float = Z95
) -> Interval | None:
    """The Wald interval of rate B − rate A (unpooled standard error); None when an arm
    has no trials."""
    if trials_a <= 0 or trials_b <= 0:
        return None
    p_a, p_b = successes_a / trials_a, successes_b / trials_b
    standard_error = math.sqrt(p_a * (1 - p_a) / trials_a + p_b * (1 - p_b) / trials_b)
    difference = p_b - p_a
    return difference - z * standard_error, difference + z * standard_error


def _variance(total: float, total_of_squares: float, count: int) -> float:
    """The sample variance (n − 1) from a sum and a sum of squares; 0 for one value."""
    if count < 2:
        return 0.0
    # Guarded at 0: rounding in the sums can leave a tiny negative for equal values.
    return max(0.0, (total_of_squares - total * total / count) / (count - 1))


def mean_interval(
    total: float, total_of_squares: float, count: int, *, z: float = Z95
) -> Interval | None:
    """The normal-approximation interval of a mean from the values' sum, their sum of
    squares and their count; None without values (one value gives a zero-width interval)."""
    if count <= 0:
        return None
    mean = total / count
    half = z * math.sqrt(_variance(total, total_of_squares, count) / count)
    return mean - half, mean + half


def welch_difference_interval(
    sums_a: tuple[float, float, int], sums_b: tuple[float, float, int], *, z: float = Z95
) -> Interval | None:
    """The interval of mean B − mean A with Welch's unpooled standard error, each arm given
    as (sum, sum of squares, count); None when an arm has no values."""
    (total_a, squares_a, count_a), (total_b, squares_b, count_b) = sums_a, sums_b
    if count_a <= 0 or count_b <= 0:
        return None
    standard_error = math.sqrt(
        _variance(total_a, squares_a, count_a) / count_a
        + _variance(total_b, squares_b, count_b) / count_b
    )
    difference = total_b / count_b - total_a / count_a
    return difference - z * standard_error, difference + z * standard_error
