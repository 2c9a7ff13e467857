"""The run report: summary.json of one run, and the verdict on a scenario's expectations.
Pure functions over timeline rows, shared by both backends, so a simulated and a real run of one
scenario are judged by the same arithmetic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.scenario import Expectation, Scenario
from federation.recorder import Row
from federation.report.figures import Series, failovers, series, value_at, workload_figures


def _check(
    e: Expectation,
    summary: Mapping[str, Any],
    rows: Sequence[Row],
    all_series: Mapping[str, Series],
) -> tuple[Any, bool]:
    p = e.params
    if e.kind == "availability":
        v = summary["workloads"].get(p["workload"], {}).get("availability")
        return v, v is not None and v >= float(p["min"])
    if e.kind == "max-unavailable":
        v = summary["workloads"].get(p["workload"], {}).get("max_unavailable")
        return v, v is not None and v <= int(p["replicas"])
    if e.kind == "failover-within":
        times = [
            f["recovered_at"] - f["fault_at"] if f["recovered_at"] is not None else None
            for f in summary["failovers"]
            if f["cluster"] == p["cluster"]
        ]
        if not times or any(t is None for t in times):
            return None, False
        worst = round(max(t for t in times if t is not None), 3)
        return worst, worst <= float(p["seconds"])
    if e.kind == "no-eviction":
        n = sum(
            1
            for r in rows
            if r.kind == "evict" and (not p.get("cluster") or r.cluster == p["cluster"])
        )
        return n, n == 0
    after = float(p.get("after", p.get("at", 0.0)))
    keys = [p["workload"]] if p.get("workload") else sorted(all_series)
    if e.kind == "no-replicas-on":
        worst = 0
        for k in keys:
            steps = all_series[k].ready.get(p["cluster"], []) if k in all_series else []
            worst = max([worst, value_at(steps, after), *(v for t, v in steps if t >= after)])
        return worst, worst == 0
    if e.kind == "replicas-on":
        s = all_series.get(p["workload"])
        v = value_at(s.ready.get(p["cluster"], []), after) if s else 0
        ok = v >= int(p.get("min", 0)) and (p.get("max") is None or v <= int(p["max"]))
        return v, ok
    raise ValueError(f"unknown expectation kind {e.kind!r}")


def summarize(
    scenario: Scenario,
    rows: Sequence[Row],
    *,
    backend: str,
    wall_seconds: float,
    events: int,
    simulated_seconds: float | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The summary.json document of one run."""
    end = scenario.duration if simulated_seconds is None else simulated_seconds
    rows = sorted(rows, key=lambda r: r.t)
    all_series = series(rows)
    summary: dict[str, Any] = {
        "scenario": scenario.name,
        "backend": backend,
        "seed": scenario.seed,
        "simulated_seconds": round(end, 3),
        "wall_seconds": round(wall_seconds, 3),
        "events": events,
        "workloads": {k: workload_figures(s, end) for k, s in sorted(all_series.items())},
    }
    summary["failovers"] = failovers(rows, all_series, end)
    summary["evictions"] = sum(1 for r in rows if r.kind == "evict")
    summary["health_transitions"] = sum(1 for r in rows if r.kind == "health")
    results = []
    for e in scenario.expectations:
        value, passed = _check(e, summary, rows, all_series)
        results.append({"description": e.description, "value": value, "passed": bool(passed)})
    summary["expectations"] = results
    if extra:
        summary.update(extra)
    return summary


def passed(summary: Mapping[str, Any]) -> bool:
    return all(e["passed"] for e in summary.get("expectations", ()))
