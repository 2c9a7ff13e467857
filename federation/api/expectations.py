"""A scenario's expectations -> `Expectation` records: workload and cluster references resolved,
time windows and instants resolved to absolute seconds (`federation.api.windows`), and a
description that says what is judged when."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from federation.api.errors import Path
from federation.api.records import Ctx, seconds
from federation.api.scenario import Expectation, Fault
from federation.api.timeline import World
from federation.api.windows import Span, instant, of_fault, window

KINDS = {
    "availability": "availability",
    "failoverWithin": "failover-within",
    "noReplicasOn": "no-replicas-on",
    "maxUnavailable": "max-unavailable",
    "noEviction": "no-eviction",
    "replicasOn": "replicas-on",
    "successRate": "success-rate",
    "latencyP99": "latency-p99",
    "drainWithin": "drain-within",
    "egressCostPerHour": "egress-cost-per-hour",
}
_WINDOWED = (
    "availability",
    "maxUnavailable",
    "noEviction",
    "noReplicasOn",
    "successRate",
    "latencyP99",
    "drainWithin",
    "egressCostPerHour",
)


def _refs(ctx: Ctx, where: Path, body: Mapping[str, Any], world: World) -> dict[str, Any]:
    p: dict[str, Any] = {}
    if "workload" in body:
        key, why = world.resolve_workload(body["workload"])
        if key is None:
            ctx.error((*where, "workload"), why)
        p["workload"] = key or body["workload"]
    if "cluster" in body:
        why_c = world.unknown_cluster(body["cluster"])
        if why_c:
            ctx.error((*where, "cluster"), why_c)
        p["cluster"] = body["cluster"]
    if "service" in body:
        key, why = world.resolve_service(body["service"])
        if key is None:
            ctx.error((*where, "service"), why)
        p["service"] = key or body["service"]
    if "region" in body:
        if body["region"] not in world.client_regions:
            known = ", ".join(sorted(world.client_regions)) or "none"
            ctx.error(
                (*where, "region"),
                f"no clients in region {body['region']!r} (client regions: {known})",
            )
        p["region"] = body["region"]
    return p


def _of(p: dict[str, Any]) -> str:
    """ "shop/web (eu-west)", "shop/web", "every service (eu-west)"..."""
    what = p.get("service") or "every service"
    return f"{what} ({p['region']})" if p.get("region") else what


def _span_params(p: dict[str, Any], span: Span) -> None:
    p["from"], p["to"] = span.start, span.stop
    if span.fault is not None:
        p["fault"] = span.fault


def _replicas_on(ctx: Ctx, where: Path, body: Mapping[str, Any], p: dict[str, Any]) -> str:
    lo, hi = body.get("min"), body.get("max")
    if lo is None and hi is None:
        ctx.error(where, "needs min or max")
    if lo is not None and hi is not None and hi < lo:
        ctx.error((*where, "max"), f"must be >= min ({lo}), got {hi}")
    p["min"], p["max"] = lo if lo is not None else 0, hi
    if lo is not None and hi is not None:
        return f"{lo}..{hi}"
    return f">= {lo}" if lo is not None else f"<= {hi}"


def expectation(
    ctx: Ctx,
    path: Path,
    item: Mapping[str, Any],
    world: World,
    faults: Mapping[str, Fault],
    end: float,
) -> Expectation:
    """One `expectations` entry; `faults` are the timeline's named entries, `end` the run's
    duration (every time judged must fall before it)."""
    ((name, body),) = item.items()
    where = (*path, name)
    p = _refs(ctx, where, body, world)
    w, c = p.get("workload"), p.get("cluster")
    windowed = name in _WINDOWED and not (name == "drainWithin" and "fault" in body)
    span = window(ctx, where, body, faults, end) if windowed else Span(0.0, end)
    if windowed:
        _span_params(p, span)
    when = span.text()
    if name == "availability":
        p["min"] = float(body["min"])
        text = f"availability of {w} >= {p['min']:g}{when}"
    elif name == "failoverWithin":
        p["seconds"] = seconds(ctx, (*where, "seconds"), body["seconds"])
        text = f"failover from {c} within {p['seconds']:g}s"
        chosen = of_fault(ctx, where, body, faults, end)
        if chosen is not None:
            _span_params(p, chosen)
            text += f" of {chosen.fault} ({chosen.start:g}s)"
    elif name == "noReplicasOn":
        p["after"] = span.start
        of = f" of {w}" if w else ""
        plain = span.fault is None and "settle" not in body
        text = f"no replicas{of} on {c}" + (f" after {span.start:g}s" if plain else when)
    elif name == "maxUnavailable":
        p["replicas"] = body["replicas"]
        text = f"at most {p['replicas']} unavailable replica(s) of {w}{when}"
    elif name == "successRate":
        p["min"] = float(body["min"])
        text = f"success rate of {_of(p)} >= {p['min']:g}{when}"
    elif name == "latencyP99":
        p["maxMs"] = float(body["maxMs"])
        text = f"p99 latency of {_of(p)} <= {p['maxMs']:g} ms{when}"
    elif name == "drainWithin":
        p["seconds"] = seconds(ctx, (*where, "seconds"), body["seconds"])
        text = f"requests of {_of(p)} drain from {c} within {p['seconds']:g}s"
        chosen = of_fault(ctx, where, body, faults, end)
        if chosen is not None:
            _span_params(p, chosen)
            text += f" of {chosen.fault} ({chosen.start:g}s)"
        else:
            text += when
    elif name == "egressCostPerHour":
        p["max"] = float(body["max"])
        text = f"egress cost of {_of(p)} <= ${p['max']:g}/h{when}"
    elif name == "noEviction":
        text = (f"no eviction from {c}" if c else "no eviction from any cluster") + when
    else:  # replicasOn
        span_text = _replicas_on(ctx, where, body, p)
        point = instant(ctx, where, body, faults, end)
        t = point.start if point is not None else 0.0
        p["at"] = t
        if point is not None and point.fault is not None:
            p["fault"] = point.fault
        extra = f" ({point.phrase})" if point is not None and point.phrase else ""
        text = f"{w} has {span_text} ready replicas on {c} at {t:g}s{extra}"
    return Expectation(KINDS[name], text, p)  # type: ignore[arg-type]
