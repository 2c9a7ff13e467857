"""Traffic documents -> records: a MultiClusterService (its steering with the profile's defaults
under what is written, its capacity, the workloads its Service selects), the ServiceExport each
one propagates, and a Scenario's `traffic` and `network` sections."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from federation.api.errors import Path, show
from federation.api.quantity import QuantityError, parse_quantity
from federation.api.records import Ctx, seconds
from federation.api.source import SourceDoc
from federation.core.model import REPLICATED_KINDS, Cluster, Workload, workload_key
from federation.core.steering import Steering
from federation.traffic.latency import known
from federation.traffic.prices import DEFAULT_PRICES, FREE
from federation.traffic.profiles import PROFILES
from federation.traffic.spec import (
    Capacity,
    ClientTraffic,
    MultiClusterService,
    Network,
    Prices,
    Rate,
    Traffic,
)

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


# ------------------------------------------------------------------ Scenario spec.traffic


def _bytes(ctx: Ctx, path: Path, value: Any) -> float:
    try:
        q = float(parse_quantity(value))
    except QuantityError:
        ctx.error(path, f"must be a size like '2Ki' or a number of bytes, got {show(value)}")
        return 0.0
    if q < 0:
        ctx.error(path, f"must be >= 0, got {show(value)}")
    return q


def _rate(ctx: Ctx, path: Path, c: Mapping[str, Any]) -> Rate:
    if "rate" in c and "rps" in c:
        ctx.error((*path, "rps"), "give rps (a constant rate) or rate, not both")
    if "rate" not in c:
        if "rps" not in c:
            ctx.error(path, "needs rps or rate")
        return Rate("constant", rps=float(c.get("rps", 0.0)))
    r = c["rate"]
    rp = (*path, "rate")
    kind = r["pattern"]
    needs = {
        "constant": ("rps",),
        "step": ("steps",),
        "diurnal": ("mean", "period"),
        "spike": ("rps", "peak", "at", "duration"),
    }[kind]
    allowed = set(needs) | ({"amplitude", "peakAt", "resolution"} if kind == "diurnal" else set())
    for k in needs:
        if k not in r:
            ctx.error(rp, f"missing required field {k!r} (pattern {kind})")
    for k in r:
        if k != "pattern" and k not in allowed:
            ctx.error((*rp, k), f"does not apply to pattern {kind}")

    def sec(k: str, default: float, positive: bool = False) -> float:
        return seconds(ctx, (*rp, k), r[k], positive=positive) if k in r else default

    steps = tuple(
        (seconds(ctx, (*rp, "steps", i, "at"), s["at"]), float(s["rps"]))
        for i, s in enumerate(r.get("steps", ()))
    )
    return Rate(
        kind,
        rps=float(r.get("rps", 0.0)),
        steps=steps,
        mean=float(r.get("mean", 0.0)),
        amplitude=float(r.get("amplitude", 0.0)),
        period=sec("period", 86400.0, positive=True),
        peak_at=sec("peakAt", 0.0),
        resolution=sec("resolution", 0.0, positive="resolution" in r),
        peak=float(r.get("peak", 0.0)),
        at=sec("at", 0.0),
        duration=sec("duration", 0.0),
    )


def _service_ref(ref: str, services: Sequence[MultiClusterService]) -> tuple[str | None, str]:
    keys = sorted(s.key for s in services)
    if ref in keys:
        return ref, ""
    found = [k for k in keys if k.split("/", 1)[1] == ref]
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, f"ambiguous service {ref!r}: matches {', '.join(found)}"
    return None, f"unknown MultiClusterService {ref!r} (known: {', '.join(keys) or 'none'})"


def _prices(d: Mapping[str, Any], provider: str) -> Prices:
    base = DEFAULT_PRICES.get(provider, FREE)
    tiers = base.internet
    if "internet" in d:
        tiers = tuple(
            (float(t["upToGB"]) if "upToGB" in t else None, float(t["usdPerGB"]))
            for t in d["internet"]
        ) or ((None, 0.0),)
        if tiers[-1][0] is not None:
            tiers = (*tiers, (None, tiers[-1][1]))
    return Prices(
        intra_zone=float(d.get("intraZone", base.intra_zone)),
        inter_zone=float(d.get("interZone", base.inter_zone)),
        inter_region=float(d.get("interRegion", base.inter_region)),
        inter_continent=float(d.get("interContinent", base.inter_continent)),
        internet=tiers,
        internet_free_gb=float(d.get("internetFreeGB", base.internet_free_gb)),
    )


def network(ctx: Ctx, path: Path, d: Mapping[str, Any]) -> Network:
    rtt = {}
    for i, e in enumerate(d.get("rtt", ())):
        if e["from"] == e["to"]:
            ctx.error((*path, "rtt", i), "from and to are the same region (zones: crossZoneMs)")
        rtt[(e["from"], e["to"])] = float(e["ms"])
    base = Network()
    return Network(
        locations=dict(d.get("locations", {})),
        rtt=rtt,
        same_zone_ms=float(d.get("sameZoneMs", base.same_zone_ms)),
        cross_zone_ms=float(d.get("crossZoneMs", base.cross_zone_ms)),
        default_rtt_ms=float(d.get("defaultRttMs", base.default_rtt_ms)),
        prices={p: _prices(v, p) for p, v in d.get("prices", {}).items()},
    )


def traffic(
    ctx: Ctx,
    spec: Mapping[str, Any],
    services: Sequence[MultiClusterService],
    clusters: Sequence[Cluster],
) -> Traffic:
    """A scenario's traffic: its federation's services, `spec.traffic` and `spec.network`."""
    net = network(ctx, ("spec", "network"), spec.get("network", {}))
    t = spec.get("traffic", {})
    clients = []
    seen: dict[tuple[str, str], int] = {}
    for i, c in enumerate(t.get("clients", ())):
        path: Path = ("spec", "traffic", "clients", i)
        key, why = _service_ref(c["service"], services)
        if key is None:
            ctx.error((*path, "service"), why)
        pair = (key or c["service"], c["region"])
        if pair in seen:
            ctx.error(
                path, f"duplicate clients of {pair[0]} in {pair[1]} (also clients[{seen[pair]}])"
            )
        seen[pair] = i
        clients.append(
            ClientTraffic(
                service=key or c["service"],
                region=c["region"],
                rate=_rate(ctx, path, c),
                request_bytes=_bytes(ctx, (*path, "requestBytes"), c.get("requestBytes", 1024)),
                response_bytes=_bytes(ctx, (*path, "responseBytes"), c.get("responseBytes", 16384)),
                zone=c.get("zone", ""),
                provider=c.get("provider", ""),
                internet=bool(c.get("internet", False)),
            )
        )
    if clients and not services:
        ctx.error(("spec", "traffic"), "clients need a MultiClusterService in the federation")
    regions = sorted({c.region for c in clients} | {c.region for c in clusters if c.region})
    if clients:
        for region in regions:
            if not known(region, net):
                ctx.warn(
                    ("spec", "network"),
                    f"region {region!r} is not in kfed's latency table: it is "
                    f"{net.default_rtt_ms:g} ms from every other region (map it to a table "
                    f"location with locations, or set rtt)",
                )
    return Traffic(
        services=tuple(services),
        clients=tuple(clients),
        network=net,
        cohorts=int(t.get("cohorts", Traffic.cohorts)),
    )
