"""Traffic figures of a run, integrated exactly from the step functions of its `traffic` and
`serving` rows (docs/semantics.md, "Traffic"): per service and client region the requests offered,
the failed and served ones, the success rate, latency percentiles of the served ones, and the
bytes and egress cost they moved. Pure functions over timeline rows (plus the scenario's client
and price settings for the cost)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from federation.core.model import Cluster
from federation.recorder import Row
from federation.traffic.prices import GB, flat_price, internet_cost, path, prices_of
from federation.traffic.queueing import Piece, merge, quantile
from federation.traffic.spec import ClientTraffic, Traffic

EMPTY: Mapping[str, Any] = {}


@dataclass
class ServiceRows:
    """One service's rows, in time order: (t, fields) per client region and per cluster."""

    regions: dict[str, list[tuple[float, Mapping[str, Any]]]] = field(default_factory=dict)
    clusters: dict[str, list[tuple[float, Mapping[str, Any]]]] = field(default_factory=dict)

    def times(self, a: float, b: float) -> list[float]:
        ts = {a}
        for steps in (*self.regions.values(), *self.clusters.values()):
            ts.update(t for t, _ in steps if a < t < b)
        return sorted(ts)


def by_service(rows: Iterable[Row]) -> dict[str, ServiceRows]:
    out: dict[str, ServiceRows] = defaultdict(ServiceRows)
    for r in sorted(rows, key=lambda r: r.t):
        if r.kind == "traffic":
            out[r.workload].regions.setdefault(str(r.fields["region"]), []).append((r.t, r.fields))
        elif r.kind == "serving":
            out[r.workload].clusters.setdefault(r.cluster, []).append((r.t, r.fields))
    return dict(out)


class _Cursor:
    """The fields in force at a time, walking forward through one list of steps."""

    def __init__(self, steps: Sequence[tuple[float, Mapping[str, Any]]]) -> None:
        self.steps, self.i = steps, -1

    def at(self, t: float) -> Mapping[str, Any]:
        while self.i + 1 < len(self.steps) and self.steps[self.i + 1][0] <= t:
            self.i += 1
        return self.steps[self.i][1] if self.i >= 0 else EMPTY


@dataclass
class Tally:
    """What one client region (or several) offered, lost and moved over a stretch of time."""

    requests: float = 0.0
    failed: float = 0.0
    pieces: list[Piece] = field(default_factory=list)
    bytes: float = 0.0
    cost: float = 0.0
    internet: dict[str, float] = field(default_factory=dict)  # provider -> GB of internet egress

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.failed += other.failed
        self.pieces.extend(other.pieces)
        self.bytes += other.bytes
        self.cost += other.cost
        for p, gb in other.internet.items():
            self.internet[p] = self.internet.get(p, 0.0) + gb

    @property
    def served(self) -> float:
        """Requests served: the weight of the latency pieces (summed on their own, so that
        requests = served + failed is a check of the rows, not a definition)."""
        return sum(p.weight for p in self.pieces)


def failures(t: Mapping[str, Any], serving: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Requests per second of one region that fail, per cluster they were sent to ("" for those
    that resolved to nothing): lost on the way, or not served there."""
    out = {"": float(t.get("unresolved", 0.0))}
    lost = t.get("lost", EMPTY)
    for c, v in t.get("sent", EMPTY).items():
        gone = float(lost.get(c, 0.0))
        served = float(serving.get(c, EMPTY).get("served", 0.0))
        out[c] = gone + (float(v) - gone) * (1.0 - served)
    return out


@dataclass(frozen=True)
class Pricing:
    """What pricing needs: the scenario's traffic (clients, network) and its clusters."""

    traffic: Traffic
    clusters: Mapping[str, Cluster]


def integrate(
    s: ServiceRows, a: float, b: float, pricing: Pricing | None = None, service: str = ""
) -> dict[str, Tally]:
    """Per client region, the tally of [a, b]; with `pricing`, the bytes are priced too."""
    out = {g: Tally() for g in s.regions}
    if b <= a:
        return out
    times = [*s.times(a, b), b]
    reg = {g: _Cursor(v) for g, v in s.regions.items()}
    clu = {c: _Cursor(v) for c, v in s.clusters.items()}
    clients = (
        {c.region: c for c in pricing.traffic.clients if c.service == service} if pricing else {}
    )
    for t0, t1 in pairwise(times):
        dt = t1 - t0
        if dt <= 0:
            continue
        serving = {c: cur.at(t0) for c, cur in clu.items()}
        for g, cur in reg.items():
            f = cur.at(t0)
            if not f:
                continue
            tally = out[g]
            tally.requests += float(f.get("rate", 0.0)) * dt
            tally.failed += sum(failures(f, serving).values()) * dt
            lost = f.get("lost", EMPTY)
            for c, v in f.get("sent", EMPTY).items():
                sv = serving.get(c, EMPTY)
                rate = (float(v) - float(lost.get(c, 0.0))) * float(sv.get("served", 0.0))
                if rate <= 0:
                    continue
                shift = (float(f["rtt_ms"][c]) + float(sv.get("service_ms", 0.0))) / 1000.0
                cap = float(sv.get("timeout_ms", 0.0)) / 1000.0
                tally.pieces.append(
                    Piece(rate * dt, shift, float(sv["wait_p"]), float(sv["wait_rate"]), cap)
                )
                client = clients.get(g)
                if client is not None and pricing is not None:
                    _bill(tally, client, c, rate * dt, pricing)
    for tally in out.values():
        tally.pieces = merge(tally.pieces)
    return out


def _bill(tally: Tally, client: ClientTraffic, cluster: str, served: float, pr: Pricing) -> None:
    """Bytes of `served` requests between a client and a cluster, priced by path; internet GB
    are set aside per provider (tiers apply to a month's total, see `internet_cost`)."""
    tr = pr.traffic
    cl = pr.clusters.get(cluster)
    region, zone, provider = (cl.region, cl.zone, cl.provider) if cl else ("", "", "")
    kind = path(client, region, zone, provider, tr.network)
    req, resp = served * client.request_bytes / GB, served * client.response_bytes / GB
    tally.bytes += served * (client.request_bytes + client.response_bytes)
    senders = [(provider, resp)]
    if not client.internet:
        senders.append((client.provider or provider, req))
    for who, gb in senders:
        if kind == "internet":
            tally.internet[who] = tally.internet.get(who, 0.0) + gb
        else:
            tally.cost += gb * flat_price(prices_of(who, tr.network), kind)


def price_internet(tallies: Sequence[Tally], hours: float, traffic: Traffic) -> None:
    """Add each tally's share of the internet egress bill of all of them together."""
    total: dict[str, float] = defaultdict(float)
    for t in tallies:
        for p, gb in t.internet.items():
            total[p] += gb
    for p, gb in total.items():
        bill = internet_cost(prices_of(p, traffic.network), gb, hours)
        for t in tallies:
            if t.internet.get(p):
                t.cost += bill * t.internet[p] / gb


def figures(t: Tally) -> dict[str, Any]:
    p50, p99 = quantile(t.pieces, 0.5), quantile(t.pieces, 0.99)
    return {
        "requests": round(t.requests, 3),
        "failed": round(t.failed, 3),
        "success_rate": round(t.served / t.requests, 6) if t.requests > 0 else None,
        "latency_p50_ms": None if p50 is None else round(p50 * 1000.0, 3),
        "latency_p99_ms": None if p99 is None else round(p99 * 1000.0, 3),
        "egress_gb": round(t.bytes / GB, 6),
        "egress_cost": round(t.cost, 6),
    }
