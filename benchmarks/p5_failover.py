"""P5 failover with the default health and failover settings.

Real (kwok members, the kube backend, scenarios/cluster-outage.yaml's federation):

* failover: m2's processes are killed (`kwokctl stop`, the kube backend's outage) a few
  seconds into a run; the figure is from the fault to the evicted replicas Ready on m1 and m3
  (`failovers[].recovered_at - fault_at` of the run's summary), repeated; median and max;
* false failovers: short blackhole partitions of m2 (toxiproxy, 1.5 s each: shorter than the
  failure rule of 3 failed probes spanning >= 4 s), several per run; every eviction counts.

Sim sweep (the trade-off behind the defaults): for failure counts and probe periods, the time
from an outage to Offline (mean and worst over seeds) and how many clusters a lossy link gets
evicted from per hour, both on the same federation.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.report import Context

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "cluster-outage.yaml"
FAULT_AT = 12.0  # seconds into a real run
BLIP = 1.5  # seconds of a short partition


def _scenario() -> Any:
    from federation.api import load_scenario

    return load_scenario(SCENARIO)


def failover_runs(ctx: Context, repeats: int) -> list[dict[str, Any]]:
    from federation.api.scenario import Fault
    from federation.runner import execute

    base = _scenario()
    outage = Fault("outage", at=FAULT_AT, duration=None, clusters=("m2",))
    scenario = replace(base, faults=(outage,), duration=FAULT_AT + 18.0, expectations=())
    out = []
    for i in range(repeats):
        members = ctx.shared["clusters"].members(base)
        ctx.log(f"p5: outage run {i + 1}/{repeats}")
        res = execute(scenario, "kube", plots=False, members=members, log=ctx.log)
        fos = res.summary["failovers"]
        f = fos[0] if fos else {}

        def since(key: str, f: dict[str, Any] = f) -> float | None:
            v = f.get(key)
            return None if v is None else round(v - f["fault_at"], 3)

        out.append(
            {
                "detect_s": since("detected_at"),
                "evict_s": since("evicted_at"),
                "failover_s": since("recovered_at"),
            }
        )
        ctx.log(f"p5: run {i + 1}: {out[-1]}")
    return out


def blip_run(ctx: Context, blips: int) -> dict[str, Any]:
    from federation.api.scenario import Fault
    from federation.runner import execute

    base = _scenario()
    faults = tuple(
        Fault("partition", at=10.0 + 10.0 * k + 0.37 * k, duration=BLIP, clusters=("m2",))
        for k in range(blips)
    )
    duration = 10.0 + 10.4 * blips + 8.0
    scenario = replace(base, faults=faults, duration=duration, expectations=())
    members = ctx.shared["clusters"].members(base)
    ctx.log(f"p5: {blips} partitions of {BLIP:g} s on m2 ({duration:g} s)")
    res = execute(scenario, "kube", plots=False, members=members, log=ctx.log)
    health = [r for r in res.rows if r.kind == "health" and r.cluster == "m2"]
    return {
        "blips": blips,
        "blip_s": BLIP,
        "evictions": res.summary["evictions"],
        "offline": sum(1 for r in health if r.fields.get("to") == "Offline"),
        "suspect": sum(1 for r in health if r.fields.get("to") == "Suspect"),
    }


PERIODS = (1.0, 2.0, 5.0)
COUNTS = (1, 2, 3, 5)
LOSS = 0.10  # the lossy link of the false-eviction count: 10 % of messages dropped


def sweep(
    periods: tuple[float, ...] = PERIODS,
    counts: tuple[int, ...] = COUNTS,
    seeds: int = 20,
    lossy_hours: float = 4.0,
) -> list[dict[str, Any]]:
    """Detection time and false evictions in the sim for a few health settings: each
    (probe period, failure count) with failure seconds = (count - 1.25) x period, the
    default's rule; detection over `seeds` outages at different phases; false Offline over
    `lossy_hours` of a link dropping 10 % of messages."""
    from federation.api.scenario import Fault, Link
    from federation.core.health import HealthThresholds
    from sim.driver import run

    base = _scenario()
    rows = []
    for period in periods:
        for count in counts:
            th = HealthThresholds(
                probe_period=period,
                probe_timeout=min(1.0, period / 2),
                failure_count=count,
                failure_seconds=max(0.0, (count - 1.25) * period),  # the default's rule
            )
            detect = []
            for seed in range(1, seeds + 1):
                outage = Fault("outage", at=60.0 + seed * 0.137, duration=None, clusters=("m2",))
                sc = replace(base, health=th, faults=(outage,), duration=120.0, seed=seed)
                r = run(sc)
                t = next(
                    (
                        row.t - outage.at
                        for row in r.recorder.rows
                        if row.kind == "health" and row.fields.get("to") == "Offline"
                    ),
                    None,
                )
                if t is not None:
                    detect.append(t)
            lossy = replace(
                base,
                health=th,
                faults=(),
                duration=3600.0 * lossy_hours,
                sim=replace(base.sim, link=Link(loss=LOSS)),
            )
            r = run(lossy)
            evictions = {row.cluster for row in r.recorder.rows if row.kind == "evict"}
            offline = sum(
                1
                for row in r.recorder.rows
                if row.kind == "health" and row.fields.get("to") == "Offline"
            )
            rows.append(
                {
                    "probe_period_s": period,
                    "failure_count": count,
                    "failure_seconds": th.failure_seconds,
                    "detect_mean_s": round(statistics.fmean(detect), 2) if detect else None,
                    "detect_max_s": round(max(detect), 2) if detect else None,
                    "false_offline_per_hour": round(offline / lossy_hours, 2),
                    "clusters_evicted_from": len(evictions),
                    "default": period == 2.0 and count == 3,
                }
            )
    return rows


def run(ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {"notes": []}
    ctx.log("p5: sim sweep of failure count x probe period")
    if ctx.tiny:
        out["sweep"] = sweep((2.0,), (3,), seeds=2, lossy_hours=0.05)
    else:
        out["sweep"] = sweep(seeds=5 if ctx.quick else 20, lossy_hours=1.0 if ctx.quick else 4.0)
    if not ctx.kube:
        out["p5_failover_s"] = None
        out["p5_false_failovers"] = None
        out["notes"].append("real clusters skipped (--no-kube)")
        return out
    runs = failover_runs(ctx, 1 if ctx.quick else 3)
    times = [r["failover_s"] for r in runs if r["failover_s"] is not None]
    out["runs"] = runs
    out["p5_failover_s"] = round(statistics.median(times), 3) if times else None
    out["p5_failover_max_s"] = max(times) if times else None
    if len(times) < len(runs):
        out["notes"].append(f"{len(runs) - len(times)} run(s) without a completed failover")
    blips = blip_run(ctx, 3 if ctx.quick else 6)
    out["blips"] = blips
    out["p5_false_failovers"] = blips["evictions"]
    return out
