"""The experiment statistics agree with a reference computation (figures below were computed
with scipy 1.17: ``binomtest(k, n).proportion_ci(method="wilson")`` and
``chi2_contingency([[30, 70], [45, 55]], correction=False)``, whose p-value equals the
pooled two-proportion z-test's) and behave at the edges a small arm reaches."""

from __future__ import annotations

import math

import pytest

from arrears.insights.calculations import stats


def test_the_wilson_interval_matches_the_reference() -> None:
    assert stats.wilson_interval(30, 100) == pytest.approx((0.218949, 0.395849), abs=1e-6)
    assert stats.wilson_interval(45, 100) == pytest.approx((0.356145, 0.547554), abs=1e-6)


def test_the_wilson_interval_stays_inside_zero_and_one_at_the_extremes() -> None:
    low, high = stats.wilson_interval(0, 10)  # type: ignore[misc]
    assert low == 0.0 and high == pytest.approx(0.277532, abs=1e-6)
    low, high = stats.wilson_interval(10, 10)  # type: ignore[misc]
    assert high == 1.0 and low == pytest.approx(0.722468, abs=1e-6)
    assert stats.wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        stats.wilson_interval(11, 10)


def test_thirty_against_forty_five_of_a_hundred_is_significant_at_five_percent() -> None:
    # z = 0.15 / sqrt(0.375 * 0.625 * 2 / 100) = 2.19089; p = 2 (1 - Phi(z)).
    p_value = stats.two_proportion_p_value(30, 100, 45, 100)
    # Wald: 0.15 -+ 1.959964 * sqrt(0.3 * 0.7 / 100 + 0.45 * 0.55 / 100).
    low, high = stats.difference_interval(30, 100, 45, 100)  # type: ignore[misc]

    assert p_value == pytest.approx(0.028460, abs=1e-6)
    assert (low, high) == pytest.approx((0.017430, 0.282570), abs=1e-6)


def test_equal_arms_give_p_one_and_an_interval_around_zero() -> None:
    assert stats.two_proportion_p_value(0, 50, 0, 60) == 1.0
    assert stats.two_proportion_p_value(20, 100, 20, 100) == pytest.approx(1.0)
    low, high = stats.difference_interval(20, 100, 20, 100)  # type: ignore[misc]
    assert low == pytest.approx(-high)
    assert stats.two_proportion_p_value(3, 0, 1, 10) is None
    assert stats.difference_interval(1, 10, 0, 0) is None


def test_a_mean_interval_is_the_normal_approximation_with_the_sample_deviation() -> None:
    values = [0, 100, 200, 300, 400]  # mean 200, s = sqrt(25000)
    total, squares = sum(values), sum(v * v for v in values)
    half = stats.Z95 * math.sqrt(25_000 / 5)

    assert stats.mean_interval(total, squares, 5) == pytest.approx((200 - half, 200 + half))
    assert stats.mean_interval(7, 49, 1) == (7.0, 7.0)
    assert stats.mean_interval(0, 0, 0) is None


def test_the_welch_interval_adds_the_two_arms_variances() -> None:
    a = [10.0, 20.0, 30.0]  # mean 20, s^2 100
    b = [40.0, 50.0, 60.0, 70.0]  # mean 55, s^2 166.67
    sums_a = (sum(a), sum(v * v for v in a), len(a))
    sums_b = (sum(b), sum(v * v for v in b), len(b))
    half = stats.Z95 * math.sqrt(100 / 3 + (500 / 3) / 4)

    assert stats.welch_difference_interval(sums_a, sums_b) == pytest.approx((35 - half, 35 + half))
    assert stats.welch_difference_interval(sums_a, (0.0, 0.0, 0)) is None
