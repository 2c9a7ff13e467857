"""Plain data shared by the replica-division methods: one validated member row and a raw outcome.

`federation.core.division` turns the caller's mappings into `Member` rows (validated, weights as
exact fractions) and each method returns an `Outcome`; `divide` then wraps it in the public,
frozen `Division`. Nothing here is public API.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm

__all__ = ["Member", "Outcome", "integer_votes"]


@dataclass(frozen=True, slots=True)
class Member:
    """One member cluster as the division methods see it (already validated)."""

    name: str
    weight: Fraction
    min: int = 0
    max: int | None = None
    current: int = 0
    capacity: int | None = None

    @property
    def upper(self) -> int | None:
        """min(max, capacity): the most replicas this cluster may hold; None = no limit."""
        if self.max is None:
            return self.capacity
        if self.capacity is None:
            return self.max
        return min(self.max, self.capacity)


@dataclass(slots=True)
class Outcome:
    """What a method computed: every member in `replicas`; only nonzero entries in `overflow`."""

    replicas: dict[str, int]
    unschedulable: int
    reason: str
    overflow: dict[str, int] = field(default_factory=dict)


def integer_votes(weights: Iterable[Fraction]) -> list[int]:
    """Scale non-negative rational weights by the LCM of their denominators to exact integers.

    Every division method only compares ratios of weights, so the common scale changes nothing.
    """
    ws = list(weights)
    scale = lcm(*(w.denominator for w in ws)) if ws else 1
    return [int(w * scale) for w in ws]
