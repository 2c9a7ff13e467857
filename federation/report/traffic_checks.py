"""The traffic expectations judged against one run: successRate, latencyP99, drainWithin and
egressCostPerHour, each over its window, with a reason naming the faults behind a failure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from federation.traffic.queueing import quantile

if TYPE_CHECKING:
    from federation.report.expectations import Judge

Check = tuple[Any, bool, str, Any]


def _t(t: float) -> str:
    return f"{t:.1f} s"


def _what(p: Mapping[str, Any]) -> str:
    what = p.get("service") or "every service"
    return f"{what} in {p['region']}" if p.get("region") else what


def _drains_in(p: Mapping[str, Any], j: Judge, t0: float, t1: float) -> list[Mapping[str, Any]]:
    if j.traffic is None:
        return []
    return [
        d
        for d in j.traffic.drains(j.end)
        if (not p.get("service") or d["service"] == p["service"])
        and t0 - 1e-9 <= d["at"] <= t1
        and (not p.get("cluster") or p["cluster"] in d["clusters"])
    ]


def _causes(p: Mapping[str, Any], j: Judge, t0: float, t1: float) -> str:
    parts = []
    for d in _drains_in(p, j, t0, t1)[:3]:
        drained = (
            "never drained"
            if d["drain_seconds"] is None
            else f"drained after {d['drain_seconds']:.1f} s"
        )
        parts.append(
            f"{d['fault']} of {', '.join(d['clusters'])} at {_t(d['at'])}: {drained}, "
            f"{d['failed']:.0f} requests failed there, {d['failed_elsewhere']:.0f} elsewhere"
        )
    return "; ".join(parts)


def _success_rate(p: Mapping[str, Any], j: Judge) -> Check:
    want = float(p["min"])
    t0, t1 = j.window(p)
    if j.traffic is None:
        return None, False, "no traffic in this run", want
    t = j.traffic.tallies(t0, t1, p.get("service", ""), p.get("region", ""))
    if t.requests <= 0:
        return None, False, f"no requests of {_what(p)} over {t0:.1f}-{_t(t1)}", want
    v = round(t.served / t.requests, 6)
    why = ""
    if v < want:
        why = (
            f"success rate {v:.4f} < {want:g}: {t.failed:.0f} of {t.requests:.0f} requests "
            f"of {_what(p)} failed over {t0:.1f}-{_t(t1)}"
        )
        causes = _causes(p, j, t0, t1)
        why += f"; {causes}" if causes else ""
    return v, v >= want, why, want


def _latency_p99(p: Mapping[str, Any], j: Judge) -> Check:
    most = float(p["maxMs"])
    t0, t1 = j.window(p)
    if j.traffic is None:
        return None, False, "no traffic in this run", most
    t = j.traffic.tallies(t0, t1, p.get("service", ""), p.get("region", ""))
    q99, q50 = quantile(t.pieces, 0.99), quantile(t.pieces, 0.5)
    if q99 is None or q50 is None:
        return None, False, f"no request of {_what(p)} served over {t0:.1f}-{_t(t1)}", most
    v = round(q99 * 1000.0, 3)
    why = ""
    if v > most:
        why = (
            f"p99 latency {v:.1f} ms > {most:g} ms for {_what(p)} over {t0:.1f}-{_t(t1)} "
            f"(p50 {q50 * 1000.0:.1f} ms)"
        )
    return v, v <= most, why, most


def _drain_within(p: Mapping[str, Any], j: Judge) -> Check:
    limit = float(p["seconds"])
    t0, t1 = j.window(p)
    found = _drains_in(p, j, t0, t1)
    if p.get("fault"):
        found = found[:1]
    if not found:
        return (
            None,
            False,
            f"no fault on {p['cluster']} that {_what(p)} sent requests to over {t0:.1f}-{_t(t1)}",
            limit,
        )
    worst: float | None = 0.0
    reasons = []
    for d in found:
        took = d["drain_seconds"]
        if took is None:
            worst = None
            reasons.append(
                f"{d['service']}: requests never left {', '.join(d['clusters'])} during the "
                f"{d['fault']} from {_t(d['at'])} ({d['failed']:.0f} failed there)"
            )
        elif took > limit:
            reasons.append(
                f"{d['service']}: drained from {', '.join(d['clusters'])} after {took:.1f} s "
                f"(> {limit:g} s; {d['failed']:.0f} requests failed there)"
            )
        if worst is not None and took is not None:
            worst = max(worst, took)
    return worst, worst is not None and worst <= limit, "; ".join(reasons), limit


def _egress_cost_per_hour(p: Mapping[str, Any], j: Judge) -> Check:
    most = float(p["max"])
    t0, t1 = j.window(p)
    if j.traffic is None or t1 <= t0:
        return None, False, "no traffic in this run", most
    t = j.traffic.tallies(t0, t1, p.get("service", ""), p.get("region", ""))
    v = round(t.cost / ((t1 - t0) / 3600.0), 6)
    why = ""
    if v > most:
        why = (
            f"egress ${v:.4f}/h > ${most:g}/h for {_what(p)} over {t0:.1f}-{_t(t1)} "
            f"({t.bytes / 2**30:.3f} GB)"
        )
    return v, v <= most, why, most


TRAFFIC_CHECKS = {
    "success-rate": _success_rate,
    "latency-p99": _latency_p99,
    "drain-within": _drain_within,
    "egress-cost-per-hour": _egress_cost_per_hour,
}
