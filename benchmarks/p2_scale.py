"""P2 scale (and P3 overhead): the sim on `sim.bench`'s synthetic federation.

Each size runs in its own child process (`benchmarks.child`), so peak memory is that run's:
clusters in regions of ten, Deployments of 1-5 replicas each divided over three clusters in
three regions, one region outage from a third of the run for a third of it, default settings.

* reference: 100 clusters x 10,000 workloads x 1 simulated hour: wall, peak RSS, events
  (the outage takes the first region down: ten clusters, or a tenth of a smaller fleet);
* growth: wall from 10 to 100 clusters (10,000 workloads) and from 1,000 to 10,000 workloads
  (100 clusters), with the events behind it;
* idle tail: a small federation for 1 h and the same with a 10x longer tail after the outage;
  the tail is not free (every cluster is probed every 2 s and every workload is reconciled
  every 5 min), so the figure to read is the wall per event, which stays flat;
* P3: inside the reference child, right after the run, bare SimPy (N processes each waiting on
  timeouts, N = the model's mean pending-event count) for comparison of events per second.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import replace
from typing import Any

from benchmarks.child import in_child
from benchmarks.report import Context, ratio

SIZES = {
    # name: (clusters, workloads, seconds) per mode
    "full": {
        "reference": (100, 10_000, 3600.0),
        "clusters_small": (10, 10_000, 3600.0),
        "workloads_small": (100, 1_000, 3600.0),
        "tail": (10, 1_000, 3600.0),
        "stretch": (1_000, 100_000, 3600.0),
    },
    "tiny": {
        "reference": (12, 30, 300.0),
        "clusters_small": (3, 30, 300.0),
        "workloads_small": (12, 3, 300.0),
        "tail": (3, 6, 300.0),
        "stretch": (12, 60, 300.0),
    },
    "quick": {
        "reference": (100, 1_000, 3600.0),
        "clusters_small": (10, 1_000, 3600.0),
        "workloads_small": (100, 100, 3600.0),
        "tail": (10, 100, 3600.0),
        "stretch": (100, 10_000, 3600.0),
    },
}
TAIL_FACTOR = 10
OUTAGE_SHARE = 0.1  # of the fleet, at most (see `measure`)


def measure(
    clusters: int,
    workloads: int,
    seconds: float,
    tail: float = 1.0,
    bare_events: int = 0,
    seed: int = 1,
    services: int = 0,
    clients: bool = True,
) -> dict[str, Any]:
    """One sim run of `sim.bench.federation` (in the calling process; use `in_child`).

    `tail` > 1 keeps the outage where it was and runs `tail` times longer. With `bare_events`,
    bare SimPy then runs about that many events at the run's mean pending-event count. With
    `services`, that many Deployments get a Service and a MultiClusterService (`sim.bench`),
    with clients in ten regions unless `clients` is False."""
    import sim.driver
    from sim.bench import federation, with_traffic
    from sim.world import World

    scenario = federation(clusters, workloads, seconds, seed)
    if services:
        scenario = with_traffic(scenario, services)
        if not clients:
            scenario = replace(scenario, traffic=replace(scenario.traffic, clients=()))
    # the outage hits the first region (ten clusters), but never more than a tenth of the
    # fleet: at 10 clusters the bench's region is the whole fleet, a different experiment
    (outage,) = scenario.faults
    hit = outage.clusters[: max(1, min(len(outage.clusters), round(clusters * OUTAGE_SHARE)))]
    scenario = replace(scenario, faults=(replace(outage, clusters=hit),))
    if tail != 1.0:
        scenario = replace(scenario, duration=seconds * tail)
    worlds: list[World] = []

    class _Spy(World):  # only to read the pending-event queue while the run goes
        def __init__(self, seed: int | str) -> None:
            super().__init__(seed)
            worlds.append(self)

    pending: list[int] = []

    def progress(t: float, total: float) -> None:
        if worlds:
            pending.append(len(worlds[0].env._queue))

    setattr(sim.driver, "World", _Spy)  # noqa: B010 (patched for this run only)
    try:
        cpu0 = time.process_time()
        r = sim.driver.run(scenario, progress=progress)
        cpu = time.process_time() - cpu0
    finally:
        setattr(sim.driver, "World", World)  # noqa: B010
    out: dict[str, Any] = {
        "clusters": clusters,
        "workloads": workloads,
        "outage_clusters": len(hit),
        "simulated_s": r.simulated_seconds,
        "wall_s": round(r.wall_seconds, 3),
        "cpu_s": round(cpu, 3),
        "control_s": round(r.control_seconds, 3),
        "sim_s": round(r.wall_seconds - r.control_seconds, 3),
        "events": r.events,
        "events_per_s": round(r.events_per_second),
        "sim_speed": round(r.speed, 1),
        "cycles": r.loop.cycles,
        "reconciles": r.loop.reconciled,
        "rows": len(r.recorder.rows),
        "traffic_rows": r.traffic.engine.rows if r.traffic is not None else 0,
        "pending_mean": round(statistics.fmean(pending)) if pending else 0,
        "pending_max": max(pending, default=0),
    }
    if bare_events:
        out["bare"] = bare_simpy(max(1, out["pending_mean"]), bare_events)
    return out


def bare_simpy(n: int, events: int, seed: int = 1) -> dict[str, Any]:
    """Bare SimPy at `n` pending events: `n` processes, each looping on a timeout of
    U(0.5, 1.5) s; runs about `events` events; events counted from SimPy's event ids."""
    import simpy

    env = simpy.Environment()
    rng = random.Random(seed)
    draw = rng.random

    def proc(env: simpy.Environment) -> Any:
        while True:
            yield env.timeout(draw() + 0.5)

    for _ in range(n):
        env.process(proc(env))
    env.run(until=0.0001)  # initialise the processes outside the timed part
    start_ids = next(env._eid) - len(env._queue)
    until = env.now + max(1.0, events / n)
    t0 = time.perf_counter()
    env.run(until=until)
    wall = time.perf_counter() - t0
    done = next(env._eid) - len(env._queue) - start_ids
    return {
        "pending": n,
        "events": done,
        "wall_s": round(wall, 3),
        "events_per_s": round(done / wall) if wall > 0 else 0,
    }


