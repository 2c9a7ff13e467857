"""Placement: filter -> score -> select the target clusters of one workload, with a reason for
every cluster left out and the eviction decision for clusters that must be left.

Filtering follows Karmada's plugins (affinity, taints/tolerations, spread); scoring prefers
clusters that already run the workload (locality), then free capacity; selection applies spread
constraints over any of cluster, region, zone or provider.
"""

from federation.core.placement.result import PlacementResult
from federation.core.placement.selection import place, spread_fields

__all__ = ["PlacementResult", "place", "spread_fields"]
