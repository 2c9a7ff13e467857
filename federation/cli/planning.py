"""`kfed sweep` (a grid of settings over seeds, or the search of `--find`) and `kfed survive`
(N-k survivability), both on the public API (`kfed.sweep`, `kfed.survive`)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from federation.cli.common import (
    DATA_FORMATS,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    UsageError,
    add_output,
    dump,
    duration_flag,
    fail,
    make_out_dir,
)
from federation.cli.documents import add_input_flags, print_warnings


def _engine_flags(p: Any, verb: str, unit: str) -> None:
    p.add_argument(
        "--seeds", type=int, default=5, metavar="N", help=f"run every {unit} for seeds 1..N (5)"
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes (default: one per CPU; 1 runs in this process)",
    )
    p.add_argument(
        "--dask",
        metavar="local|tcp://HOST:PORT",
        help="run on Dask: a LocalCluster (--workers processes) or a running scheduler",
    )
    p.add_argument("--out", metavar="DIR", help=f"output folder (default runs/NAME-{verb})")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument("--progress", action="store_true", help="progress even when not a terminal")
    p.add_argument("--quiet", action="store_true", help="no progress")
    add_output(p, DATA_FORMATS, what="tables")


def add_sweep(sub: Any) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a grid of settings over many seeds: pass rates, intervals, cost",
        description="Run SCENARIO for every point of the grid of --set values (their product), "
        "seeds 1..N each, in worker processes (or on Dask). Writes DIR/runs.parquet, "
        "runs.csv (one row per run), points.csv (pass rate with its Wilson 95 % interval, "
        "availability p5/p50, failover p50/p95, cost per hour per point), result.json and plots. "
        "--find PATH searches that parameter for the smallest value whose pass rate reaches "
        "--target instead of running every point. Exit 0, or 1 when --find finds no value, "
        "2 on invalid input (every point is validated before anything runs), 130 on Ctrl-C "
        "(what finished is written).",
    )
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--set",
        metavar="PATH=VALUES",
        action="append",
        default=[],
        help="a swept setting (repeatable): PATH=V1,V2,... or PATH=START..STOP:STEP; one "
        "value holds it fixed",
    )
    p.add_argument("--find", metavar="PATH", help="search PATH (a swept numeric --set)")
    p.add_argument(
        "--target",
        type=float,
        default=0.95,
        help="the pass rate --find reaches and the cheapest passing point meets (0.95)",
    )
    _engine_flags(p, "sweep", "point")
    add_input_flags(p, settings=False)
    p.set_defaults(func=run_sweep)


def _progress(args: argparse.Namespace, label: str) -> Any:
    from federation.cli.progress import RunsProgress

    return RunsProgress(label, False if args.quiet else (True if args.progress else None))


def _engine_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.seeds < 1:
        raise UsageError(f"kfed {args.command}: --seeds must be >= 1, got {args.seeds}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"kfed {args.command}: --workers must be >= 1, got {args.workers}")
    return {"seeds": args.seeds, "workers": args.workers, "dask": args.dask}


def _load(args: argparse.Namespace) -> Any:
    import kfed

    try:
        sc = kfed.load(
            args.scenario, strict=args.strict, allow_outside=args.allow_outside_resources
        )
    except kfed.LoadError as e:
        fail(e.errors)
        return None
    print_warnings(sc.warnings)
    return sc


def run_sweep(args: argparse.Namespace) -> int:
    import kfed
    from federation.cli.sweep_tables import render_sweep

    if not 0 < args.target <= 1:
        raise UsageError(f"kfed sweep: --target must be in (0, 1], got {args.target}")
    if not args.set:
        raise UsageError("kfed sweep: give at least one --set PATH=VALUES to sweep")
    engine = _engine_args(args)
    sc = _load(args)
    if sc is None:
        return EXIT_INVALID
    out = _out_dir("sweep", args.out, sc.name)
    try:
        with _progress(args, f"sweep {sc.name}") as bar:
            result = kfed.sweep(
                sc, args.set, find=args.find, target=args.target, progress=bar, **engine
            )
    except kfed.LoadError as e:
        return fail(e.errors)
    files = result.write(make_out_dir("sweep", out), plots=not args.no_plots)
    if args.output:
        print(dump(result.as_dict(), args.output), end="")
    else:
        print(render_sweep(result), end="")
        print("wrote " + ", ".join(str(f) for f in files))
    if result.interrupted:
        return EXIT_INTERRUPTED
    if args.find and any(f.value is None for f in result.found):
        return EXIT_FAILED
    return EXIT_OK


def add_survive(sub: Any) -> None:
    p = sub.add_parser(
        "survive",
        help="N-k survivability: lose every set of k clusters, zones or regions in turn",
        description="For every set of K failure domains, replace SCENARIO's faults with an "
        "outage of that set at --at for --for (default: the scenario's first disruptive fault) "
        "and run seeds 1..N. Prints per set the pass rate of each expectation beside the static "
        "check (survivors' requested CPU and memory against their capacity), and per set and "
        "workload the worst availability, unschedulable and Pending replicas and the time to "
        "recover; --headroom finds the smallest uniform capacity factor with which every set "
        "passes, and its cost per hour. Writes DIR/sets.csv, matrix.csv, runs.parquet, "
        "runs.csv, result.json, survive.png. Exit 0 when every set passes every seed, 1 when "
        "one does not.",
    )
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--domain", choices=("cluster", "zone", "region"), default="cluster")
    p.add_argument("--k", type=int, default=1, help="domains lost at once (1)")
    p.add_argument("--at", metavar="T", help="when the outage starts (s or 1m30s)")
    p.add_argument(
        "--for", dest="for_", metavar="D", help="how long it lasts (s, 2m, or end: to the end)"
    )
    p.add_argument("--headroom", action="store_true", help="find the capacity factor and cost")
    _engine_flags(p, "survive", "failure set")
    add_input_flags(p)
    p.set_defaults(func=run_survive)


def run_survive(args: argparse.Namespace) -> int:
    import kfed
    from federation.cli.sweep_tables import render_survive

    engine = _engine_args(args)
    at = _seconds("--at", args.at)
    duration = (
        math.inf if args.for_ == "end" else duration_flag("survive", "--for", args.for_)
    )
    sc = _load(args)
    if sc is None:
        return EXIT_INVALID
    if args.set:
        try:
            sc = sc.set(list(args.set))
        except kfed.LoadError as e:
            return fail(e.errors)
    out = _out_dir("survive", args.out, sc.name)
    try:
        with _progress(args, f"survive {sc.name}") as bar:
            result = kfed.survive(
                sc,
                domain=args.domain,
                k=args.k,
                at=at,
                duration=duration,
                headroom=args.headroom,
                progress=bar,
                **engine,
            )
    except ValueError as e:  # --k or --at out of range for this federation
        return fail([f"kfed survive: {e}"])
    files = result.write(make_out_dir("survive", out), plots=not args.no_plots)
    if args.output:
        print(dump(result.as_dict(), args.output), end="")
    else:
        print(render_survive(result), end="")
        print("wrote " + ", ".join(str(f) for f in files))
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if result.survives else EXIT_FAILED


def _out_dir(verb: str, given: str | None, name: str) -> Path:
    """The --out folder (default runs/NAME-VERB), checked now and created only once there is
    something to write in it (invalid input leaves nothing behind)."""
    out = Path(given) if given else Path("runs") / f"{name}-{verb}"
    if out.exists() and not out.is_dir():
        raise UsageError(f"kfed {verb}: --out {out}: not a folder")
    return out


def _seconds(flag: str, text: str | None) -> float | None:
    """A time on the run's clock: 0 allowed (duration_flag wants > 0)."""
    if text is None:
        return None
    if text.strip() in ("0", "0s", "0.0"):
        return 0.0
    value = duration_flag("survive", flag, text)
    assert value is not None and math.isfinite(value)
    return value
