"""`kfed compare`: one scenario on the sim and on real clusters, side by side."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from federation.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    add_output,
    dump,
    duration_flag,
    fail,
    load_scenario_or_fail,
    make_out_dir,
)


def add_compare(sub: Any) -> None:
    p = sub.add_parser(
        "compare",
        help="run a scenario on the sim and on real clusters and compare them",
        description="Run SCENARIO on the sim (with a calibration profile measured on kwok "
        "members, see docs/calibration.md) and on real local clusters, then print each "
        "metric side by side: time to detect, evict and fail over, time to scale and to "
        "settle, ready replicas per cluster, with the error of each. Writes compare.json, "
        "overlay.png (sim over real, per cluster) and both runs' artefacts into --out. Exit 0 "
        "when every metric is within 10 % or one probe period, 1 when one is not, 2 on "
        "invalid input. Real runs take real time: --duration cuts the scenario short.",
    )
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--duration",
        metavar="DURATION",
        help="compare the first DURATION only: seconds, or 90s, 2m, 1m30s",
    )
    p.add_argument("--out", metavar="DIR", help="output folder (default runs/NAME-compare)")
    p.add_argument("--seed", type=int, help="override the scenario's seed")
    p.add_argument(
        "--calibration",
        default="kwok",
        help="sim settings profile: kwok (measured on kwok members) or none (the scenario's)",
    )
    p.add_argument("--workdir", help="where local clusters live (default ~/.cache/kfed/clusters)")
    p.add_argument(
        "--real-run",
        metavar="DIR",
        help="compare against a recorded real run (the --out of `kfed run --backend kube`) "
        "instead of running the scenario on clusters now",
    )
    add_output(p, what="the metrics table; json|yaml: compare.json; wide: each run's summary too")
    p.add_argument(
        "--progress",
        action="store_true",
        help="show progress even when stderr is not a terminal (plain lines there)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress")
    p.set_defaults(func=run_compare)


def _recorded(path: str) -> Any:
    """A `real` callable for `federation.compare.compare` reading a finished run's files."""
    from federation.recorder import read_csv

    d = Path(path)
    summary = json.loads((d / "summary.json").read_text())
    rows = read_csv(d / "timeline.csv")
    return lambda scenario: (rows, summary), float(summary["simulated_seconds"])


def run_compare(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from federation.cli.progress import ProgressBar
    from federation.compare import CALIBRATIONS, compare, render

    duration = duration_flag("compare", "--duration", args.duration)
    scenario = load_scenario_or_fail(args.scenario)
    if scenario is None:
        return EXIT_INVALID
    if args.calibration not in CALIBRATIONS:
        choices = ", ".join(sorted(CALIBRATIONS))
        return fail([f"kfed compare: unknown --calibration {args.calibration!r}: {choices}"])
    if args.seed is not None:
        scenario = replace(scenario, seed=args.seed)
    real = None
    if args.real_run:
        try:
            real, recorded = _recorded(args.real_run)
        except (OSError, ValueError, KeyError) as e:
            return fail([f"kfed compare: --real-run {args.real_run}: {e}"])
        duration = min(duration or recorded, recorded)
    out = make_out_dir("compare", Path(args.out or f"runs/{scenario.name}-compare"))
    total = duration or scenario.duration
    enabled = False if (args.quiet or real is not None) else (True if args.progress else None)
    with ProgressBar(f"{scenario.name} (kube)", total, enabled) as bar:
        result = compare(
            scenario,
            duration=duration,
            out_dir=out,
            calibration=args.calibration,
            workdir=Path(args.workdir) if args.workdir else None,
            real=real,
            progress=bar,
        )
    if args.output in ("json", "yaml"):
        print(dump(result.as_dict(), args.output, sort_keys=False), end="")
    else:
        print(render(result), end="")
        if args.output == "wide":
            from federation.report.table import render_summary

            for side in (result.sim_summary, result.real_summary):
                print(render_summary(side, wide=True), end="")
        print("wrote " + ", ".join(str(f) for f in result.files))
    return EXIT_OK if result.within else 1
