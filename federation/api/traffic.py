"""MultiClusterService documents -> records: its steering (the profile's defaults under what is
written), its capacity, the workloads its Service selects, and the ServiceExport each one
propagates. A Scenario's `traffic` and `network`: `federation.api.traffic_scenario`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from federation.api.errors import show
from federation.api.records import Ctx
from federation.api.source import SourceDoc
from federation.core.model import REPLICATED_KINDS, Cluster, Workload, workload_key
from federation.core.steering import Steering
from federation.traffic.profiles import PROFILES
from federation.traffic.spec import Capacity, MultiClusterService

EXPORT_API = "multicluster.x-k8s.io/v1alpha1"
_KNOBS = {  # YAML field -> Steering field
    "policy": "policy",
    "ttlSeconds": "ttl",
    "healthCheckIntervalSeconds": "health_check_interval",
    "failureThreshold": "failure_threshold",
    "clientCacheSeconds": "client_cache",
    "failOpen": "fail_open",
    "maxEjectionPercent": "max_ejection_percent",
}


def multicluster_service(ctx: Ctx, d: Mapping[str, Any]) -> MultiClusterService:
    meta, spec = d["metadata"], d.get("spec", {})
    sp = spec.get("steering", {})
    profile = sp.get("profile", "")
    base = PROFILES.get(profile, Steering())
    given = {field: sp[key] for key, field in _KNOBS.items() if key in sp}
    for f in ("ttl", "health_check_interval", "client_cache", "max_ejection_percent"):
        if f in given:
            given[f] = float(given[f])
    steering = replace(base, **given, failover_order=tuple(sp.get("failoverOrder", ())))
    if steering.policy == "failover" and not steering.failover_order:
        ctx.error(("spec", "steering"), "policy failover needs failoverOrder (clusters or regions)")
    if steering.failure_threshold > 0 and steering.health_check_interval <= 0:
        ctx.error(
            ("spec", "steering", "healthCheckIntervalSeconds"),
            "must be > 0 when failureThreshold is > 0 (or set failureThreshold 0: no checks)",
        )
    cap = spec.get("capacity", {})
    capacity = Capacity(
        requests_per_second=float(cap.get("requestsPerSecond", Capacity.requests_per_second)),
        service_time=float(cap.get("serviceTimeSeconds", Capacity.service_time)),
        timeout=float(cap.get("timeoutSeconds", Capacity.timeout)),
    )
    return MultiClusterService(meta["name"], meta.get("namespace") or "default", steering, capacity)


def _selected(service: Workload, workloads: Sequence[Workload]) -> tuple[str, ...]:
    """The Deployments and Jobs of the Service's namespace whose pod labels its selector
    matches (Kubernetes: every key/value of `spec.selector` among the pod template's labels)."""
    selector = (service.manifest.get("spec") or {}).get("selector") or {}
    if not isinstance(selector, Mapping) or not selector:
        return ()
    out = []
    for w in workloads:
        if w.namespace != service.namespace or w.kind not in REPLICATED_KINDS:
            continue
        template = (w.manifest.get("spec") or {}).get("template") or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        if all(labels.get(k) == v for k, v in selector.items()):
            out.append(w.key)
    return tuple(sorted(out))


def resolve(
    found: Sequence[tuple[SourceDoc, MultiClusterService]],
    workloads: Sequence[Workload],
    clusters: Sequence[Cluster],
    ctx_of: Callable[[SourceDoc], Ctx],
) -> list[MultiClusterService]:
    """Each MultiClusterService with its backends, checked against its federation: the Service of
    the same namespace and name exists and selects a Deployment or Job; failoverOrder names
    clusters or regions."""
    by_key = {w.key: w for w in workloads}
    names = {c.name for c in clusters} | {c.region for c in clusters if c.region}
    out = []
    for doc, mcs in found:
        ctx = ctx_of(doc)
        svc = by_key.get(workload_key("Service", mcs.namespace, mcs.name))
        if svc is None:
            ctx.error(
                ("metadata", "name"),
                f"needs a Service {mcs.key} in the federation (MCS: the same namespace and "
                f"name make the same service)",
            )
            continue
        backends = _selected(svc, workloads)
        if not backends:
            ctx.error(
                ("metadata", "name"),
                f"the Service {mcs.key} selects no Deployment or Job (its spec.selector must "
                f"match a pod template's labels in namespace {mcs.namespace})",
            )
        for i, entry in enumerate(mcs.steering.failover_order):
            if clusters and entry not in names:
                ctx.error(
                    ("spec", "steering", "failoverOrder", i),
                    f"names no cluster or region (known: {', '.join(sorted(names))}), "
                    f"got {show(entry)}",
                )
        out.append(replace(mcs, backends=backends))
    return out


def exports(
    services: Sequence[MultiClusterService], workloads: Sequence[Workload]
) -> list[Workload]:
    """The ServiceExport each federated service propagates (it follows its Service's policy)."""
    by_key = {w.key: w for w in workloads}
    out = []
    for s in services:
        svc = by_key.get(workload_key("Service", s.namespace, s.name))
        if svc is None:
            continue
        manifest = {
            "apiVersion": EXPORT_API,
            "kind": "ServiceExport",
            "metadata": {"name": s.name, "namespace": s.namespace, "labels": dict(svc.labels)},
        }
        out.append(
            Workload(EXPORT_API, "ServiceExport", s.name, s.namespace, dict(svc.labels), manifest)
        )
    return out