def run(ctx: Context) -> dict[str, Any]:
    """P2 and P3 figures."""
    mode = "tiny" if ctx.tiny else "quick" if ctx.quick else "full"
    sizes = SIZES[mode]
    out: dict[str, Any] = {"sizes": {k: list(v) for k, v in sizes.items()}}
    notes: list[str] = []

    def child(name: str, size: tuple[int, int, float], **kw: Any) -> dict[str, Any]:
        c, w, s = size
        ctx.log(f"p2: {name}: {c} clusters x {w} workloads x {s:g} s {kw or ''}")
        res = in_child(
            "benchmarks.p2_scale:measure",
            clusters=c,
            workloads=w,
            seconds=s,
            timeout=ctx.timeout,
            **kw,
        )
        ctx.log(
            f"p2: {name}: wall {res['wall_s']} s, {res['events']} events, "
            f"peak {res['child_maxrss_mb']} MB"
        )
        return res

    ref = child(
        "reference", sizes["reference"], bare_events=1_000_000 if not ctx.quick else 300_000
    )
    runs = {"reference": ref}
    runs["clusters_small"] = child("clusters_small", sizes["clusters_small"])
    runs["workloads_small"] = child("workloads_small", sizes["workloads_small"])
    runs["tail_1x"] = child("tail_1x", sizes["tail"])
    runs["tail_10x"] = child("tail_10x", sizes["tail"], tail=float(TAIL_FACTOR))
    if ctx.stretch:
        try:
            runs["stretch"] = child("stretch", sizes["stretch"])
        except Exception as e:  # a failed or timed-out stretch run is reported, not fatal
            notes.append(f"stretch run failed: {e}")
    out["runs"] = runs
    out["p2_wall_s"] = ref["wall_s"]
    out["p2_peak_mb"] = ref["child_maxrss_mb"]
    out["p2_events"] = ref["events"]
    c_small, w_small = runs["clusters_small"], runs["workloads_small"]
    out["growth"] = {
        "clusters_x10": {
            "from": c_small["clusters"],
            "to": ref["clusters"],
            "wall_ratio": ratio(ref["wall_s"], c_small["wall_s"]),
            "events_ratio": ratio(ref["events"], c_small["events"]),
        },
        "workloads_x10": {
            "from": w_small["workloads"],
            "to": ref["workloads"],
            "wall_ratio": ratio(ref["wall_s"], w_small["wall_s"]),
            "events_ratio": ratio(ref["events"], w_small["events"]),
        },
    }
    t1, t10 = runs["tail_1x"], runs["tail_10x"]
    out["idle_tail"] = {
        "simulated_s": [t1["simulated_s"], t10["simulated_s"]],
        "wall_ratio": ratio(t10["wall_s"], t1["wall_s"]),
        "events_ratio": ratio(t10["events"], t1["events"]),
        "wall_per_event_us": [
            round(1e6 * t1["wall_s"] / t1["events"], 2),
            round(1e6 * t10["wall_s"] / t10["events"], 2),
        ],
        "tail_wall_per_sim_hour_s": round(
            (t10["wall_s"] - t1["wall_s"]) / ((t10["simulated_s"] - t1["simulated_s"]) / 3600), 3
        ),
    }
    bare = ref.get("bare", {})
    full_eps = ref["events_per_s"]
    sim_eps = ref["events"] / ref["sim_s"] if ref["sim_s"] > 0 else 0.0
    out["p3"] = {
        "pending_mean": ref["pending_mean"],
        "model_events_per_s": full_eps,
        "model_sim_only_events_per_s": round(sim_eps),
        "bare_events_per_s": bare.get("events_per_s"),
        "ratio": ratio(full_eps, bare.get("events_per_s")),
        "ratio_sim_only": ratio(sim_eps, bare.get("events_per_s")),
        "control_share": ratio(ref["control_s"], ref["wall_s"]),
    }
    out["p3_ratio"] = out["p3"]["ratio"]
    if "stretch" in runs:
        s = runs["stretch"]
        out["stretch"] = {k: s[k] for k in ("clusters", "workloads", "wall_s", "events")}
        out["stretch"]["peak_mb"] = s["child_maxrss_mb"]
    out["notes"] = notes
    return out
