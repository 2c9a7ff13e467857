"""What the control loop sees of its members: the `Gateway` seam a backend implements (probe,
observe, apply), the `Delta`s members report, and the `ObservedView` that folds them into one
observation per cycle."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Protocol

from federation.core.actions import Action
from federation.core.model import (
    ClusterObservation,
    Observation,
    ObservedObject,
    ProbeResult,
    Resources,
)


@dataclass(frozen=True)
class Delta:
    """What changed on one member since it was last reported."""

    cluster: str
    upserts: Mapping[str, ObservedObject] = field(default_factory=dict)
    removals: tuple[str, ...] = ()
    reachable: bool | None = None  # None = unchanged
    free: Resources | None = None  # None = unchanged
    nodes_ready: int | None = None  # None = unchanged
    full: bool = False  # upserts is the member's complete set (a relist): drop everything else
    touched: tuple[str, ...] = ()  # keys to reconcile again though unchanged (a failed apply)


class Gateway(Protocol):
    """The one seam between the shared loop and a backend. All calls return at once: probes and
    applies complete in the background and their effects come back through `observe`."""

    def probe(self, clusters: Sequence[str], now: float, timeout: float) -> None: ...

    def observe(self, now: float) -> tuple[Sequence[ProbeResult], Sequence[Delta]]: ...

    def apply(self, actions: Sequence[Action], now: float) -> None: ...

    # Optional: `quiet_until(cluster, now, timeout) -> float`, a time until which every probe of
    # `cluster` sent (from `now` on, with `timeout`) is certain to succeed, `now` when none is.
    # A promise is final: the backend must not break it later. Without it nothing is certain.


class ObservedView:
    """The loop's running picture of every member, patched by deltas (never rebuilt)."""

    def __init__(self, clusters: Collection[str]) -> None:
        self._objects: dict[str, dict[str, ObservedObject]] = {c: {} for c in clusters}
        self._meta: dict[str, ClusterObservation] = {
            c: ClusterObservation(cluster=c, objects=self._objects[c]) for c in clusters
        }
        # key -> clusters holding it, kept as frozensets so `observation` hands out a read-only
        # view instead of copying the index every cycle (it has one entry per object)
        self._index: dict[str, frozenset[str]] = {}
        self._index_view = MappingProxyType(self._index)
        self.resized: set[str] = set()
        self.ready_only: set[str] = set()

    def merge(self, deltas: Sequence[Delta]) -> tuple[set[str], set[str]]:
        """Apply deltas; return the workload keys whose observed objects changed, and the
        clusters whose reachability changed. Clusters whose free room changed are in `resized`
        until the next merge."""
        changed: set[str] = set()
        flipped: set[str] = set()
        self.resized = set()
        self.ready_only = set()  # changed keys whose only news was readiness
        other: set[str] = set()
        for d in deltas:
            objs = self._objects.get(d.cluster)
            if objs is None:
                continue
            changed.update(d.touched)
            if d.full:
                for key in [k for k in objs if k not in d.upserts]:
                    del objs[key]
                    self._unindex(key, d.cluster)
                    changed.add(key)
                    other.add(key)
            for key, obj in d.upserts.items():
                old = objs.get(key)
                if old != obj:
                    objs[key] = obj
                    if old is None:
                        self._index[key] = self._index.get(key, frozenset()) | {d.cluster}
                    changed.add(key)
                    if old is not None and replace(old, ready_replicas=obj.ready_replicas) == obj:
                        self.ready_only.add(key)
                    else:
                        other.add(key)
            for key in d.removals:
                if objs.pop(key, None) is not None:
                    self._unindex(key, d.cluster)
                    changed.add(key)
                    other.add(key)
            meta = self._meta[d.cluster]
            new = meta
            if d.reachable is not None and d.reachable != meta.reachable:
                new = replace(new, reachable=d.reachable)
                flipped.add(d.cluster)
            if d.free is not None and d.free != meta.free:
                self.resized.add(d.cluster)
                new = replace(new, free=d.free)
            if d.nodes_ready is not None:
                new = replace(new, nodes_ready=d.nodes_ready)
            self._meta[d.cluster] = new
        other.update(k for d in deltas for k in d.touched)
        self.ready_only -= other
        return changed, flipped

    def add(self, cluster: str) -> None:
        """A member joined: nothing is known of it yet."""
        if cluster not in self._objects:
            self._objects[cluster] = {}
            self._meta[cluster] = ClusterObservation(
                cluster=cluster, objects=self._objects[cluster]
            )

    def remove(self, cluster: str) -> set[str]:
        """A member left: forget it; returns the keys it held."""
        objs = self._objects.pop(cluster, {})
        self._meta.pop(cluster, None)
        for key in objs:
            self._unindex(key, cluster)
        return set(objs)

    def holders(self, key: str) -> frozenset[str]:
        """The members that hold an object of this workload."""
        return self._index.get(key, frozenset())

    def held(self, cluster: str) -> Collection[str]:
        return self._objects.get(cluster, {}).keys()

    def _unindex(self, key: str, cluster: str) -> None:
        held = self._index.get(key, frozenset()) - {cluster}
        if held:
            self._index[key] = held
        else:
            self._index.pop(key, None)

    def observation(self, probes: Sequence[ProbeResult]) -> Observation:
        # the index is a live read-only view, as the objects of each ClusterObservation are:
        # both describe the members as of this cycle and change only between cycles
        return Observation(clusters=dict(self._meta), probes=tuple(probes), index=self._index_view)

    def free(self, cluster: str) -> Resources | None:
        return self._meta[cluster].free
