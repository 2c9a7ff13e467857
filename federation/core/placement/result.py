"""A placement's result: the clusters selected, a reason for each one left out, evictions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlacementResult:
    selected: tuple[str, ...]  # best first
    excluded: Mapping[str, str] = field(default_factory=dict)  # cluster -> reason
    evict: Mapping[str, str] = field(default_factory=dict)  # hosting clusters to leave -> reason
    next_eviction_at: float | None = None  # a toleration that runs out later
    scores: Mapping[str, int] = field(default_factory=dict)
    # a spread constraint that cannot be met right now, tolerated to keep a running workload
    degraded: str = ""
    # selected clusters of an overflow tier (Karmada overflowAffinities): cluster -> tier >= 1;
    # clusters of the group itself (tier 0) are not listed
    tiers: Mapping[str, int] = field(default_factory=dict)
