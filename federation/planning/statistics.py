"""The statistics of a sweep: the Wilson score interval of a pass rate and nearest-rank
quantiles (always a value that was measured, so an infinite failover time stays infinite)."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson(passed: int, runs: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (95 % by default) of a pass rate of `passed` out of `runs`:
    (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). (0, 1) when there are no runs."""
    if runs <= 0:
        return 0.0, 1.0
    p = passed / runs
    z2 = z * z
    denom = 1 + z2 / runs
    center = (p + z2 / (2 * runs)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / runs + z2 / (4 * runs * runs))
    low = 0.0 if passed == 0 else max(0.0, center - half)
    high = 1.0 if passed == runs else min(1.0, center + half)
    return low, high


def quantile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank q-quantile: the smallest measured value with at least a fraction `q`
    of the values at or below it (None for no values; NaN values are left out)."""
    xs = sorted(v for v in values if v is not None and not math.isnan(v))
    if not xs:
        return None
    rank = max(1, math.ceil(q * len(xs) - 1e-12))
    return xs[min(rank, len(xs)) - 1]
