"""Workloads: the native Kubernetes objects kfed federates, by key, and the kinds it divides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from federation.core.model.cluster import Resources

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
