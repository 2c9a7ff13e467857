"""Clusters as the user declares them: capacity, taints and the label selectors that pick them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
EMPTY: Mapping[str, str] = {}


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
