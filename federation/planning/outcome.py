"""One run of a sweep as a flat row (a line of runs.csv): its point's swept values, the seed,
the verdict and value of each expectation, each workload's availability and unavailable and
Pending replica-seconds, failover detection and recovery times, cost per hour, wall seconds."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from federation.api.scenario import Scenario

INF = math.inf


def failover_seconds(summary: Mapping[str, Any]) -> dict[str, float]:
    """Per cluster with a disruptive fault that evicted something: seconds from the fault to the
    federation declaring the cluster Offline (`detect_s`, first fault) and to every evicted
    workload being whole again without it (`recover_s`, the slowest of its faults; infinite
    when it never was)."""
    out: dict[str, float] = {}
    for f in summary.get("failovers", ()):
        c, at = f["cluster"], f["fault_at"]
        if f["detected_at"] is not None and f"{c}.detect_s" not in out:
            out[f"{c}.detect_s"] = round(f["detected_at"] - at, 3)
        if f["evicted_at"] is None:
            continue  # nothing was on it, or nothing moved: no failover to time
        took = INF if f["recovered_at"] is None else round(f["recovered_at"] - at, 3)
        out[f"{c}.recover_s"] = max(out.get(f"{c}.recover_s", 0.0), took)
    return out


def row(summary: Mapping[str, Any], point: int, values: Mapping[str, Any]) -> dict[str, Any]:
    """The runs.csv row of one run (docs/api.md, "Sweeps" lists the columns)."""
    out: dict[str, Any] = {"point": point, **values, "seed": summary["seed"]}
    expectations = summary.get("expectations", ())
    out["passed"] = all(e["passed"] for e in expectations)
    for i, e in enumerate(expectations):
        out[f"expect.{i}.passed"] = bool(e["passed"])
        value = e["value"]
        out[f"expect.{i}.value"] = float(value) if isinstance(value, int | float) else None
    workloads = summary.get("workloads", {})
    out["availability"] = min((w["availability"] for w in workloads.values()), default=1.0)
    for key, w in workloads.items():
        out[f"workload.{key}.availability"] = w["availability"]
        out[f"workload.{key}.unavailable_replica_seconds"] = w["unavailable_replica_seconds"]
        out[f"workload.{key}.pending_replica_seconds"] = w["pending_replica_seconds"]
    times = failover_seconds(summary)
    recover = [v for k, v in times.items() if k.endswith(".recover_s")]
    out["failover_s"] = max(recover) if recover else None
    for key, v in sorted(times.items()):
        out[f"failover.{key}"] = v
    cost = summary.get("cost", {})
    out["cost_per_hour"] = cost.get("total_per_hour")
    out["used_per_hour"] = cost.get("used_per_hour")
    out["events"] = summary.get("events")
    out["wall_seconds"] = summary.get("wall_seconds")
    return out


def run_row(
    scenario: Scenario, seed: int, point: int, values: Mapping[str, Any], extra: Any = None
) -> dict[str, Any]:
    """Run `scenario` on the sim with `seed` and return its row."""
    from federation.runner import execute

    return row(execute(scenario, "sim", seed=seed, plots=False).summary, point, values)
