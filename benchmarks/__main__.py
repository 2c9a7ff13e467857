"""`python -m benchmarks`: kfed's performance and fidelity figures (P1-P6, a day with one
fault, parity, start-up).

Prints a table, or with --json ONE JSON object with p1_speedup, p2_wall_s, p2_peak_mb,
p2_events, p3_ratio, traffic_overhead, p4_p50_ms, p4_p99_ms, p5_failover_s, p5_false_failovers,
p6_single_runs_per_s, p6_pool_runs_per_s, p6_pool_efficiency, p6_dask_efficiency,
day_wall_ratio, parity_max_error, startup_python_s, startup_validate_s, startup_run_s (null
where not measured, the reason under `notes`), the machine, the sizes and every figure behind
them under `details`. --quick runs reduced sizes (a few minutes);
--only picks figures; --no-kube skips everything that needs real local clusters, which
otherwise are created under --workdir and torn down at the end.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.report import KEYS, Context, machine, table

# in this order: the CPU-bound sim figures first, before any real cluster runs beside them
FIGURES = {
    "p2": "benchmarks.p2_scale",  # P2 and P3
    "traffic": "benchmarks.traffic",  # the traffic model's cost on P2
    "startup": "benchmarks.startup",  # whole-process start-up of the everyday commands
    "p1": "benchmarks.p1_speedup",
    "p4": "benchmarks.p4_propagation",
    "p5": "benchmarks.p5_failover",
    "p6": "benchmarks.p6_sweep",  # sweep throughput: pool and Dask against in-process runs
    "day": "benchmarks.day",  # 24 h with one fault against the same cut to 1 h
    "parity": "benchmarks.parity",
    "calibration": "benchmarks.calibration",
}
ALIASES = {"p3": "p2"}
KUBE = {"p4", "parity", "calibration"}  # nothing to measure without real clusters


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="reduced sizes (a few minutes)")
    p.add_argument(
        "--only",
        metavar="LIST",
        help=f"comma-separated figures: {', '.join([*FIGURES, *ALIASES])} (default: all)",
    )
    p.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # smoke tests only
    p.add_argument("--no-kube", action="store_true", help="skip real local clusters")
    p.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/kfed-bench"),
        help="where the benchmark's kwok clusters live (default /tmp/kfed-bench)",
    )
    p.add_argument("--out", type=Path, help="also write results.json and parity artefacts here")
    p.add_argument(
        "--stretch", action="store_true", help="P2 stretch: 1,000 clusters x 100,000 workloads"
    )
    p.add_argument("--timeout", type=float, default=3600.0, help="per child process (s)")
    return p.parse_args(argv)


def select(only: str | None) -> list[str]:
    if not only:
        return list(FIGURES)
    chosen: list[str] = []
    for name in only.split(","):
        name = ALIASES.get(name.strip(), name.strip())
        if name not in FIGURES:
            raise SystemExit(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")
        chosen.append(name)
    return [f for f in FIGURES if f in chosen]  # always in FIGURES' order


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    figures = select(args.only)
    ctx = Context(
        quick=args.quick or args.tiny,
        tiny=args.tiny,
        kube=not args.no_kube,
        workdir=args.workdir,
        out=args.out,
        stretch=args.stretch,
        timeout=args.timeout,
    )
    result: dict[str, Any] = {key: None for key, _, _ in KEYS}
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    result.update({"mode": mode, "quick": ctx.quick, "figures": figures, "machine": machine()})
    details: dict[str, Any] = {}
    notes: dict[str, Any] = {}
    started = time.perf_counter()
    clusters = None
    if ctx.kube and any(f in FIGURES for f in figures):
        from benchmarks.clusters import Clusters

        clusters = Clusters(ctx.workdir, ctx.log)
        ctx.shared["clusters"] = clusters
    try:
        for name in figures:
            if name in KUBE and not ctx.kube:
                notes[name] = "real clusters skipped (--no-kube)"
                continue
            t0 = time.perf_counter()
            try:
                figures_out = importlib.import_module(FIGURES[name]).run(ctx)
            except Exception as e:  # one broken figure must not lose the others
                ctx.log(f"{name} failed: {e!r}")
                notes[name] = f"failed: {e!r}"
                continue
            figures_out["seconds"] = round(time.perf_counter() - t0, 1)
            if figures_out.get("notes"):
                notes[name] = figures_out["notes"]
            for key, _, _ in KEYS:
                if key in figures_out:
                    result[key] = figures_out[key]
            details[name] = figures_out
    finally:
        if clusters is not None:
            clusters.close()
    for key, _, _ in KEYS:
        if result[key] is None and key not in notes:
            owner = next((f for f in FIGURES if key.startswith(f)), key.split("_")[0])
            if owner == "p3":
                owner = "p2"
            notes.setdefault(key, notes.get(owner, "not measured in this run (see --only)"))
    result["notes"] = notes
    result["details"] = details
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
