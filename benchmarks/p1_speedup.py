"""P1 speed-up: the reference failover scenario (scenarios/cluster-outage.yaml) on the sim, in
simulated seconds per wall second, against the same scenario on real local (kwok) clusters,
measured the same way (real time runs at about one simulated second per wall second, plus
what the driver spends around the loop).

Sim: the median of several whole `sim.driver.run` calls (building the world included), default
settings. Real: one `kfed run --backend kube` of the same scenario, cut to `--duration`
(quick: before the fault; full: through the failover), members already running.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.report import Context, ratio

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "cluster-outage.yaml"


def sim_speed(repeats: int = 7) -> dict[str, Any]:
    from federation.api import load_scenario
    from sim.driver import run

    scenario = load_scenario(SCENARIO)
    run(scenario)  # warm imports and caches
    runs = [run(scenario) for _ in range(repeats)]
    speeds = sorted(r.speed for r in runs)
    r = runs[0]
    return {
        "scenario": scenario.name,
        "simulated_s": r.simulated_seconds,
        "events": r.events,
        "wall_s_median": round(statistics.median(x.wall_seconds for x in runs), 5),
        "speed_median": round(statistics.median(speeds), 1),
        "speed_min": round(speeds[0], 1),
        "speed_max": round(speeds[-1], 1),
        "repeats": repeats,
    }


def real_speed(ctx: Context, duration: float) -> dict[str, Any]:
    from federation.api import load_scenario
    from federation.runner import execute

    scenario = replace(load_scenario(SCENARIO), duration=duration)
    members = ctx.shared["clusters"].members(scenario)
    t0 = time.perf_counter()
    out = execute(scenario, "kube", plots=False, members=members, log=ctx.log)
    call = time.perf_counter() - t0
    loop_wall = float(out.summary["wall_seconds"])
    return {
        "simulated_s": duration,
        "loop_wall_s": round(loop_wall, 3),
        "call_wall_s": round(call, 3),
        "speed_loop": round(duration / loop_wall, 4),
        "speed_call": round(duration / call, 4),
        "failovers": out.summary["failovers"],
    }


def run(ctx: Context) -> dict[str, Any]:
    ctx.log("p1: sim runs of cluster-outage")
    sim = sim_speed(1 if ctx.tiny else 5 if ctx.quick else 9)
    out: dict[str, Any] = {"sim": sim, "p1_sim_speed": sim["speed_median"], "notes": []}
    if not ctx.kube:
        out["p1_speedup"] = None
        out["notes"].append(
            "real clusters skipped (--no-kube): no measured real speed; "
            f"sim alone runs {sim['speed_median']:,.0f} simulated s per wall s"
        )
        return out
    duration = 30.0 if ctx.quick else 100.0
    ctx.log(f"p1: real run of cluster-outage for {duration:g} s")
    real = real_speed(ctx, duration)
    out["real"] = real
    # against the loop's own wall (the conservative one: the call adds setup and cleanup)
    out["p1_speedup"] = round(sim["speed_median"] / real["speed_loop"])
    out["p1_speedup_vs_call"] = round(sim["speed_median"] / real["speed_call"])
    out["notes"].append(
        f"real: {duration:g} scenario-s in {real['loop_wall_s']} s of control loop "
        f"({real['call_wall_s']} s with cleanup); ratio of medians against the loop's wall"
    )
    _ = ratio
    return out
