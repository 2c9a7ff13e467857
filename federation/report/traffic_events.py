"""Narrated events of a run's federated services, in the manner of `kubectl events`: a
health-check flip of a cluster and a client region's new answer."""

from __future__ import annotations

from dataclasses import replace

from federation.recorder import Row
from federation.report.events import NORMAL, WARNING, Event, _ev


def traffic_events(r: Row) -> list[Event]:
    """A health-check flip (`dns`) or a region's new answer (`answer`) of a federated service;
    rates (`traffic`, `serving`) change at every cache expiry: traffic.png shows them."""
    f, obj = r.fields, f"multiclusterservice/{r.workload}"
    if r.kind == "dns":
        ok = bool(f.get("healthy"))
        msg = f"health checks of {r.cluster} " + (
            "pass: back in the answers" if ok else "fail: out of the answers"
        )
        reason = "EndpointHealthy" if ok else "EndpointUnhealthy"
        return [replace(_ev(r, NORMAL if ok else WARNING, reason, msg), object=obj)]
    if r.kind == "answer":
        shares = f.get("clusters") or {}
        to = ", ".join(f"{x} {float(v) * 100:.0f} %" for x, v in sorted(shares.items()))
        msg = f"clients in {f.get('region')} now sent to {to or 'nothing (no answer)'}"
        kind = NORMAL if shares else WARNING
        return [replace(_ev(r, kind, "DNSAnswerChanged", msg), object=obj)]
    return []
