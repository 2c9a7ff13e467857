"""P6 sweep throughput: runs of the reference failover scenario (scenarios/cluster-outage.yaml,
one grid point, seeds 1..N) per wall second through `kfed sweep`'s machinery, against the rate
of plain in-process runs measured in the same benchmark run.

* single: runs one after another in this process (`federation.runner.execute`, no files);
* pool: sweeps on a local pool of 2 worker processes, each sweep's pool start included;
* dask: sweeps on one Dask LocalCluster of 2 worker processes (one thread each), from the
  variants' scatter to the last row gathered, the cluster already up; its start is given beside.

The machine this is measured on is shared, and its load drifts over minutes: the three are
measured in interleaved rounds (single, pool, dask, then again), and each rate is its runs over
its wall time summed over the rounds. Parallel efficiency = rate / (2 x the single rate);
targets: pool >= 0.8 (1.6x), Dask >= 0.7. The load average before and after is reported.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks.report import Context, ratio

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "cluster-outage.yaml"
POINT = ["Scenario.spec.health.failureThreshold=3"]  # the scenario's own value: one point
WORKERS = 2
# (rounds, single runs per round, sweep runs per round)
SIZES = {"full": (5, 60, 200), "quick": (2, 50, 150), "tiny": (1, 4, 12)}


def single_runs(scenario: Any, seeds: range) -> tuple[float, float]:
    """(wall, CPU) of in-process runs."""
    from federation.runner import execute

    t0, c0 = time.perf_counter(), time.process_time()
    for seed in seeds:
        execute(scenario, "sim", seed=seed, plots=False)
    return time.perf_counter() - t0, time.process_time() - c0


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (/proc/stat; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU seconds of the child processes that have ended (pool and Dask workers)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def swept(runner: Any, runs: int) -> tuple[float, int]:
    """One sweep of `runs` seeds of the one point on the runner's engine: (wall, passed)."""
    from federation.planning import grid

    t0 = time.perf_counter()
    variants = runner.variants(dict(enumerate(grid.points(grid.axes(POINT)))))
    rows = runner.evaluate(variants, [(0, s) for s in range(1, runs + 1)])
    wall = time.perf_counter() - t0
    assert len(rows) == runs and not runner.interrupted
    return wall, sum(bool(r["passed"]) for r in rows)


def run(ctx: Context) -> dict[str, Any]:
    from federation.api import load_scenario
    from federation.planning.engines import Dask, Pool
    from federation.planning.runner import Runner
    from federation.runner import execute

    rounds, n1, n = SIZES["tiny" if ctx.tiny else "quick" if ctx.quick else "full"]
    load_before = os.getloadavg()
    busy0, ours0, wall0 = machine_busy(), time.process_time() + children_cpu(), time.perf_counter()
    scenario = load_scenario(SCENARIO)
    execute(scenario, "sim", seed=1, plots=False)  # warm imports and caches

    def load(settings: Any) -> Any:
        return load_scenario(SCENARIO, settings=list(settings))

    t0 = time.perf_counter()
    dask_engine = Dask("local", WORKERS)
    started = time.perf_counter() - t0
    dask_runner = Runner(load, dask_engine)
    walls = {"single": 0.0, "pool": 0.0, "dask": 0.0}
    cpu = {"single": 0.0, "pool": 0.0, "dask": 0.0}
    passed = {"pool": 0, "dask": 0}
    try:
        for r in range(rounds):
            ctx.log(f"p6: round {r + 1}/{rounds}: {n1} in-process, {n} on a pool, {n} on Dask")
            wall, used = single_runs(scenario, range(1 + r * n1, 1 + (r + 1) * n1))
            walls["single"] += wall
            cpu["single"] += used
            pool_runner = Runner(load, Pool(WORKERS))
            before = children_cpu()
            try:
                wall, ok = swept(pool_runner, n)
            finally:
                pool_runner.close()  # the workers end: their CPU is counted
            cpu["pool"] += children_cpu() - before
            walls["pool"] += wall
            passed["pool"] += ok
            wall, ok = swept(dask_runner, n)
            walls["dask"] += wall
            passed["dask"] += ok
    finally:
        before = children_cpu()
        dask_runner.close()
        cpu["dask"] = children_cpu() - before  # the whole cluster's life, idle time included
    others = machine_busy() - busy0 - (time.process_time() + children_cpu() - ours0)
    others_share = others / ((time.perf_counter() - wall0) * (os.cpu_count() or 1))
    single_rate = rounds * n1 / walls["single"]
    rates = {k: rounds * n / walls[k] for k in ("pool", "dask")}
    base = single_rate * WORKERS
    return {
        "rounds": rounds,
        "single": {"runs": rounds * n1, "wall_s": round(walls["single"], 3)},
        "pool": {"runs": rounds * n, "wall_s": round(walls["pool"], 3), "passed": passed["pool"]},
        "dask": {
            "runs": rounds * n,
            "wall_s": round(walls["dask"], 3),
            "passed": passed["dask"],
            "cluster_start_s": round(started, 3),
        },
        "workers": WORKERS,
        # CPU per run, in ms: in-process, in the pool's workers, in the Dask workers (their
        # whole life: start, idle heartbeats); what the load of the machine cannot blur
        "cpu_ms_per_run": {
            "single": round(1000 * cpu["single"] / (rounds * n1), 2),
            "pool_workers": round(1000 * cpu["pool"] / (rounds * n), 2),
            "dask_workers": round(1000 * cpu["dask"] / (rounds * n), 2),
        },
        # the machine's CPU used by other processes meanwhile, as a share of all of it: the
        # kernel shares CPU fairly between sessions (autogroups), so while another session is
        # busy this sweep gets about one session's share however many workers it has
        "others_cpu_share": round(max(0.0, others_share), 3),
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "p6_single_runs_per_s": round(single_rate, 2),
        "p6_pool_runs_per_s": round(rates["pool"], 2),
        "p6_pool_speedup": ratio(rates["pool"], single_rate, 2),
        "p6_pool_efficiency": ratio(rates["pool"], base, 3),
        "p6_dask_runs_per_s": round(rates["dask"], 2),
        "p6_dask_efficiency": ratio(rates["dask"], base, 3),
        "p6_dask_efficiency_with_start": ratio(rounds * n / (walls["dask"] + started), base, 3),
        # runs per CPU-second the kernel granted, pool workers against in-process: what the
        # pool loses per CPU it is given (1.0 = nothing), whatever the neighbours take
        "p6_pool_efficiency_per_cpu": ratio(
            rounds * n / cpu["pool"], rounds * n1 / cpu["single"], 3
        ),
        "cpus_granted": {
            "single": round(cpu["single"] / walls["single"], 2),
            "pool": round(cpu["pool"] / walls["pool"], 2),
        },
    }
