"""`kfed explain RUN_DIR` (alias `kfed events`): what happened in a finished run, narrated as
`kubectl events` would (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; repeats collapsed)."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from federation.cli.common import EXIT_OK, UsageError, add_output, dump, fail


def add_explain(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        aliases=["events"],
        help="narrate a finished run as events (probes, health, evictions, schedules...)",
        description="Read RUN_DIR/timeline.csv (and summary.json when present), written by "
        "`kfed run`, and print what happened as `kubectl events` would: faults, probe "
        "failures, health transitions, evictions, schedules, failbacks, Pending replicas, "
        "availability, and each expectation's verdict. Identical repeats are collapsed "
        '("x3 over 20s"). Times are seconds into the run.',
    )
    p.add_argument("dir", metavar="RUN_DIR")
    p.add_argument("--since", metavar="T", help="only events at or after T (90, 90s, 1m30s)")
    p.add_argument("--until", metavar="T", help="only events at or before T")
    p.add_argument(
        "--workload", metavar="W", help="only events of workload W (Kind/ns/name, ns/name, name)"
    )
    p.add_argument(
        "--cluster", metavar="C", help="only events on cluster C (and schedules placing there)"
    )
    p.add_argument(
        "--type", choices=("Normal", "Warning"), type=str.capitalize, help="only this type"
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="include objects without replicas (Namespace, ConfigMap, Service...)",
    )
    p.add_argument(
        "--at",
        metavar="T",
        help="with --workload: why each replica of W is where it is at T (a sim run is "
        "replayed to T and the core explains its decision; a real run, from its timeline)",
    )
    add_output(p, what="a table; wide: SOURCE, FIRST SEEN and COUNT too")
    p.set_defaults(func=run_explain)


def _time(flag: str, text: str | None) -> float | None:
    """Seconds into the run: a number, or a duration such as 90s or 1m30s."""
    if text is None:
        return None
    from federation.api.duration import DurationError, parse_duration

    try:
        t = float(text)
    except ValueError:
        try:
            t = parse_duration(text)
        except DurationError:
            raise UsageError(
                f"kfed explain: {flag}: not a time: {text!r} (seconds into the run, or 90s, 1m30s)"
            ) from None
    if not math.isfinite(t) or t < 0:
        raise UsageError(f"kfed explain: {flag} must be >= 0, got {text}")
    return t


def _seconds(t: float) -> str:
    return f"{t:.1f}s" if t < 10 else f"{t:.0f}s"


def table(events: Sequence[Any], wide: bool = False) -> str:
    """The events as `kubectl events` prints them (the last column is never padded)."""
    head = ["LAST SEEN", "TYPE", "REASON", "OBJECT"]
    head += ["SOURCE", "MESSAGE", "FIRST SEEN", "COUNT"] if wide else ["MESSAGE"]
    lines = []
    for e in events:
        seen = f"{e.last_seen:.1f}s"
        if e.count > 1 and not wide:
            seen += f" (x{e.count} over {_seconds(e.last_seen - e.t)})"
        row = [seen, e.type, e.reason, e.object]
        row += [e.source, e.message, f"{e.t:.1f}s", str(e.count)] if wide else [e.message]
        lines.append(row)
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]
    return "".join(
        "   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n"
        for r in [head, *lines]
    )


def _load(d: Path) -> tuple[list[Any], dict[str, Any] | None]:
    import json

    from federation.recorder import read_csv

    if not d.is_dir():
        raise UsageError(f"kfed explain: {d}: no such run directory")
    timeline = d / "timeline.csv"
    if not timeline.is_file():
        raise UsageError(
            f"kfed explain: {d}: no timeline.csv here (a run directory is written by `kfed run`)"
        )
    try:
        rows = read_csv(timeline)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UsageError(f"kfed explain: {timeline}: not a kfed timeline: {e}") from None
    summary = None
    if (d / "summary.json").is_file():
        try:
            summary = json.loads((d / "summary.json").read_text())
        except (OSError, ValueError) as e:
            raise UsageError(f"kfed explain: {d / 'summary.json'}: {e}") from None
        if not isinstance(summary, dict):
            raise UsageError(f"kfed explain: {d / 'summary.json'}: not a kfed summary")
    return rows, summary


def run_explain(args: argparse.Namespace) -> int:
    from federation.report.events import collapse, matching, narrate
    from federation.report.panels import resolve

    since, until = _time("--since", args.since), _time("--until", args.until)
    rows, summary = _load(Path(args.dir))
    with_replicas = {r.workload for r in rows if r.kind in ("desired", "ready")}
    without = {r.workload for r in rows if r.workload} - with_replicas
    workload = None
    if args.workload:  # a short name means a workload with replicas first, as in scenarios
        try:
            try:
                workload = resolve(args.workload, sorted(with_replicas))
            except ValueError as e:
                if "ambiguous" in str(e):
                    raise
                workload = resolve(args.workload, sorted(with_replicas | without))
        except ValueError as e:
            return fail([f"kfed explain: --workload: {e}"])
    clusters = sorted({r.cluster for r in rows if r.cluster})
    if args.cluster and args.cluster not in clusters:
        known = ", ".join(clusters) or "none"
        return fail([f"kfed explain: --cluster: unknown cluster {args.cluster!r} (known: {known})"])
    if args.at is not None:
        at = _time("--at", args.at)
        assert at is not None
        if workload is None:
            return fail(["kfed explain: --at needs --workload"])
        return _why_at(rows, summary, workload, at, args.output)
    hide = set() if args.all or workload else without
    everything = narrate(rows, summary)

    def pick(hide: set[str]) -> list[Any]:
        return matching(
            everything,
            since=since,
            until=until,
            workload=workload,
            cluster=args.cluster,
            type=args.type,
            hide=hide,
        )

    shown = pick(hide)
    events = collapse(shown)
    if args.output in ("json", "yaml"):
        print(dump([e.record() for e in events], args.output, sort_keys=False), end="")
        return EXIT_OK
    if not events:
        print("No events found.", file=sys.stderr)
    else:
        print(table(events, wide=args.output == "wide"), end="")
    hidden = len(pick(set())) - len(shown)
    if hidden:
        print(
            f"({hidden} events of objects without replicas not shown: --all shows them)",
            file=sys.stderr,
        )
    return EXIT_OK


def _why_at(
    rows: list[Any], summary: dict[str, Any] | None, key: str, at: float, output: str | None
) -> int:
    """Why each replica of `key` is where it is at `at` (see federation.report.why)."""
    from dataclasses import replace

    from federation.report.why import as_dict, from_timeline, render

    end = float((summary or {}).get("simulated_seconds") or max((r.t for r in rows), default=0))
    if at > end:
        return fail([f"kfed explain: --at {at:g}s is after the run's end ({end:g}s)"])
    source = (summary or {}).get("source")
    if (summary or {}).get("backend") != "sim" or not source or not Path(source).is_file():
        if output in ("json", "yaml"):
            return fail(["kfed explain: --at with -o json|yaml needs a sim run to replay"])
        print(from_timeline(rows, key, at), end="")
        return EXIT_OK
    from federation.api import LoadError, load_scenario
    from federation.core.explain import explain
    from federation.runner import replay

    try:
        scenario = load_scenario(source, allow_outside=True)
    except LoadError as e:
        return fail([f"kfed explain: cannot replay {source}: {e.errors[0]}"])
    assert summary is not None
    scenario = replace(scenario, seed=int(summary.get("seed", scenario.seed)))
    if key not in scenario.desired.workloads:
        return fail([f"kfed explain: {key} is not in {source} any more"])
    run = replay(scenario, at)
    loop = run.loop
    why = explain(
        loop.desired,
        loop.view.observation(()),
        loop.state,
        at,
        key,
        thresholds=loop.thresholds,
        rescheduling=loop.rescheduling,
    )
    if output in ("json", "yaml"):
        print(dump(as_dict(why), output, sort_keys=False), end="")
    else:
        print(render(why), end="")
    return EXIT_OK
