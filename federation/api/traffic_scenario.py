"""A Scenario's `traffic` (client demand per region and service, as rate patterns) and `network`
(round-trip times and egress prices) -> `federation.traffic.spec.Traffic`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.errors import Path, show
from federation.api.quantity import QuantityError, parse_quantity
from federation.api.records import Ctx, seconds
from federation.core.model import Cluster
from federation.traffic.latency import known
from federation.traffic.prices import DEFAULT_PRICES, FREE
from federation.traffic.spec import (
    ClientTraffic,
    MultiClusterService,
    Network,
    Prices,
    Rate,
    Traffic,
)


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
