"""Per-cluster maps every reconcile derives from the fleet (each cluster's health before this
reconcile's probes, its effective taints, its Ready conditions), carried over from the previous
reconcile: only the clusters probed since, or whose observation changed, are derived again, so a
cycle costs what changed rather than one step per member.

The carry is a cache: it is used only when this reconcile continues the previous one (the same
clusters, and the health it starts from is the very mapping the previous one returned) and gives
exactly what a derivation from scratch gives. Treat the returned mappings as read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from federation.core.actions import Condition
from federation.core.conditions import cluster_condition
from federation.core.health import ClusterHealth, health_taints
from federation.core.model import Cluster, ClusterObservation, Taint

_FRESH = ClusterHealth()


class _Carry:
    """What the previous reconcile derived, and from what."""

    __slots__ = ("by_name", "clusters", "conditions", "health", "observed", "taints")

    def __init__(self) -> None:
        self.clusters: tuple[Cluster, ...] | None = None
        self.by_name: dict[str, Cluster] = {}
        self.health: Mapping[str, ClusterHealth] | None = None  # as it returned it
        self.observed: Mapping[str, ClusterObservation] = {}
        self.taints: dict[str, tuple[Taint, ...]] = {}
        self.conditions: dict[str, tuple[Condition, ...]] = {}


_LAST = _Carry()


def continues(clusters: tuple[Cluster, ...], before: Mapping[str, ClusterHealth]) -> bool:
    """Does a reconcile starting from `before` continue the previous one?"""
    return _LAST.clusters is clusters and _LAST.health is before


def health_before(
    clusters: tuple[Cluster, ...], before: Mapping[str, ClusterHealth]
) -> dict[str, ClusterHealth]:
    """Every cluster's health before this reconcile's probes (a fresh one for a new cluster)."""
    if continues(clusters, before):
        return dict(before)  # exactly the clusters, in their order
    return {c.name: before.get(c.name, _FRESH) for c in clusters}


def derive(
    clusters: tuple[Cluster, ...],
    before: Mapping[str, ClusterHealth],
    health: Mapping[str, ClusterHealth],
    probed: Iterable[str],
    observed: Mapping[str, ClusterObservation],
) -> tuple[dict[str, tuple[Taint, ...]], dict[str, tuple[Condition, ...]]]:
    """Effective taints (declared + health) and Ready conditions of every cluster, given its
    health after this reconcile's probes (`probed`: the clusters they were about)."""
    last = _LAST
    if continues(clusters, before):
        taints = dict(last.taints)
        conditions = dict(last.conditions)
        by_name = last.by_name
        redo = set(probed)
        for name in redo:
            c = by_name.get(name)
            if c is not None:
                taints[name] = _taints(c, health[name])
        seen = last.observed
        redo.update(n for n, o in observed.items() if seen.get(n) is not o)
        redo.update(n for n in seen if n not in observed)
        for name in redo:
            if name in conditions:
                conditions[name] = cluster_condition(health[name], _reachable(observed, name))
    else:
        taints = {c.name: _taints(c, health[c.name]) for c in clusters}
        conditions = {
            name: cluster_condition(h, _reachable(observed, name)) for name, h in health.items()
        }
    if last.clusters is not clusters:
        last.by_name = {c.name: c for c in clusters}
    last.clusters, last.health, last.observed = clusters, health, observed
    last.taints, last.conditions = taints, conditions
    return taints, conditions


def _taints(c: Cluster, h: ClusterHealth) -> tuple[Taint, ...]:
    return c.taints + health_taints(h, c.not_ready_taints)


def _reachable(observed: Mapping[str, ClusterObservation], name: str) -> bool:
    o: Any = observed.get(name)
    return True if o is None else bool(o.reachable)
