"""Fidelity: every shipped outage, hang, partition and scale-up scenario on the sim (kwok
calibration) and on real local clusters, compared with `federation.compare` (the same code as
`kfed compare`). `parity_max_error` is the worst normalised error over all of them (0.1 =
within 10 % or one probe period, whichever is larger).

Full mode runs each scenario for its whole duration (about 27 minutes of real time); quick
mode compares cluster-outage through its failover only (90 s).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.report import Context

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FULL = ("cluster-outage", "region-outage", "api-hang", "network-partition", "capacity-overflow")
QUICK = {"cluster-outage": 90.0}


def run(ctx: Context) -> dict[str, Any]:
    from federation.api import load_scenario
    from federation.compare import compare
    from federation.runner import execute

    if not ctx.kube:
        return {"parity_max_error": None, "notes": ["real clusters skipped (--no-kube)"]}
    plan = QUICK if ctx.quick else {name: None for name in FULL}
    results: dict[str, Any] = {}
    worst: float | None = 0.0
    notes: list[str] = []
    for name, duration in plan.items():
        scenario = load_scenario(SCENARIOS / f"{name}.yaml")
        out_dir = ctx.out / "parity" / name if ctx.out else None

        def real(sc: Any, out_dir: Path | None = out_dir) -> tuple[list[Any], dict[str, Any]]:
            members = ctx.shared["clusters"].members(sc)
            o = execute(
                sc,
                "kube",
                out_dir=out_dir / "kube" if out_dir else None,
                plots=out_dir is not None,
                members=members,
                log=ctx.log,
            )
            return o.rows, o.summary

        ctx.log(f"parity: {name} ({duration or scenario.duration:g} s of real time)")
        cmp = compare(scenario, duration=duration, out_dir=out_dir, real=real)
        results[name] = cmp.as_dict()
        e = cmp.max_error
        ctx.log(f"parity: {name}: worst error {e}")
        if e is None:
            missed = [m.name for m in cmp.metrics if m.error is None]
            notes.append(f"{name}: metric(s) on one side only: {missed}")
            worst = None
        elif worst is not None:
            worst = max(worst, e)
    return {
        "scenarios": results,
        "parity_max_error": None if worst is None else round(worst, 4),
        "notes": notes,
    }
