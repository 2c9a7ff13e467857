"""The cost of a run (summary.json `cost`): what the provisioned capacity costs per hour, per
cluster and in all, and the part of it that the replicas the federation asks for request
(docs/semantics.md, "Cost"). Prices come from each Cluster's `costPerCpuHour` and
`costPerGiBHour`; other cost sections (network egress) add to `total_per_hour`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from federation.core.desired import DesiredState
from federation.core.model import Resources
from federation.recorder import Row

GIB = float(2**30)


def _asked_seconds(rows: Iterable[Row], desired: DesiredState, end: float) -> dict[str, Resources]:
    """Per cluster: the integral over [0, end] of what the replicas asked of it request
    (core-seconds, byte-seconds), from the `schedule` rows (each the workload's whole layout,
    rendered counts)."""
    layouts: dict[str, list[tuple[float, Mapping[str, Any]]]] = {}
    for r in rows:
        if r.kind == "schedule" and r.t <= end:
            layouts.setdefault(r.workload, []).append((r.t, r.fields.get("desired") or {}))
    out: dict[str, Resources] = {}
    for key, steps in layouts.items():
        w = desired.workloads.get(key)
        if w is None or not w.divisible:
            continue
        steps.sort(key=lambda s: s[0])
        for i, (t0, asked) in enumerate(steps):
            t1 = steps[i + 1][0] if i + 1 < len(steps) else end
            if t1 <= t0:
                continue
            for cluster, n in asked.items():
                if n:
                    got = out.get(cluster, Resources())
                    out[cluster] = got + w.request.scaled(float(n) * (t1 - t0))
    return out


def _round(x: float) -> float:
    return round(x, 6)


def cost(desired: DesiredState, rows: Iterable[Row], end: float) -> dict[str, Any]:
    """summary.json `cost` of one run lasting `end` simulated seconds."""
    asked = _asked_seconds(rows, desired, end)
    clusters: dict[str, Any] = {}
    capacity_total = used_total = 0.0
    for c in sorted(desired.clusters, key=lambda c: c.name):
        declared = c.capacity != Resources()
        cpu = c.capacity.cpu if declared else None
        gib = c.capacity.memory / GIB if declared else None
        capacity = (cpu or 0.0) * c.cost_per_cpu_hour + (gib or 0.0) * c.cost_per_gib_hour
        a = asked.get(c.name, Resources())
        req_cpu = a.cpu / end if end > 0 else 0.0
        req_gib = a.memory / GIB / end if end > 0 else 0.0
        used = req_cpu * c.cost_per_cpu_hour + req_gib * c.cost_per_gib_hour
        capacity_total += capacity
        used_total += used
        clusters[c.name] = {
            "cpu": cpu,
            "memory_gib": None if gib is None else _round(gib),
            "cost_per_cpu_hour": c.cost_per_cpu_hour,
            "cost_per_gib_hour": c.cost_per_gib_hour,
            "capacity_per_hour": _round(capacity),
            "requested_cpu": _round(req_cpu),
            "requested_memory_gib": _round(req_gib),
            "used_per_hour": _round(used),
        }
    return {
        "clusters": clusters,
        "capacity_per_hour": _round(capacity_total),
        "used_per_hour": _round(used_total),
        "total_per_hour": _round(capacity_total),
    }


def with_egress(summary_cost: dict[str, Any], per_hour: float | None) -> dict[str, Any]:
    """The cost section with the traffic model's egress per hour added to the total."""
    if per_hour is None:
        return summary_cost
    total = summary_cost["capacity_per_hour"] + per_hour
    return {**summary_cost, "egress_per_hour": per_hour, "total_per_hour": _round(total)}


def priced(summary_cost: Mapping[str, Any]) -> bool:
    """Whether any cluster has a price (the summary table shows cost only then)."""
    return any(
        c.get("cost_per_cpu_hour") or c.get("cost_per_gib_hour")
        for c in summary_cost.get("clusters", {}).values()
    ) or bool(summary_cost.get("total_per_hour"))
