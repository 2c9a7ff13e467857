"""The federation data model: frozen records for clusters, policies, workloads and observations.

Everything the pure core reads or returns is built from these records (and plain mappings), so
both drivers, the YAML loader and the tests speak the same language. Times are floats in seconds
since the run started; nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
SpreadField = Literal["cluster", "region", "zone", "provider"]
SchedulingType = Literal["Duplicated", "Divided"]
DivisionPreference = Literal["StaticWeight", "DynamicWeight", "Aggregated"]
PurgeMode = Literal["Graceful", "Directly"]

EMPTY: Mapping[str, str] = {}

# Kinds whose replicas the core divides; every other kind is copied to each target cluster.
REPLICATED_KINDS = frozenset({"Deployment", "Job"})
# Apply order across kinds: namespaces first so namespaced objects can land; deletes go in reverse.
KIND_ORDER: Mapping[str, int] = {
    "Namespace": 0,
    "ConfigMap": 1,
    "Secret": 1,
    "Service": 2,
    "ServiceExport": 2,
    "Deployment": 3,
    "Job": 3,
}


@dataclass(frozen=True)
class Resources:
    """An amount of compute: cpu in cores, memory in bytes, pods as a count."""

    cpu: float = 0.0
    memory: float = 0.0
    pods: int = 0

    def __add__(self, other: Resources) -> Resources:
        return Resources(self.cpu + other.cpu, self.memory + other.memory, self.pods + other.pods)

    def __sub__(self, other: Resources) -> Resources:
        return Resources(self.cpu - other.cpu, self.memory - other.memory, self.pods - other.pods)

    def scaled(self, n: float) -> Resources:
        return Resources(self.cpu * n, self.memory * n, int(self.pods * n))

    def replicas_fitting(self, request: Resources) -> int:
        """How many replicas each asking `request` fit into this amount (pods always count 1)."""
        fits = max(0, self.pods)
        if request.cpu > 0:
            fits = min(fits, max(0, int(self.cpu / request.cpu + 1e-9)))
        if request.memory > 0:
            fits = min(fits, max(0, int(self.memory / request.memory + 1e-9)))
        return fits


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: Effect = "NoSchedule"
    time_added: float | None = None


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
class Requirement:
    """One selector term: key In/NotIn values, or Exists/DoesNotExist."""

    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        if self.operator == "In":
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values


@dataclass(frozen=True)
class LabelSelector:
    match_labels: Mapping[str, str] = field(default_factory=dict)
    match_expressions: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.match_labels.items()) and all(
            r.matches(labels) for r in self.match_expressions
        )


@dataclass(frozen=True)
class Cluster:
    """A member cluster as the user declares it."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    region: str = ""
    zone: str = ""
    provider: str = ""
    capacity: Resources = Resources()
    nodes: int = 1
    taints: tuple[Taint, ...] = ()
    cost_per_cpu_hour: float = 0.0  # price of one provisioned core for an hour
    cost_per_gib_hour: float = 0.0  # price of one provisioned GiB of memory for an hour
    # kube backend bindings: a kubeconfig context (and file) to use instead of provisioning
    context: str | None = None
    kubeconfig: str | None = None
    # taints the cluster carries while it is not Ready (Offline or Recovering), added when it
    # went down: what a Karmada ClusterTaintPolicy on the Ready condition does
    not_ready_taints: tuple[Taint, ...] = ()
    # planned maintenance (federation.operations): "drain" (cordoned: nothing new placed here,
    # what runs here moved make-before-break) or "unjoin" (drained, then removed); "" = neither
    draining: str = ""

    def fields(self) -> Mapping[str, str]:
        """The values field selectors and spread constraints look at."""
        return {
            "cluster": self.name,
            "region": self.region,
            "zone": self.zone,
            "provider": self.provider,
        }


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


Operator = Literal["add", "remove", "replace"]


@dataclass(frozen=True)
class PatchOp:
    """One RFC 6902 operation (add, remove, replace) on the rendered manifest."""

    op: Literal["add", "remove", "replace"]
    path: str
    value: Any = None


@dataclass(frozen=True)
class ImageOverride:
    component: Literal["Registry", "Repository", "Tag"]
    operator: Operator = "replace"
    value: str = ""
    # the JSON pointer of the one image to change (Karmada's predicate); "" = every container
    path: str = ""


@dataclass(frozen=True)
class ArgsOverride:
    """Karmada's commandOverrider / argsOverrider: append (`add`) or delete (`remove`) items of
    one container's command or args."""

    container: str
    operator: Literal["add", "remove"]
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapOverride:
    """Karmada's labelsOverrider / annotationsOverrider item: `add` sets the keys, `replace`
    changes only keys already there, `remove` deletes the keys."""

    operator: Operator
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldOverride:
    """Karmada's fieldOverrider: RFC 6902 operations (paths relative to the embedded document)
    inside a string field that holds a JSON or YAML document (a ConfigMap value). `load` and
    `dump` decode and encode that document: the loader supplies them, so the core needs no
    YAML library; `load` raises ValueError on text it cannot read."""

    field_path: str
    format: Literal["json", "yaml"]
    patches: tuple[PatchOp, ...]
    load: Callable[[str], Any]
    dump: Callable[[Any], str]


@dataclass(frozen=True)
class OverrideRule:
    """One rule; its overriders apply in Karmada's order: image, command, args, labels,
    annotations, field, plaintext (kfed's replicas right after the images)."""

    target: ClusterAffinity
    images: tuple[ImageOverride, ...] = ()
    replicas: int | None = None
    labels: tuple[MapOverride, ...] = ()
    annotations: tuple[MapOverride, ...] = ()
    patches: tuple[PatchOp, ...] = ()
    commands: tuple[ArgsOverride, ...] = ()
    args: tuple[ArgsOverride, ...] = ()
    fields: tuple[FieldOverride, ...] = ()


@dataclass(frozen=True)
class OverridePolicy:
    name: str
    namespace: str = ""
    selectors: tuple[ResourceSelector, ...] = ()
    rules: tuple[OverrideRule, ...] = ()

    def matches(self, w: Workload) -> bool:
        if self.namespace and w.namespace and self.namespace != w.namespace:
            return False
        return any(s.matches(w) for s in self.selectors)


@dataclass(frozen=True)
class Workload:
    """A native Kubernetes object used as a template (Deployment, ConfigMap, ...)."""

    api_version: str
    kind: str
    name: str
    namespace: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    manifest: Mapping[str, Any] = field(default_factory=dict)
    replicas: int | None = None  # Deployment spec.replicas / Job spec.parallelism
    request: Resources = Resources(pods=1)  # per replica (summed container requests)
    uid: str = ""
    # where another kind keeps its replica count (a JSON pointer such as /spec/replicas);
    # "" = Deployment and Job as usual, any other kind is copied whole
    replica_path: str = ""

    @cached_property
    def key(self) -> str:  # cached: asked for at every step of every reconcile
        return workload_key(self.kind, self.namespace, self.name)

    def tie_key(self, method: str) -> str:
        """What a division method breaks ties by: KubeFed's planner hashes the federated
        object's namespace/name (its qualified name); the Webster methods hash the UID (the
        workload key when there is none)."""
        if method == "kubefed":
            return f"{self.namespace}/{self.name}" if self.namespace else self.name
        return self.uid or self.key

    @property
    def divisible(self) -> bool:
        return (self.kind in REPLICATED_KINDS or bool(self.replica_path)) and (
            self.replicas is not None
        )


def workload_key(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


# ---------------------------------------------------------------- what the drivers observe


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
