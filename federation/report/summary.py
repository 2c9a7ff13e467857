"""The run report: summary.json of one run, and the verdict on a scenario's expectations.
Pure functions over timeline rows, shared by both backends, so a simulated and a real run of one
scenario are judged by the same arithmetic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.scenario import Scenario
from federation.recorder import Row
from federation.report.cost import cost, with_egress
from federation.report.expectations import Judge, judge
from federation.report.figures import failovers, series, workload_figures
from federation.report.traffic_summary import TrafficView, section


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
        "source": scenario.source,
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
    view = TrafficView.of(rows, scenario)
    traffic = section(view, end, backend)
    egress: dict[str, Any] = {}
    if traffic is not None:
        summary["traffic"], egress = traffic
    j = Judge(rows, all_series, summary["failovers"], end, view)
    summary["expectations"] = [judge(e, j) for e in scenario.expectations]
    summary["cost"] = with_egress(cost(scenario.desired, rows, end), egress.get("egress_per_hour"))
    if extra:
        summary.update(extra)
    return summary


def passed(summary: Mapping[str, Any]) -> bool:
    return all(e["passed"] for e in summary.get("expectations", ()))
