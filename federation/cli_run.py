"""The `kfed` subcommands that run things: `run` (the main job), `plot`, `compare` and
`clusters`. Same conventions as `federation.cli`: `add_NAME` declares, `run_NAME` acts."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from federation.cli import EXIT_INVALID, EXIT_OK, _fail


def _load(path: str) -> Any:
    from federation.api import LoadError, load_scenario

    try:
        return load_scenario(Path(path))
    except LoadError as e:
        _fail(e.errors)
        return None


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
    p.add_argument("--duration", type=float, help="override the scenario's duration (s)")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when "
                   "stderr is not a terminal")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print summary.json instead of tables")
    kube = p.add_argument_group("kube backend")
    kube.add_argument("--workdir", help="where local clusters live (default ~/.cache/kfed/"
                      "clusters)")
    kube.add_argument("--keep", action="store_true",
                      help="leave the workloads on the members after the run")
    p.set_defaults(func=run_run)


def run_run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from federation.runner import ProgressBar, execute, exit_code, render_summary

    scenario = _load(args.scenario)
    if scenario is None:
        return EXIT_INVALID
    if args.duration is not None:
        if args.duration <= 0:
            return _fail([f"kfed run: --duration must be > 0, got {args.duration:g}"])
        scenario = replace(scenario, duration=args.duration)
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("runs") / f"{scenario.name}-{args.backend}"
    options: dict[str, Any] = {}
    if args.backend == "kube":
        options = {"workdir": Path(args.workdir) if args.workdir else None, "keep": args.keep}
    enabled = False if args.quiet else (True if args.progress else None)
    with ProgressBar(f"{scenario.name} ({args.backend})", scenario.duration, enabled) as bar:
        outcome = execute(scenario, args.backend, seed=seed, out_dir=out, progress=bar,
                          plots=not args.no_plots, **options)
    if args.json:
        print(json.dumps(outcome.summary, indent=2, sort_keys=True))
    else:
        print(render_summary(outcome.summary), end="")
        print("wrote " + ", ".join(str(f) for f in outcome.files))
    return exit_code(outcome.summary)


# ------------------------------------------------------------------ plot


def add_plot(sub: Any) -> None:
    p = sub.add_parser("plot", help="redraw the plots of a finished run",
                       description="Read DIR/summary.json and DIR/timeline.csv (written by "
                       "`kfed run`) and write DIR/replicas.png and DIR/availability.png.")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=run_plot)


def run_plot(args: argparse.Namespace) -> int:
    from federation.metrics import read_csv
    from federation.plots import plot_run

    d = Path(args.dir)
    try:
        summary = json.loads((d / "summary.json").read_text())
        rows = read_csv(d / "timeline.csv")
    except (OSError, ValueError, KeyError) as e:
        return _fail([f"kfed plot: {d}: {e}"])
    paths = plot_run(rows, d, title=f"{summary['scenario']} ({summary['backend']})",
                     end=float(summary["simulated_seconds"]))
    print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_OK


# ------------------------------------------------------------------ compare


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
    p.add_argument("--duration", type=float, help="compare the first S seconds only")
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
    p.add_argument("--json", action="store_true", help="print compare.json instead of tables")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_compare)


def _recorded(path: str) -> Any:
    """A `real` callable for `federation.compare.compare` reading a finished run's files."""
    from federation.metrics import read_csv

    d = Path(path)
    summary = json.loads((d / "summary.json").read_text())
    rows = read_csv(d / "timeline.csv")
    return lambda scenario: (rows, summary), float(summary["simulated_seconds"])


def run_compare(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from federation.compare import CALIBRATIONS, compare, render
    from federation.runner import ProgressBar

    scenario = _load(args.scenario)
    if scenario is None:
        return EXIT_INVALID
    if args.duration is not None and args.duration <= 0:
        return _fail([f"kfed compare: --duration must be > 0, got {args.duration:g}"])
    if args.calibration not in CALIBRATIONS:
        choices = ", ".join(sorted(CALIBRATIONS))
        return _fail([f"kfed compare: unknown --calibration {args.calibration!r}: {choices}"])
    if args.seed is not None:
        scenario = replace(scenario, seed=args.seed)
    real, duration = None, args.duration
    if args.real_run:
        try:
            real, recorded = _recorded(args.real_run)
        except (OSError, ValueError, KeyError) as e:
            return _fail([f"kfed compare: --real-run {args.real_run}: {e}"])
        duration = min(duration or recorded, recorded)
    out = Path(args.out) if args.out else Path("runs") / f"{scenario.name}-compare"
    total = duration or scenario.duration
    enabled = False if (args.quiet or real is not None) else None
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
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(render(result), end="")
        print("wrote " + ", ".join(str(f) for f in result.files))
    return EXIT_OK if result.within else 1


# ------------------------------------------------------------------ clusters


def add_clusters(sub: Any) -> None:
    p = sub.add_parser("clusters", help="local real clusters: up | down | status",
                       description="Provision local member clusters (kwok: real control "
                       "planes with fake nodes; kind: needs Docker). See `kfed clusters up -h`.",
                       add_help=False)
    p.add_argument("argv", nargs=argparse.REMAINDER)
    p.set_defaults(func=run_clusters)


def run_clusters(args: argparse.Namespace) -> int:
    from federation.kube.provision import clusters_command

    return int(clusters_command(args.argv))
