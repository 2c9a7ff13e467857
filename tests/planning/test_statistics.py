"""The Wilson score interval and nearest-rank quantiles, against hand-worked cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from federation.planning.statistics import Z95, quantile, wilson


def test_wilson_8_of_10_by_hand() -> None:
    # p = 0.8, z² = 3.8415, z²/n = 0.38415, denominator 1.38415
    # centre = (0.8 + 0.19207) / 1.38415 = 0.71674
    # half = 1.95996 / 1.38415 * sqrt(0.8 x 0.2 / 10 + 3.8415 / 400) = 1.41600 x 0.16001 = 0.22658
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_3_of_4_and_the_ends() -> None:
    low, high = wilson(3, 4)  # centre (0.75 + 0.48019) / 1.96039 = 0.62753, half 0.32689
    assert (low, high) == (pytest.approx(0.3006, abs=1e-4), pytest.approx(0.9544, abs=1e-4))
    # all passed: the top is exactly 1, the bottom n / (n + z²)
    assert wilson(5, 5) == (pytest.approx(5 / (5 + Z95**2)), 1.0)
    assert wilson(0, 5) == (0.0, pytest.approx(Z95**2 / (5 + Z95**2)))
    assert wilson(0, 0) == (0.0, 1.0)


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_rate_and_stays_in_0_1(case: tuple[int, int]) -> None:
    k, n = case
    low, high = wilson(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_nearest_rank_quantiles() -> None:
    xs = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert quantile(xs, 0.5) == 3.0  # ceil(2.5) = 3rd of 1..5
    assert quantile(xs, 0.05) == 1.0
    assert quantile(xs, 0.95) == 5.0
    assert quantile([1.0, math.inf], 0.95) == math.inf  # a run that never recovered stays so
    assert quantile([1.0, 2.0, float("nan")], 0.5) == 1.0  # NaN left out
    assert quantile([], 0.5) is None
