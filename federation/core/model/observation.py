"""Observations: what the drivers learn of members (objects, free capacity) and health probes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from federation.core.model.cluster import Resources


class Health(StrEnum):
    READY = "Ready"
    SUSPECT = "Suspect"
    OFFLINE = "Offline"
    RECOVERING = "Recovering"


@dataclass(frozen=True)
class ProbeResult:
    """One health probe of a member's API server (/readyz): when it finished and how."""

    cluster: str
    t: float
    ok: bool
    latency: float = 0.0
    reason: str = ""  # "timeout", "refused", "http 500", ...


@dataclass(frozen=True)
class ObservedObject:
    """What a member cluster holds for one workload, as last seen through its API."""

    key: str
    hash: str  # the kfed.io/hash annotation of what we applied ("" = not ours / unknown)
    replicas: int | None = None
    ready_replicas: int | None = None
    # replicas that hold node resources (scheduled, starting or running); capacity estimates
    # count them as the workload's own room
    scheduled: int | None = None
    succeeded: int | None = None  # Jobs
    # replicas the member could not place on any node (Unschedulable), and the scheduler's why
    pending: int = 0
    pending_reason: str = ""


@dataclass(frozen=True)
class ClusterObservation:
    cluster: str
    reachable: bool = True
    objects: Mapping[str, ObservedObject] = field(default_factory=dict)
    # free allocatable capacity (allocatable minus requested); None = unknown
    free: Resources | None = None
    nodes_ready: int | None = None


@dataclass(frozen=True)
class Observation:
    """Everything new the drivers learned since the previous reconcile."""

    clusters: Mapping[str, ClusterObservation] = field(default_factory=dict)
    probes: tuple[ProbeResult, ...] = ()
    # workload key -> clusters holding it; drivers that keep it spare the core a scan
    index: Mapping[str, frozenset[str]] | None = None
