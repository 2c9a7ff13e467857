"""Scenario records: the member clusters, policies and workloads of an experiment, plus its
duration, seed, timeline of faults and load changes, expectations and backend settings.

Loaded from `kind: Scenario` YAML by `federation.api`; run by `sim` or `federation.kube`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from federation.autoscaling.spec import Autoscaling
from federation.core.desired import DesiredState
from federation.core.health import HealthThresholds
from federation.core.migration import Migration
from federation.core.model import Rescheduling
from federation.traffic.spec import Traffic

FaultKind = Literal[
    "outage",  # API server and workloads down
    "api-hang",  # API requests hang until they time out; workloads keep serving
    "partition",  # control plane cannot reach the member; its workloads keep serving
    "latency",  # extra link latency (and jitter) between control plane and member
    "flapping",  # repeated short outages
    "node-loss",  # some nodes disappear: capacity drops
    "load-surge",  # a workload's desired replicas change
    "client-partition",  # clients of a region cut off from clusters or the DNS (traffic only)
]
FAULT_KINDS: tuple[str, ...] = (
    "outage",
    "api-hang",
    "partition",
    "latency",
    "flapping",
    "node-loss",
    "load-surge",
    "client-partition",
)
ExpectationKind = Literal[
    "availability",  # a workload's availability over the run >= min
    "failover-within",  # every fault on a cluster is followed by eviction within `seconds`
    "no-replicas-on",  # no replicas of a workload on a cluster after time `after`
    "max-unavailable",  # a workload never misses more than `replicas` replicas
    "no-eviction",  # no cluster (or the named one) is ever evicted from
    "replicas-on",  # at time `at`, a workload has `min`..`max` ready replicas on a cluster
    "success-rate",  # a service's served / offered requests >= min
    "latency-p99",  # a service's 99th percentile latency <= maxMs
    "drain-within",  # new requests stop reaching a failed cluster within `seconds`
    "egress-cost-per-hour",  # egress cost per hour <= max
]


@dataclass(frozen=True)
class Distribution:
    """A random duration (seconds). `kind` constant uses `value`; uniform uses low/high;
    exponential uses mean; lognormal uses median and sigma; normal uses mean and sigma;
    the result is clipped to [low, high] when given."""

    kind: Literal["constant", "uniform", "exponential", "lognormal", "normal"] = "constant"
    value: float = 0.0
    low: float | None = None
    high: float | None = None
    mean: float = 0.0
    median: float = 0.0
    sigma: float = 0.0


@dataclass(frozen=True)
class Link:
    """The network between the control plane and one member."""

    latency: float = 0.005  # one way, seconds
    jitter: float = 0.001  # standard deviation, seconds
    loss: float = 0.0  # probability a message is dropped


@dataclass(frozen=True)
class SimSettings:
    """How the sim's members behave. The defaults are for clusters out on a network with real
    kubelets (docs/calibration.md); `for_providers` gives kwok members their measured profile."""

    api_latency: Distribution = Distribution("lognormal", median=0.010, sigma=0.5, high=1.0)
    pod_startup: Distribution = Distribution("lognormal", median=2.0, sigma=0.3, high=30.0)
    link: Link = Link()
    links: Mapping[str, Link] = field(default_factory=dict)  # per-cluster overrides
    # a full reconcile of every workload, seconds: a safety net only (what changes is
    # reconciled when it changes), so rare: controller-runtime's default SyncPeriod (10 h)
    resync_period: float = 36000.0
    sample_period: float = 0.0  # extra periodic truth samples (0 = only on change)

    @staticmethod
    def for_providers(providers: Iterable[str]) -> SimSettings:
        """The defaults for a federation of these cluster providers: the measured profile when
        every member is of a provider that has one, the generic defaults otherwise."""
        kinds = set(providers)
        if len(kinds) == 1 and (profile := PROFILES.get(kinds.pop())):
            return SimSettings(**profile)
        return SimSettings()


# Measured profiles (docs/calibration.md, `python -m benchmarks.calibration`): kwok members are
# real control planes on loopback behind toxiproxy, with fake kubelets, so their links are
# sub-millisecond, their API servers answer an apply in a few ms and a scaled-up Deployment's
# pods are Ready a few hundred ms later (controllers and kwok; no image pulls).
PROFILES: Mapping[str, Mapping[str, Any]] = {
    "kwok": {
        "link": Link(latency=0.0002, jitter=0.0002),
        "api_latency": Distribution("lognormal", median=0.004, sigma=0.35, high=1.0),
        "pod_startup": Distribution("lognormal", median=0.27, sigma=0.45, high=30.0),
    },
}


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    at: float
    duration: float | None = None  # None = until the end of the run
    clusters: tuple[str, ...] = ()  # resolved from cluster / region / zone selectors
    params: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""  # what expectations call it (after:, during:, fault:); "" = unnamed
    # kind-specific parameters:
    #   latency:    latency (s), jitter (s)
    #   flapping:   period (s), down (s)
    #   node-loss:  nodes (count lost per cluster)
    #   load-surge: workload (key), replicas (new desired count)
    #   client-partition: clients (client region) or healthChecks (True); dns (True: the
    #               clients are cut off from the DNS, `clusters` is empty)

    @property
    def end(self) -> float | None:
        return None if self.duration is None else self.at + self.duration


OperationKind = Literal[
    "scale",  # a workload's replicas set to `replicas`
    "apply",  # a changed document (policy, override, template, cluster) from `at` on
    "delete",  # a workload removed, with everything it has on every member
    "join",  # a declared cluster becomes a member at `at` (not before)
    "unjoin",  # a member drained, then everything kfed put there removed, then forgotten
    "drain",  # a member cordoned for maintenance: its replicas moved make-before-break
    "uncordon",  # a drained member schedulable again
    "migrate",  # a workload moved off `clusters` onto `to`, make-before-break
]
OPERATION_KINDS: tuple[str, ...] = (
    "scale",
    "apply",
    "delete",
    "join",
    "unjoin",
    "drain",
    "uncordon",
    "migrate",
)


@dataclass(frozen=True)
class Operation:
    """An operation on the timeline: a change of the desired documents at `at`, the same on
    every backend (`federation.operations`)."""

    kind: OperationKind
    at: float
    name: str = ""  # what expectations call it (after:, during:)
    workload: str = ""  # key (scale, delete, migrate; apply of a workload)
    clusters: tuple[str, ...] = ()  # join, unjoin, drain, uncordon; migrate: the sources
    replicas: int | None = None  # scale
    document: Any = None  # apply: the record (Cluster, PropagationPolicy, OverridePolicy,
    # Workload)
    migration: Migration | None = None  # migrate (its `allowed` is filled in when it begins)
    duration: float | None = None  # drain: uncordoned again after this long

    @property
    def end(self) -> float:
        """Operations take no time, except a drain with a duration (a maintenance window)."""
        return self.at + (self.duration or 0.0)

    @property
    def params(self) -> Mapping[str, Any]:
        return {"workload": self.workload} if self.workload else {}


@dataclass(frozen=True)
class Expectation:
    kind: ExpectationKind
    description: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # params, resolved by the loader to absolute seconds:
    #   from, to: the window judged (availability, max-unavailable, no-eviction, no-replicas-on;
    #             0 and the scenario duration when none was given); no-replicas-on also keeps
    #             `after` (= from); failover-within with a `fault`: that fault's window
    #   at:       the instant judged (replicas-on)
    #   fault:    the timeline entry named by during:/after:/fault:, when one was


@dataclass(frozen=True)
class KubeBinding:
    """How the kube backend gets its member clusters."""

    provider: Literal["kwok", "kind", "contexts"] = "kwok"
    contexts: Mapping[str, str] = field(default_factory=dict)  # cluster -> kubeconfig context
    kubeconfig: str | None = None
    nodes_per_cluster: int = 1


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str  # file it was loaded from
    desired: DesiredState
    duration: float = 600.0
    seed: int = 1
    faults: tuple[Fault, ...] = ()
    operations: tuple[Operation, ...] = ()  # sorted by time, stable
    expectations: tuple[Expectation, ...] = ()
    sim: SimSettings = SimSettings()
    health: HealthThresholds = HealthThresholds()
    rescheduling: Rescheduling = Rescheduling()  # replicas Pending too long move elsewhere
    kube: KubeBinding = KubeBinding()
    traffic: Traffic = Traffic()  # federated services, client demand, network
    autoscaling: Autoscaling = Autoscaling()  # FederatedHPAs, CronFederatedHPAs, their setting
    description: str = ""
    warnings: tuple[str, ...] = ()  # what the loader warned about (legal but suspicious input)
