"""A day with one fault: the reference failover scenario (one outage at 60 s for 120 s) run for
24 simulated hours against the same run cut to 1 hour. A discrete-event model's cost should
grow with events, not with idle simulated time; the target is at most 1.2x.

What a quiet hour still costs is what the model does on a timer while nothing changes: every
member is probed every 2 s (a probe is a request through the member's link, a reply, and a
health-machine step) and every workload is re-reconciled at each resync (every 5 min). The
figures break the wall down by events and control-loop cycles so the cause can be read off."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.report import Context, ratio

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "cluster-outage.yaml"
HOURS = {"full": (1.0, 24.0), "quick": (1.0, 24.0), "tiny": (0.1, 1.0)}


def one(duration: float, repeats: int) -> dict[str, Any]:
    from federation.api import load_scenario
    from sim.driver import run

    scenario = replace(load_scenario(SCENARIO), duration=duration)
    walls, r = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = run(scenario)
        walls.append(time.perf_counter() - t0)
    assert r is not None
    return {
        "simulated_s": duration,
        "wall_s": round(statistics.median(walls), 4),
        "events": r.events,
        "cycles": r.loop.cycles,
        "reconciles": r.loop.reconciled,
        "control_s": round(r.control_seconds, 4),
    }


def run(ctx: Context) -> dict[str, Any]:
    short_h, long_h = HOURS["tiny" if ctx.tiny else "quick" if ctx.quick else "full"]
    ctx.log(f"day: cluster-outage for {short_h:g} h and {long_h:g} h")
    one(3600.0 * short_h, 1)  # warm imports and caches
    short = one(3600.0 * short_h, 3)
    long = one(3600.0 * long_h, 1 if ctx.quick or ctx.tiny else 3)
    idle = long["simulated_s"] - short["simulated_s"]
    per_hour = {
        k: round((long[k] - short[k]) / (idle / 3600.0), 1)
        for k in ("events", "cycles", "reconciles")
    }
    return {
        "short": short,
        "long": long,
        "idle_per_hour": per_hour,
        "day_wall_ratio": ratio(long["wall_s"], short["wall_s"], 2),
        "day_events_ratio": ratio(long["events"], short["events"], 2),
    }
