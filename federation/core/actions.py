"""What a reconcile returns: actions for drivers, status for users, and the core's new state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from federation.core.health import ClusterHealth
from federation.core.migration import Progress
from federation.core.model import PurgeMode, Resources


@dataclass(frozen=True)
class Apply:
    """Create or update one object on one member (server-side apply of `manifest`)."""

    cluster: str
    key: str
    manifest: Mapping[str, Any]
    hash: str
    reason: str = ""
    replicas: int | None = None  # what `manifest` asks the member to run (after overrides)


@dataclass(frozen=True)
class Delete:
    cluster: str
    key: str
    reason: str = ""


Action = Apply | Delete


@dataclass(frozen=True)
class Condition:
    type: str
    status: bool
    reason: str
    message: str = ""


@dataclass(frozen=True)
class Event:
    """Something the core decided or noticed; drivers write these to the timeline."""

    t: float
    kind: Literal[
        "health",
        "schedule",
        "evict",
        "purge",
        "failback",
        "readmit",
        "reschedule",
        "unschedulable",
        "migrate",
        "steer",
        "migrated",
    ]
    cluster: str = ""
    workload: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterStatus:
    """One workload on one member."""

    desired: int | None
    ready: int | None
    applied: bool
    reason: str = ""


@dataclass(frozen=True)
class WorkloadStatus:
    key: str
    desired: int | None
    assignment: Mapping[str, int]
    ready: int
    unschedulable: int
    clusters: Mapping[str, ClusterStatus]
    excluded: Mapping[str, str]
    conditions: tuple[Condition, ...]
    # room decided the layout: reconcile again when a member's free capacity changes
    capacity_bound: bool = False
    # with ordered affinity groups: the group used and why earlier ones were skipped
    affinity: str = ""


@dataclass(frozen=True)
class EvictionTask:
    """A cluster being drained gracefully: its old replicas stay until replacements are Ready."""

    cluster: str
    replicas: int
    reason: str
    purge_mode: PurgeMode
    created_at: float
    deadline: float


@dataclass(frozen=True)
class WorkloadState:
    assignment: Mapping[str, int] = field(default_factory=dict)
    evictions: Mapping[str, EvictionTask] = field(default_factory=dict)
    evicted_from: Mapping[str, float] = field(default_factory=dict)  # failback candidates
    # cluster -> when its replicas of this workload began to stay Pending
    pending_since: Mapping[str, float] = field(default_factory=dict)
    # cluster -> a cap on this workload's share there (federation.core.pending.Limit)
    limits: Mapping[str, Any] = field(default_factory=dict)
    unschedulable: int = 0  # replicas the last division could place nowhere
    # cluster -> room its replicas asked of that cluster but not on a node yet reserve there
    reserved: Mapping[str, Resources] = field(default_factory=dict)
    migration: Progress | None = None  # a migration of this workload (federation.core.migration)
    # the affinity group it was last scheduled with (Karmada's schedulerObservedAffinityName,
    # see federation.core.affinity_groups); None without ordered groups
    group: str | None = None
    # cluster -> the replicas it asked of that cluster, where it holds room reserved: what
    # the reservation is re-read against when members report replicas placed
    asked: Mapping[str, int] = field(default_factory=dict)

    @property
    def waiting(self) -> bool:
        """Does a decision wait on readiness: a cluster draining, or a migration under way?"""
        return bool(self.evictions) or (
            self.migration is not None and self.migration.finished_at is None
        )


@dataclass(frozen=True)
class FederationState:
    health: Mapping[str, ClusterHealth] = field(default_factory=dict)
    workloads: Mapping[str, WorkloadState] = field(default_factory=dict)
    # cluster -> room reserved by replicas asked for but not placed yet, all workloads summed
    reserved: Mapping[str, Resources] = field(default_factory=dict)

    def holds(self, cluster: str) -> list[str]:
        """Keys of the workloads with replicas assigned to `cluster` or draining from it."""
        return sorted(
            k
            for k, ws in self.workloads.items()
            if cluster in ws.assignment or cluster in ws.evictions
        )

    def forget(self, cluster: str) -> FederationState:
        """This state without any memory of `cluster` (it left the federation)."""

        def drop(m: Mapping[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in m.items() if k != cluster}

        workloads = {
            key: replace(
                ws,
                assignment=drop(ws.assignment),
                evictions=drop(ws.evictions),
                evicted_from=drop(ws.evicted_from),
                pending_since=drop(ws.pending_since),
                limits=drop(ws.limits),
                reserved=drop(ws.reserved),
                asked=drop(ws.asked),
            )
            for key, ws in self.workloads.items()
        }
        return FederationState(drop(self.health), workloads, drop(self.reserved))


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]
    requeue_after: float | None
    cluster_conditions: Mapping[str, tuple[Condition, ...]]
    workloads: Mapping[str, WorkloadStatus]
    events: tuple[Event, ...]
    state: FederationState
    # per workload: the time it next needs a reconcile even if nothing is observed
    wakeups: Mapping[str, float] = field(default_factory=dict)
    health_changed: tuple[str, ...] = ()
