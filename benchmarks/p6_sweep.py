"""P6 sweep throughput: runs of the reference failover scenario (scenarios/cluster-outage.yaml,
one grid point, seeds 1..N) per wall second, through `kfed sweep`'s machinery, against the rate
of plain in-process runs measured in the same benchmark run.

* single: N1 runs one after another in this process (`federation.runner.execute`, no files);
* pool: the sweep on a local pool of 2 worker processes, start-up included;
* dask: the same sweep on a Dask LocalCluster of 2 worker processes (one thread each), timed
  from the sweep's start (the variants scattered, the batches run, the rows gathered) with the
  cluster already up; the cluster's start-up is given beside it.

Parallel efficiency = rate / (2 x single rate); targets: pool >= 0.8 (1.6x), Dask >= 0.7. The
machine is shared: its load average is in the report's machine block.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.report import Context, ratio

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "cluster-outage.yaml"
POINT = ["Scenario.spec.health.failureThreshold=3"]  # the scenario's own value: one point
WORKERS = 2
SIZES = {"full": (300, 1000), "quick": (100, 300), "tiny": (4, 12)}  # (single runs, sweep runs)


def single_rate(runs: int) -> dict[str, Any]:
    from federation.api import load_scenario
    from federation.runner import execute

    scenario = load_scenario(SCENARIO)
    execute(scenario, "sim", seed=1, plots=False)  # warm imports and caches
    t0 = time.perf_counter()
    for seed in range(1, runs + 1):
        execute(scenario, "sim", seed=seed, plots=False)
    wall = time.perf_counter() - t0
    return {"runs": runs, "wall_s": round(wall, 3), "runs_per_s": round(runs / wall, 2)}


def swept(engine: Any, runs: int) -> dict[str, Any]:
    from federation.api import load_scenario
    from federation.planning import grid
    from federation.planning.sweep import sweep

    t0 = time.perf_counter()
    result = sweep(
        lambda settings: load_scenario(SCENARIO, settings=list(settings)),
        grid.axes(POINT),
        runs,
        engine,
    )
    wall = time.perf_counter() - t0
    assert len(result.runs) == runs and not result.interrupted
    return {
        "runs": runs,
        "wall_s": round(wall, 3),
        "runs_per_s": round(runs / wall, 2),
        "passed": int(result.runs["passed"].sum()),
    }


def run(ctx: Context) -> dict[str, Any]:
    from federation.planning.engines import Dask, Pool

    n1, n = SIZES["tiny" if ctx.tiny else "quick" if ctx.quick else "full"]
    ctx.log(f"p6: {n1} in-process runs of cluster-outage")
    single = single_rate(n1)
    ctx.log(f"p6: {n} runs on a pool of {WORKERS}")
    pool = swept(Pool(WORKERS), n)
    ctx.log(f"p6: {n} runs on a Dask LocalCluster of {WORKERS}")
    t0 = time.perf_counter()
    engine = Dask("local", WORKERS)
    started = time.perf_counter() - t0
    dask = swept(engine, n)  # closes the cluster
    dask["cluster_start_s"] = round(started, 3)
    dask["runs_per_s_with_start"] = round(n / (dask["wall_s"] + started), 2)
    base = single["runs_per_s"] * WORKERS
    return {
        "single": single,
        "pool": pool,
        "dask": dask,
        "workers": WORKERS,
        "p6_single_runs_per_s": single["runs_per_s"],
        "p6_pool_runs_per_s": pool["runs_per_s"],
        "p6_pool_speedup": ratio(pool["runs_per_s"], single["runs_per_s"], 2),
        "p6_pool_efficiency": ratio(pool["runs_per_s"], base, 3),
        "p6_dask_runs_per_s": dask["runs_per_s"],
        "p6_dask_efficiency": ratio(dask["runs_per_s"], base, 3),
        "p6_dask_efficiency_with_start": ratio(dask["runs_per_s_with_start"], base, 3),
    }
