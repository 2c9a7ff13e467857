"""Propagation policies: which workloads, placement (affinity, tolerations, spread, replica
scheduling), failover and failback, and the federation's rescheduling setting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from federation.core.model.cluster import Cluster, LabelSelector, Requirement, Taint
from federation.core.model.workload import Workload

SpreadField = Literal["cluster", "region", "zone", "provider"]
SchedulingType = Literal["Duplicated", "Divided"]
DivisionPreference = Literal["StaticWeight", "DynamicWeight", "Aggregated"]
PurgeMode = Literal["Graceful", "Directly"]


@dataclass(frozen=True)
class Toleration:
    key: str = ""
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str = ""
    effect: str = ""  # "" tolerates every effect
    toleration_seconds: float | None = None

    def tolerates(self, taint: Taint) -> bool:
        """Kubernetes' `ToleratesTaint`: an empty effect matches every effect, an empty key
        every key; `Exists` matches any value, `Equal` (the default) the same value, so
        `{effect: NoExecute}` alone tolerates every NoExecute taint whose value is empty."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        return self.operator == "Exists" or self.value == taint.value


@dataclass(frozen=True)
class ClusterAffinity:
    """Which clusters a rule targets. Empty affinity matches every cluster."""

    cluster_names: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    label_selector: LabelSelector | None = None
    field_selector: tuple[Requirement, ...] = ()  # keys: region, zone, provider

    def matches(self, cluster: Cluster) -> bool:
        return self.mismatch(cluster) is None

    def mismatch(self, cluster: Cluster) -> str | None:
        """Why `cluster` is outside this affinity, or None when it matches."""
        if cluster.name in self.exclude:
            return "excluded by name"
        if self.cluster_names and cluster.name not in self.cluster_names:
            return "not in clusterNames"
        if self.label_selector is not None and not self.label_selector.matches(cluster.labels):
            return "labels do not match labelSelector"
        fields = cluster.fields()
        for req in self.field_selector:
            if not req.matches(fields):
                value = fields.get(req.key, "")
                return f"field {req.key}={value!r} fails {req.operator} {list(req.values)}"
        return None


@dataclass(frozen=True)
class SpreadConstraint:
    spread_by: SpreadField = "cluster"
    min_groups: int = 1
    max_groups: int | None = None


@dataclass(frozen=True)
class ClusterWeight:
    target: ClusterAffinity
    weight: int


@dataclass(frozen=True)
class ReplicaBounds:
    """Per-cluster minimum and maximum replicas for the clusters `target` matches."""

    target: ClusterAffinity
    min: int = 0
    max: int | None = None


@dataclass(frozen=True)
class ReplicaScheduling:
    type: SchedulingType = "Divided"
    division: DivisionPreference = "StaticWeight"
    # division method; None picks the default for `division` (see method_name)
    method: str | None = None
    weights: tuple[ClusterWeight, ...] = ()
    bounds: tuple[ReplicaBounds, ...] = ()
    rebalance: bool = False

    def method_name(self) -> str:
        if self.method:
            return self.method
        return {
            "StaticWeight": "kfed",
            "DynamicWeight": "webster-dynamic",
            "Aggregated": "webster-aggregated",
        }[self.division]


@dataclass(frozen=True)
class Failback:
    enabled: bool = False
    stabilization_seconds: float = 60.0


@dataclass(frozen=True)
class FailoverPolicy:
    """How a workload leaves a failed cluster and whether it comes back."""

    enabled: bool = True
    # how long replicas stay on an unreachable (NoExecute-tainted) cluster before eviction
    toleration_seconds: float = 0.0
    purge_mode: PurgeMode = "Graceful"
    # Graceful: old replicas are deleted once the replacements are Ready, or after this long
    grace_period_seconds: float = 600.0
    failback: Failback = Failback()


@dataclass(frozen=True)
class Rescheduling:
    """When replicas that stay Pending on a member are moved elsewhere (federation.core.pending):
    a setting of the federation's controller, not of a policy."""

    enabled: bool = True
    unschedulable_seconds: float = 60.0


@dataclass(frozen=True)
class Placement:
    affinity: ClusterAffinity = ClusterAffinity()
    # ordered fallback groups (Karmada clusterAffinities): the first group with a feasible
    # cluster wins; when set, `affinity` is ignored
    affinity_groups: tuple[ClusterAffinity, ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    spread: tuple[SpreadConstraint, ...] = ()
    replicas: ReplicaScheduling = ReplicaScheduling()
    # overflow tiers of each group (Karmada overflowAffinities), parallel to affinity_groups:
    # tier 0 is the group itself; replicas go to tier k+1 only when tier k is full
    overflow: tuple[tuple[ClusterAffinity, ...], ...] = ()
    # the groups' affinityName, parallel to affinity_groups (empty: unnamed, see group_name)
    group_names: tuple[str, ...] = ()

    def group_name(self, i: int) -> str:
        """Group i's affinityName, or its 1-based position when it has none."""
        name = self.group_names[i] if i < len(self.group_names) else ""
        return name or f"#{i + 1}"

    def group_index(self, name: str | None) -> int | None:
        """The index of the group called `name` (see group_name), or None."""
        if name is None:
            return None
        for i in range(len(self.affinity_groups)):
            if self.group_name(i) == name:
                return i
        return None

    def admits(self, cluster: Cluster) -> bool:
        """Does any affinity (group or overflow tier) name `cluster`? Taints and health aside."""
        groups = self.affinity_groups or (self.affinity,)
        tiers = [a for group in self.overflow for a in group]
        return any(a.mismatch(cluster) is None for a in (*groups, *tiers))


@dataclass(frozen=True)
class ResourceSelector:
    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: LabelSelector | None = None

    def matches(self, w: Workload) -> bool:
        return (
            (not self.api_version or self.api_version == w.api_version)
            and (not self.kind or self.kind == w.kind)
            and (not self.name or self.name == w.name)
            and (not self.namespace or self.namespace == w.namespace)
            and (self.label_selector is None or self.label_selector.matches(w.labels))
        )

    def precision(self) -> int:
        """Karmada's tie-break between equal-priority policies: name > labels > kind."""
        return 2 if self.name else 1 if self.label_selector is not None else 0


@dataclass(frozen=True)
class PropagationPolicy:
    name: str
    namespace: str = ""  # "" = cluster-scoped: selects workloads in every namespace
    priority: int = 0  # which policy claims a workload several select (Karmada's meaning)
    selectors: tuple[ResourceSelector, ...] = ()
    placement: Placement = Placement()
    failover: FailoverPolicy = FailoverPolicy()
    # the order its workloads take capacity in: higher first, then by workload key
    schedule_priority: int = 0
    # the ConfigMaps and Secrets its workloads reference follow them (Karmada propagateDeps)
    propagate_deps: bool = False
    # dispatching suspended (Karmada suspension): nothing is written to these clusters (or to
    # any, with suspend_all); placement and division go on
    suspend_all: bool = False
    suspended: tuple[str, ...] = ()

    def suspends(self, cluster: str) -> bool:
        return self.suspend_all or cluster in self.suspended

    def matches(self, w: Workload) -> bool:
        if self.namespace and w.namespace and self.namespace != w.namespace:
            return False
        return any(s.matches(w) for s in self.selectors)
