"""A scenario's timeline: what it may reference (`World`), fault targets (cluster / clusters /
region / zone resolved to cluster names), names, and kind-specific fault parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from federation.api.duration import is_duration
from federation.api.errors import Path, show
from federation.api.kinds import KINDS, NATIVE
from federation.api.records import Ctx, replica_path, seconds
from federation.api.scenario import Fault
from federation.api.source import namespace_of
from federation.core.model import REPLICATED_KINDS, workload_key

_SELECTORS = ("cluster", "clusters", "region", "zone")
# fault kind -> (required params, optional params)
_FAULT_PARAMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "outage": ((), ()),
    "api-hang": ((), ()),
    "partition": ((), ()),
    "latency": (("latency",), ("jitter",)),
    "flapping": (("period", "down"), ()),
    "node-loss": (("nodes",), ()),
    "load-surge": (("workload", "replicas"), ()),
    "client-partition": ((), ("clients", "healthChecks", "dns")),
}
_ALL_PARAMS = (
    "latency",
    "jitter",
    "period",
    "down",
    "nodes",
    "workload",
    "replicas",
    "clients",
    "healthChecks",
    "dns",
)
# every field a fault entry may carry besides at, name and its kind
FAULT_FIELDS = frozenset({*_SELECTORS, "duration", *_ALL_PARAMS})


@dataclass
class World:
    """What a scenario's references can name: its clusters and workloads (best effort: read
    from every document that has a name, valid or not, so one bad document does not make every
    reference to it an error too)."""

    clusters: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # name -> raw spec
    workloads: dict[str, str] = field(default_factory=dict)  # key -> kind
    divisible: set[str] = field(default_factory=set)  # keys of workloads with replicas
    services: set[str] = field(default_factory=set)  # MultiClusterService "namespace/name"
    client_regions: set[str] = field(default_factory=set)  # regions with clients (traffic)

    def resolve_service(self, ref: str) -> tuple[str | None, str]:
        """(key, "") or (None, why not) for a MultiClusterService "namespace/name" or "name"."""
        keys = sorted(self.services)
        found = [k for k in keys if ref in (k, k.split("/", 1)[1])]
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, f"ambiguous service {ref!r}: matches {', '.join(found)}"
        return None, f"unknown MultiClusterService {ref!r} (known: {', '.join(keys) or 'none'})"

    def resolve_workload(self, ref: str) -> tuple[str | None, str]:
        """(full key, "") or (None, why not) for "Deployment/ns/name", "ns/name" or "name"."""
        bearing = sorted(k for k in self.workloads if k in self.divisible)
        parts = ref.split("/")
        if len(parts) == 3:
            if ref in bearing:
                return ref, ""
            if ref in self.workloads:
                return None, f"must name a workload with replicas, got {show(ref)}"
            found: list[str] = []
        elif len(parts) == 2:
            found = [k for k in bearing if k.split("/", 1)[1] == ref]
        elif len(parts) == 1 and ref:
            found = [k for k in bearing if k.rsplit("/", 1)[-1] == ref]
        else:
            found = []
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, f"ambiguous workload {ref!r}: matches {', '.join(found)}"
        known = ", ".join(bearing) or "none"
        return None, f"unknown workload {ref!r} (known: {known})"

    def unknown_cluster(self, name: str) -> str | None:
        if name in self.clusters:
            return None
        return f"unknown cluster {name!r} (known: {', '.join(sorted(self.clusters)) or 'none'})"


def world_of(docs: Iterable[Mapping[str, Any]]) -> World:
    """The names a scenario can reference, from raw documents (see `World`)."""
    w = World()
    for d in docs:
        meta = d.get("metadata")
        name = meta.get("name") if isinstance(meta, Mapping) else None
        kind = d.get("kind")
        if not isinstance(name, str) or not name or not isinstance(kind, str):
            continue
        if kind == "Cluster":
            spec = d.get("spec")
            w.clusters[name] = spec if isinstance(spec, Mapping) else {}
        elif kind == "MultiClusterService":
            w.services.add(f"{namespace_of(d)}/{name}")
        elif kind in NATIVE or kind not in KINDS:
            key = workload_key(kind, namespace_of(d), name)
            w.workloads[key] = kind
            if kind in REPLICATED_KINDS or (kind not in NATIVE and replica_path(d)):
                w.divisible.add(key)
    return w


def _targets(ctx: Ctx, path: Path, e: Mapping[str, Any], world: World) -> tuple[str, ...]:
    kind = e["fault"]
    given = [k for k in _SELECTORS if k in e]
    if kind == "load-surge":
        for k in given:
            ctx.error((*path, k), "does not apply to fault load-surge (it targets a workload)")
        return ()
    if kind == "client-partition" and e.get("dns"):
        for k in given:
            ctx.error((*path, k), "does not apply with dns: true (the DNS is the target)")
        return ()
    if not given:
        ctx.error(path, f"needs one of {', '.join(_SELECTORS)} (fault {kind})")
        return ()
    if len(given) > 1:
        ctx.error((*path, given[1]), f"give only one of {', '.join(given)}")
    sel = given[0]
    if sel in ("cluster", "clusters"):
        names = [e[sel]] if sel == "cluster" else list(e[sel])
        for i, name in enumerate(names):
            why = world.unknown_cluster(name)
            if why:
                ctx.error((*path, sel) if sel == "cluster" else (*path, sel, i), why)
        return tuple(sorted(set(names)))
    value = e[sel]
    found = tuple(sorted(n for n, spec in world.clusters.items() if spec.get(sel) == value))
    if not found:
        known = sorted({str(s.get(sel)) for s in world.clusters.values() if s.get(sel)})
        ctx.error(
            (*path, sel), f"no cluster has {sel} {value!r} (known: {', '.join(known) or 'none'})"
        )
    return found


def fault(ctx: Ctx, path: Path, e: Mapping[str, Any], world: World, end: float) -> Fault:
    kind = e["fault"]
    at = seconds(ctx, (*path, "at"), e["at"])
    if at >= end:
        ctx.error((*path, "at"), f"must be < the scenario duration ({end:g}s), got {show(e['at'])}")
    clusters = _targets(ctx, path, e, world)
    required, optional = _FAULT_PARAMS[kind]
    for key in required:
        if key not in e:
            ctx.error(path, f"missing required field {key!r} (fault {kind})")
    for key in _ALL_PARAMS:
        if key in e and key not in required + optional:
            ctx.error((*path, key), f"does not apply to fault {kind}")
    params: dict[str, Any] = {}
    if kind == "latency" and "latency" in e:
        params["latency"] = seconds(ctx, (*path, "latency"), e["latency"])
        params["jitter"] = seconds(ctx, (*path, "jitter"), e["jitter"]) if "jitter" in e else 0.0
    elif kind == "flapping" and "period" in e and "down" in e:
        period = seconds(ctx, (*path, "period"), e["period"], positive=True, period=True)
        down = seconds(ctx, (*path, "down"), e["down"], positive=True)
        if down >= period:
            ctx.error((*path, "down"), f"must be < period ({period:g}s), got {show(e['down'])}")
        params.update(period=period, down=down)
    elif kind == "node-loss" and "nodes" in e:
        params["nodes"] = e["nodes"]
        for name in clusters:
            have = world.clusters.get(name, {}).get("nodes", 1)
            if isinstance(have, int) and e["nodes"] > have:
                ctx.error(
                    (*path, "nodes"),
                    f"must be <= the nodes of cluster {name} ({have}), got {e['nodes']}",
                )
    elif kind == "load-surge" and "workload" in e and "replicas" in e:
        ref, why = world.resolve_workload(e["workload"])
        if ref is None:
            ctx.error((*path, "workload"), why)
        params.update(workload=ref or e["workload"], replicas=e["replicas"])
    elif kind == "client-partition":
        _client_partition(ctx, path, e, params)
    duration = (
        seconds(ctx, (*path, "duration"), e["duration"], positive=True) if "duration" in e else None
    )
    name = e.get("name", "")
    if name and is_duration(name):
        ctx.error(
            (*path, "name"),
            f"must not read as a duration ({show(name)}): expectations' after: would be ambiguous",
        )
    return Fault(kind, at, duration, clusters, params, name)


def _client_partition(ctx: Ctx, path: Path, e: Mapping[str, Any], params: dict[str, Any]) -> None:
    """Who is cut off (a client region, or the DNS's health checks) from what (the clusters
    selected, or the DNS)."""
    if ("clients" in e) == bool(e.get("healthChecks")):
        ctx.error(path, "needs exactly one of clients (a client region) or healthChecks: true")
    if e.get("healthChecks") and e.get("dns"):
        ctx.error((*path, "dns"), "health checks cut off from the DNS itself mean nothing")
    if "clients" in e:
        params["clients"] = e["clients"]
    if e.get("healthChecks"):
        params["healthChecks"] = True
    if e.get("dns"):
        params["dns"] = True


def named(ctx: Ctx, path: Path, faults: list[Fault]) -> dict[str, Fault]:
    """The named entries of a timeline (in document order), each name used once."""
    out: dict[str, Fault] = {}
    first: dict[str, int] = {}
    for i, f in enumerate(faults):
        if not f.name or is_duration(f.name):  # reported by `fault`
            continue
        if f.name in first:
            ctx.error(
                (*path, i, "name"), f"duplicate name {f.name!r} (also timeline[{first[f.name]}])"
            )
            continue
        first[f.name] = i
        out[f.name] = f
    return out
