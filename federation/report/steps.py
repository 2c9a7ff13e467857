"""Step functions of a timeline: ready replicas per cluster over time, and the arithmetic
`kfed compare` does on them (value at a time, area, area between two curves, total change)."""

from __future__ import annotations

from collections.abc import Sequence

from federation.recorder import Row


def cluster_ready(
    rows: Sequence[Row], clusters: Sequence[str]
) -> dict[str, list[tuple[float, int]]]:
    """Ready replicas per cluster (all workloads summed) as steps (t, value), from t=0."""
    per: dict[tuple[str, str], int] = {}
    totals = {c: 0 for c in clusters}
    steps: dict[str, list[tuple[float, int]]] = {c: [(0.0, 0)] for c in clusters}
    for r in sorted((r for r in rows if r.kind == "ready"), key=lambda r: r.t):
        if r.cluster not in totals:
            continue
        k = (r.cluster, r.workload)
        new = int(r.fields.get("ready", 0))
        totals[r.cluster] += new - per.get(k, 0)
        per[k] = new
        s = steps[r.cluster]
        if s[-1][0] == r.t:
            s[-1] = (r.t, totals[r.cluster])
        else:
            s.append((r.t, totals[r.cluster]))
    return steps


def value_at(steps: Sequence[tuple[float, int]], t: float) -> int:
    v = 0
    for ts, x in steps:
        if ts > t:
            break
        v = x
    return v


def area(steps: Sequence[tuple[float, int]], end: float) -> float:
    """Integral of a step function over [0, end]."""
    total = 0.0
    for i, (t, v) in enumerate(steps):
        if t >= end:
            break
        t1 = steps[i + 1][0] if i + 1 < len(steps) else end
        total += v * (min(t1, end) - t)
    return total


def area_between(
    a: Sequence[tuple[float, int]], b: Sequence[tuple[float, int]], end: float
) -> float:
    """Integral of |a - b| over [0, end]."""
    times = sorted({t for t, _ in a} | {t for t, _ in b} | {0.0})
    total = 0.0
    for i, t in enumerate(times):
        if t >= end:
            break
        t1 = times[i + 1] if i + 1 < len(times) else end
        total += abs(value_at(a, t) - value_at(b, t)) * (min(t1, end) - t)
    return total


def changes(steps: Sequence[tuple[float, int]], end: float) -> int:
    """Total size of the steps before `end`."""
    total, last = 0, 0
    for t, v in steps:
        if t > end:
            break
        total += abs(v - last)
        last = v
    return total
