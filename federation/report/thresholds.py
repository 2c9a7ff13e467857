"""Expectation thresholds: the expectations of summary.json as the run plots draw them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Threshold:
    """An expectation of summary.json, as the plots draw it."""

    kind: str
    description: str
    workload: str = ""
    cluster: str = ""
    value: float | None = None  # min availability, max unavailable replicas, min replicas
    upper: float | None = None  # max replicas (replicas-on)
    at: float | None = None  # replicas-on: at; no-replicas-on: after
    t0: float | None = None  # the window it applies to, when given
    t1: float | None = None
    passed: bool | None = None
    observed: Any = None


def thresholds(summary: Mapping[str, Any] | None) -> list[Threshold]:
    """The expectations that can be drawn (those recorded with their kind and params)."""
    out = []
    for e in (summary or {}).get("expectations", ()):
        kind, p = e.get("kind"), e.get("params") or {}
        if not kind:
            continue
        value: Any = {
            "availability": e.get("threshold", p.get("min")),
            "max-unavailable": e.get("threshold", p.get("replicas")),
            "replicas-on": p.get("min"),
            "failover-within": p.get("seconds"),
        }.get(kind)
        at = p.get("at", p.get("after"))
        t0 = p.get("from")
        out.append(
            Threshold(
                kind=str(kind),
                description=str(e.get("description", kind)),
                workload=str(p.get("workload") or ""),
                cluster=str(p.get("cluster") or ""),
                value=None if value is None else float(value),
                upper=None if p.get("max") is None else float(p["max"]),
                at=None if at is None else float(at),
                t0=None if t0 is None else float(t0),
                t1=None if p.get("to") is None else float(p["to"]),
                passed=e.get("passed"),
                observed=e.get("value"),
            )
        )
    return out
