"""What one reconcile looks at: the desired documents, the observation, every cluster's health
and effective taints, and `now`, with the lookups the planning steps share."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from federation.core.actions import WorkloadState
from federation.core.desired import DesiredState
from federation.core.health import ClusterHealth
from federation.core.memo import remember
from federation.core.model import (
    ClusterObservation,
    Health,
    Observation,
    ObservedObject,
    Rescheduling,
    Resources,
    Taint,
    Workload,
)

_NO_OBSERVATION = ClusterObservation(cluster="")
# free replicas per request, kept while the clusters' free room is the same
_FREE: dict[Resources, tuple[Any, tuple[Resources | None, ...], dict[str, int | None]]] = {}


@dataclass
class Context:
    desired: DesiredState
    observed: Observation
    health: Mapping[str, ClusterHealth]
    taints: Mapping[str, tuple[Taint, ...]]
    now: float
    rescheduling: Rescheduling = Rescheduling()
    free_memo: dict[Resources, dict[str, int | None]] = field(default_factory=dict)
    # room the federation has asked for but members have not placed yet (replicas applied or
    # on their way that hold no node), per cluster, summed over workloads; while a workload is
    # planned its own share is out of it, so it counts what the others took
    reserved: dict[str, Resources] = field(default_factory=dict)
    _after: dict[str, dict[Resources, int | None]] = field(default_factory=dict)
    # every workload's state as this pass has planned it so far (earlier ones updated)
    states: Mapping[str, WorkloadState] = field(default_factory=dict)

    def followed(self, key: str) -> set[str]:
        """Clusters a dependency must be on: wherever a workload requiring it (propagateDeps)
        is assigned or still draining, as planned so far in this pass."""
        out: set[str] = set()
        for owner in self.desired.required_by(key):
            ws = self.states.get(owner)
            if ws is not None:
                out.update(ws.assignment)
                out.update(ws.evictions)
        return out

    def reserve(self, cluster: str, amount: Resources) -> None:
        """Add (or, negative, remove) a reservation of room on `cluster`."""
        left = self.reserved.get(cluster, Resources()) + amount
        if left.pods <= 0 and left.cpu <= 1e-9 and left.memory <= 1e-3:
            self.reserved.pop(cluster, None)
        else:
            self.reserved[cluster] = left
        self._after.pop(cluster, None)

    def room_after(self, cluster: str, request: Resources) -> int | None:
        """Replicas asking `request` that still fit on `cluster` once the room reserved for
        replicas not placed yet is taken from its observed free room (None = unknown)."""
        memo = self._after.setdefault(cluster, {})
        if request in memo:
            return memo[request]
        free = self.obs(cluster).free
        used = self.reserved.get(cluster)
        fits = None
        if free is not None:
            fits = (free - used if used is not None else free).replicas_fitting(request)
        memo[request] = fits
        return fits

    def obs(self, cluster: str) -> ClusterObservation:
        return self.observed.clusters.get(cluster, _NO_OBSERVATION)

    def reachable(self, cluster: str) -> bool:
        h = self.health.get(cluster)
        return (h is None or h.state is not Health.OFFLINE) and self.obs(cluster).reachable

    def object(self, cluster: str, key: str) -> ObservedObject | None:
        return self.obs(cluster).objects.get(key)

    def free_replicas(self, w: Workload) -> dict[str, int | None]:
        """Replicas of `w` each cluster can still take (None = unknown); shared by workloads
        asking the same request, and by later reconciles while no cluster's free room changes
        (see federation.core.memo), so treat as read-only."""
        request = w.request
        out = self.free_memo.get(request)
        if out is not None:
            return out
        clusters = self.desired.clusters
        frees = tuple(self.obs(c.name).free for c in clusters)
        last = _FREE.get(request)
        if last is not None and last[0] is clusters and last[1] == frees:
            out = last[2]
        else:
            out = {
                c.name: None if free is None else free.replicas_fitting(request)
                for c, free in zip(clusters, frees, strict=True)
            }
            remember(_FREE, request, (clusters, frees, out))
        self.free_memo[request] = out
        return out

    def holders(self, key: str) -> Collection[str]:
        """The clusters whose observed objects include `key`, by name."""
        index = self.observed.index
        if index is not None:
            return sorted(index.get(key, ()))
        return [c for c, o in sorted(self.observed.clusters.items()) if key in o.objects]
