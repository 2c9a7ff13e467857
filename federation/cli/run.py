"""`kfed run` (the main job) and `kfed plot` (redraw a run's plots)."""

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
    make_out_dir,
)
from federation.cli.documents import add_input_flags, scenario_or_fail

# ------------------------------------------------------------------ run


def add_run(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="run a scenario (the main job) and report what happened",
        description="Run SCENARIO on the sim backend (default: SimPy, no servers) or on real "
        "clusters (--backend kube), then write summary.json, timeline.csv and plots into "
        "--out and print a summary table. Exit 0 when every expectation passes, 1 when one "
        "fails, 2 on invalid input.",
    )
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--backend", choices=("sim", "kube"), default="sim")
    p.add_argument("--seed", type=int, help="override the scenario's seed")
    p.add_argument("--out", metavar="DIR", help="output folder (default runs/NAME-BACKEND)")
    p.add_argument(
        "--duration",
        metavar="DURATION",
        help="override the scenario's duration: seconds, or 90s, 2m, 1m30s",
    )
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument(
        "--progress",
        action="store_true",
        help="show progress even when stderr is not a terminal (plain lines there)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress")
    p.add_argument(
        "--metrics",
        action="store_true",
        help="sim: add `metric` rows to timeline.csv under the names controller mode serves "
        "on /metrics (controller_runtime_*, workqueue_*, kfed_*)",
    )
    add_output(p, what="tables; json|yaml: summary.json; wide: per-cluster columns")
    add_input_flags(p)
    kube = p.add_argument_group("kube backend")
    kube.add_argument(
        "--workdir", help="where local clusters live (default ~/.cache/kfed/clusters)"
    )
    kube.add_argument(
        "--keep", action="store_true", help="leave the workloads on the members after the run"
    )
    p.set_defaults(func=run_run)


def run_run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from federation.cli.progress import ProgressBar
    from federation.runner import execute, exit_code

    duration = duration_flag("run", "--duration", args.duration)
    scenario = scenario_or_fail(args)
    if scenario is None:
        return EXIT_INVALID
    if duration is not None:
        scenario = replace(scenario, duration=duration)
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("runs") / f"{scenario.name}-{args.backend}"
    make_out_dir("run", out)
    options: dict[str, Any] = {"metrics": True} if args.metrics else {}
    if args.backend == "kube":
        from federation.kube.resources import KINDS

        other = sorted({w.kind for w in scenario.desired.workloads.values()} - set(KINDS))
        if other:
            return fail(
                [
                    f"kfed run: the kube backend applies {', '.join(KINDS)}; this scenario "
                    f"has templates of kind {', '.join(other)} (run it on the sim)"
                ]
            )
        options = {"workdir": Path(args.workdir) if args.workdir else None, "keep": args.keep}
    enabled = False if args.quiet else (True if args.progress else None)
    with ProgressBar(f"{scenario.name} ({args.backend})", scenario.duration, enabled) as bar:
        outcome = execute(
            scenario,
            args.backend,
            seed=seed,
            out_dir=out,
            progress=bar,
            plots=not args.no_plots,
            **options,
        )
    if args.output in ("json", "yaml"):
        print(dump(outcome.summary, args.output), end="")
    else:
        from federation.report.table import ready_at_end, render_summary

        if args.output == "wide":
            ready = ready_at_end(outcome.rows, [c.name for c in scenario.desired.clusters])
            print(render_summary(outcome.summary, wide=True, ready=ready), end="")
        else:
            print(render_summary(outcome.summary), end="")
        print("wrote " + ", ".join(str(f) for f in outcome.files))
    return exit_code(outcome.summary)


# ------------------------------------------------------------------ plot


def add_plot(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="redraw the plots of a finished run",
        description="Read DIR/summary.json and DIR/timeline.csv (written by "
        "`kfed run`) and write DIR/replicas.png and DIR/availability.png.",
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument(
        "--workload",
        metavar="W",
        action="append",
        help="draw a panel for workload W (Kind/ns/name, ns/name or name; repeatable; default: "
        "the 8 with the most unavailable replica-seconds)",
    )
    p.set_defaults(func=run_plot)


def run_plot(args: argparse.Namespace) -> int:
    from federation.recorder import read_csv
    from federation.report.plots import plot_run

    d = Path(args.dir)
    try:
        summary = json.loads((d / "summary.json").read_text())
        rows = read_csv(d / "timeline.csv")
    except (OSError, ValueError, KeyError) as e:
        return fail([f"kfed plot: {d}: {e}"])
    try:
        paths = plot_run(
            rows,
            d,
            title=f"{summary['scenario']} ({summary['backend']})",
            end=float(summary["simulated_seconds"]),
            summary=summary,
            workloads=args.workload,
        )
    except ValueError as e:  # an unknown or ambiguous --workload
        return fail([f"kfed plot: --workload: {e}"])
    print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_OK
