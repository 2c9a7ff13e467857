"""The points of a sweep (points.csv): one row per grid point, aggregated over its seeds: runs,
passes, pass rate with its Wilson 95 % interval, availability p5 / p50, failover p50 / p95,
cost per hour, and the pass rate of each expectation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from federation.planning.statistics import quantile, wilson


def aggregate(runs: Any, paths: Sequence[str]) -> Any:
    """points.csv from runs.csv (pandas DataFrames); rows in point order."""
    import pandas as pd

    expect = sorted(
        (c for c in runs.columns if c.startswith("expect.") and c.endswith(".passed")),
        key=lambda c: int(c.split(".")[1]),
    )
    out = []
    for point, g in runs.groupby("point", sort=True):
        n, k = len(g), int(g["passed"].sum())
        low, high = wilson(k, n)
        failover = [float(x) for x in g["failover_s"] if x is not None and x == x]
        row: dict[str, Any] = {"point": int(point)}
        row.update({p: g[p].iloc[0] for p in paths})
        row.update(
            {
                "runs": n,
                "passed": k,
                "pass_rate": round(k / n, 6),
                "pass_rate_low": round(low, 6),
                "pass_rate_high": round(high, 6),
                "availability_p5": quantile(list(g["availability"]), 0.05),
                "availability_p50": quantile(list(g["availability"]), 0.50),
                "failover_p50_s": quantile(failover, 0.50),
                "failover_p95_s": quantile(failover, 0.95),
                "cost_per_hour": round(float(g["cost_per_hour"].mean()), 6),
                "used_per_hour": round(float(g["used_per_hour"].mean()), 6),
            }
        )
        for c in expect:
            row[c.removesuffix(".passed") + ".pass_rate"] = round(float(g[c].mean()), 6)
        out.append(row)
    return pd.DataFrame(out)
