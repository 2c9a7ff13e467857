"""Step functions of time, as (from, value) pairs in increasing time, 0 before the first step:
their value at an instant, integral, mean and least value over an interval."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

Steps = Sequence[tuple[float, float]]  # (from, value), increasing times


def integral(steps: Steps, a: float, b: float) -> float:
    """The integral of the step function over [a, b] (0 when b <= a)."""
    total = 0.0
    for i, (s, v) in enumerate(steps):
        e = steps[i + 1][0] if i + 1 < len(steps) else math.inf
        lo, hi = max(a, s), min(b, e)
        if hi > lo:
            total += v * (hi - lo)
    return total


def mean_over(steps: Steps, a: float, b: float) -> float:
    """The time average of a step function over [a, b] (its value at a when b <= a)."""
    if not steps:
        return 0.0
    if b <= a:
        return value_at(steps, a)
    return integral(steps, a, b) / (b - a)


def min_over(steps: Steps, a: float, b: float) -> float:
    """The least value a step function takes over [a, b] (0 before its first step)."""
    if not steps or steps[0][0] > a:
        return 0.0
    out = math.inf
    for i, (s, v) in enumerate(steps):
        e = steps[i + 1][0] if i + 1 < len(steps) else math.inf
        if e > a and s <= b:
            out = min(out, v)
    return 0.0 if out == math.inf else out


def value_at(steps: Steps, t: float) -> float:
    """The value in force at `t`: that of the last step starting at or before it."""
    i = bisect_right(steps, t, key=lambda step: step[0])
    return steps[i - 1][1] if i else 0.0
