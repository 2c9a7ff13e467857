"""A day with one fault: the reference failover scenario (one outage at 60 s for 120 s) run for
24 simulated hours against the same run cut to 1 hour. A discrete-event model's cost should
grow with events, not with idle simulated time; the target is at most 1.2x.

What a quiet hour still costs is what the model does on a timer while nothing changes: the hourly
safety resync. Probes of a member whose health is steady and whose success is certain (no fault
due, a link that drops nothing) are left out (`ControlLoop.skip_certain_probes`); the figures
count the probes sent and those left out, and break the cost down by events and control-loop
cycles (wall and CPU seconds) so the cause can be read off."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.report import Context, ratio

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "cluster-outage.yaml"
HOURS = {"full": (1.0, 24.0), "quick": (1.0, 24.0), "tiny": (0.1, 1.0)}


def _once(duration: float) -> tuple[float, float, Any]:
    from federation.api import load_scenario
    from sim.driver import run

    scenario = replace(load_scenario(SCENARIO), duration=duration)
    t0, c0 = time.perf_counter(), time.process_time()
    r = run(scenario)
    return time.perf_counter() - t0, time.process_time() - c0, r


def _figures(duration: float, walls: list[float], cpus: list[float], r: Any) -> dict[str, Any]:
    return {
        "simulated_s": duration,
        "wall_s": round(statistics.median(walls), 4),
        "cpu_s": round(statistics.median(cpus), 4),
        "repeats": len(walls),
        "events": r.events,
        "probes_sent": r.gateway.probes_sent,
        "probes_left_out": r.loop.probes_left_out(duration),
        "cycles": r.loop.cycles,
        "reconciles": r.loop.reconciled,
        "control_s": round(r.control_seconds, 4),
    }


def run(ctx: Context) -> dict[str, Any]:
    short_h, long_h = HOURS["tiny" if ctx.tiny else "quick" if ctx.quick else "full"]
    ctx.log(f"day: cluster-outage for {short_h:g} h and {long_h:g} h")
    durations = (3600.0 * short_h, 3600.0 * long_h)
    _once(durations[0])  # warm imports and caches
    # the two runs alternate, so that a change in the machine's load falls on both; medians
    # of at least 3 rounds, more (up to 50) while a round is short
    budget = 1.0 if ctx.quick or ctx.tiny else 5.0
    walls: tuple[list[float], list[float]] = ([], [])
    cpus: tuple[list[float], list[float]] = ([], [])
    last: list[Any] = [None, None]
    started = time.perf_counter()
    while len(walls[0]) < 3 or (len(walls[0]) < 50 and time.perf_counter() - started < budget):
        for i, d in enumerate(durations):
            w, c, last[i] = _once(d)
            walls[i].append(w)
            cpus[i].append(c)
    short = _figures(durations[0], walls[0], cpus[0], last[0])
    long = _figures(durations[1], walls[1], cpus[1], last[1])
    idle = long["simulated_s"] - short["simulated_s"]
    per_hour = {
        k: round((long[k] - short[k]) / (idle / 3600.0), 1)
        for k in ("events", "cycles", "reconciles", "probes_sent")
    }
    return {
        "short": short,
        "long": long,
        "idle_per_hour": per_hour,
        "day_wall_ratio": ratio(long["wall_s"], short["wall_s"], 2),
        "day_cpu_ratio": ratio(long["cpu_s"], short["cpu_s"], 2),
        "day_events_ratio": ratio(long["events"], short["events"], 2),
    }
