"""Replica division: how many replicas of one workload each selected member cluster runs.

``divide(total, clusters, method=..., key=..., rebalance=...) -> Division`` is the whole public
surface; it is pure (no I/O, clock or randomness) and deterministic. Five methods (`METHODS`):

``kfed`` (default)
    Webster / Sainte-Laguë with per-cluster ``min`` / ``max``, capacity caps, a weight-0
    overflow tier and ``rebalance=False`` keep-running; house-monotone.
    See `federation.core.kfed_division`.
``webster``
    Karmada StaticWeight (v1.16+): Webster of the total by weight, from scratch; ignores
    ``min``, ``max``, ``current`` and ``capacity``. See `federation.core.karmada_division`.
``webster-dynamic``
    Karmada DynamicWeight, Steady mode: weights = available replicas (capacity - current);
    scale-up divides only the delta on top of ``current``; scale-down is proportional.
``webster-aggregated``
    Karmada Aggregated, Steady mode: like webster-dynamic over the fewest clusters (those
    already used first) whose available replicas cover the target.
``kubefed``
    KubeFed's ReplicaSchedulingPreference planner, exactly, including its ceil rounding,
    keep-running pass and overflow. See `federation.core.kubefed_planner`.

Each entry of `clusters` is a mapping with these keys (absent or None = the default):

``name``      str, required, unique.
``weight``    number >= 0 (int, float, Fraction or Decimal; compared exactly), default 1.
``min``       int >= 0, default 0: replicas the cluster should get at least (kfed, kubefed).
``max``       int >= min or None (no limit): at most this many (kfed, kubefed).
``current``   int >= 0, default 0: replicas the workload has there per the last assignment.
``capacity``  int >= 0 or None (unknown = no limit): the TOTAL number of this workload's
              replicas the cluster can hold, its current ones included.

Any other key is rejected, as are a negative total, negative weights, ``min > max``, duplicate
names and unknown methods (`ValueError`). ``key`` is the workload UID (or key) used for
tie-breaks; ``rebalance`` only matters to ``kfed`` and ``kubefed``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from federation.core import karmada_division, kubefed_planner
from federation.core.division_model import Member, Outcome
from federation.core.kfed_division import divide_kfed

__all__ = ["DEFAULT_METHOD", "METHODS", "Division", "divide"]

METHODS: tuple[str, ...] = ("kfed", "webster", "webster-dynamic", "webster-aggregated", "kubefed")
DEFAULT_METHOD = "kfed"

_KEYS = ("name", "weight", "min", "max", "current", "capacity")


def _empty() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Division:
    """The result of `divide`.

    ``replicas``      every listed cluster, sorted by name, 0 allowed.
    ``unschedulable`` replicas that fit nowhere; ``sum(replicas.values()) + unschedulable ==
                      total`` for every method.
    ``overflow``      (kfed, kubefed) replicas a cluster would have received but could not take
                      because of its capacity (so they went elsewhere or are unschedulable);
                      NOT included in ``replicas``. Only nonzero entries.
    ``over_capacity`` replicas in ``replicas[c]`` beyond c's known capacity (they would stay
                      Pending); only the capacity-blind Karmada methods produce any. Only
                      nonzero entries.
    ``reason``        one short human-readable line on how the result came about.
    """

    method: str
    total: int
    replicas: Mapping[str, int]
    unschedulable: int = 0
    overflow: Mapping[str, int] = field(default_factory=_empty)
    over_capacity: Mapping[str, int] = field(default_factory=_empty)
    reason: str = ""


_Method = Callable[[int, Sequence[Member], str, bool], Outcome]

_DISPATCH: dict[str, _Method] = {
    "kfed": divide_kfed,
    "webster": lambda t, ms, k, _r: karmada_division.static_weight(t, ms, k),
    "webster-dynamic": lambda t, ms, k, _r: karmada_division.dynamic_weight(t, ms, k),
    "webster-aggregated": lambda t, ms, k, _r: karmada_division.aggregated(t, ms, k),
    "kubefed": kubefed_planner.plan,
}


def divide(
    total: int,
    clusters: Sequence[Mapping[str, Any]],
    *,
    method: str = DEFAULT_METHOD,
    key: str = "",
    rebalance: bool = True,
) -> Division:
    """Divide `total` replicas over `clusters` with `method` (see the module docstring)."""
    if method not in _DISPATCH:
        raise ValueError(f"unknown division method {method!r}; expected one of {METHODS}")
    if not _is_int(total) or total < 0:
        raise ValueError(f"total must be an int >= 0, got {total!r}")
    if not isinstance(key, str):
        raise ValueError(f"key must be a str, got {key!r}")
    members = _members(clusters)
    out = _DISPATCH[method](total, members, key, bool(rebalance))
    placed = sum(out.replicas.values())
    if placed + out.unschedulable != total or any(n < 0 for n in out.replicas.values()):
        raise AssertionError(f"{method} broke the division invariant: {out}")  # pragma: no cover
    over = {}
    for m in members:
        n = out.replicas[m.name]
        if m.capacity is not None and n > m.capacity:
            over[m.name] = n - m.capacity
    return Division(
        method=method,
        total=total,
        replicas=MappingProxyType({n: out.replicas[n] for n in sorted(out.replicas)}),
        unschedulable=out.unschedulable,
        overflow=MappingProxyType(dict(sorted(out.overflow.items()))),
        over_capacity=MappingProxyType(over),
        reason=f"{method}: {out.reason}",
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(row: Mapping[str, Any], name: str, field_: str, default: int | None) -> int | None:
    value = row.get(field_)
    if value is None:
        return default
    if not _is_int(value) or value < 0:
        raise ValueError(f"cluster {name!r}: {field_} must be an int >= 0, got {value!r}")
    return int(value)


def _weight(row: Mapping[str, Any], name: str) -> Fraction:
    value = row.get("weight")
    if value is None:
        return Fraction(1)
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction | Decimal):
        raise ValueError(f"cluster {name!r}: weight must be a number, got {value!r}")
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        raise ValueError(f"cluster {name!r}: weight must be finite, got {value!r}")
    weight = Fraction(value)
    if weight < 0:
        raise ValueError(f"cluster {name!r}: weight must be >= 0, got {value!r}")
    return weight


def _members(clusters: Sequence[Mapping[str, Any]]) -> list[Member]:
    if isinstance(clusters, str | bytes) or not isinstance(clusters, Sequence):
        raise ValueError(f"clusters must be a sequence of mappings, got {clusters!r}")
    members: list[Member] = []
    seen: set[str] = set()
    for i, row in enumerate(clusters):
        if not isinstance(row, Mapping):
            raise ValueError(f"clusters[{i}] must be a mapping, got {row!r}")
        name = row.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"clusters[{i}]: name must be a non-empty str, got {name!r}")
        unknown = sorted(str(k) for k in row if k not in _KEYS)
        if unknown:
            raise ValueError(f"cluster {name!r}: unknown keys {unknown}; allowed: {list(_KEYS)}")
        if name in seen:
            raise ValueError(f"duplicate cluster name {name!r}")
        seen.add(name)
        low = _count(row, name, "min", 0)
        high = _count(row, name, "max", None)
        assert low is not None
        if high is not None and low > high:
            raise ValueError(f"cluster {name!r}: min {low} > max {high}")
        current = _count(row, name, "current", 0)
        assert current is not None
        capacity = _count(row, name, "capacity", None)
        members.append(Member(name, _weight(row, name), low, high, current, capacity))
    return members
