"""The main job: run a scenario on a backend and write what happened — summary.json,
timeline.csv, plots — and print a summary table. Backends are loaded lazily: the sim needs
only SimPy, the kube backend needs real clusters."""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, cast

from federation.metrics import Recorder, Row
from federation.report import passed, summarize
from federation.scenario import Scenario

BACKENDS = ("sim", "kube")


class BackendRun(Protocol):
    recorder: Recorder
    events: int
    simulated_seconds: float
    wall_seconds: float


@dataclass
class Outcome:
    summary: dict[str, Any]
    rows: list[Row]
    out_dir: Path | None
    files: list[Path]


Progress = Callable[[float, float], None]


def run_backend(
    scenario: Scenario, backend: str, progress: Progress | None = None, **options: Any
) -> BackendRun:
    if backend == "sim":
        from sim.driver import run as sim_run

        return cast(BackendRun, sim_run(scenario, progress=progress))
    if backend == "kube":
        from federation.kube.driver import run as kube_run

        return cast(BackendRun, kube_run(scenario, progress=progress, **options))
    raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def execute(
    scenario: Scenario,
    backend: str = "sim",
    *,
    seed: int | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    plots: bool = True,
    **options: Any,
) -> Outcome:
    """Run `scenario` and write its artefacts into `out_dir` (when given)."""
    if seed is not None:
        scenario = replace(scenario, seed=seed)
    started = time.perf_counter()
    run = run_backend(scenario, backend, progress, **options)
    wall = getattr(run, "wall_seconds", None) or time.perf_counter() - started
    rows = sorted(run.recorder.rows, key=lambda r: r.t)
    summary = summarize(
        scenario,
        rows,
        backend=backend,
        wall_seconds=wall,
        events=run.events,
        simulated_seconds=run.simulated_seconds,
    )
    files: list[Path] = []
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        files.extend(write_artefacts(scenario, run.recorder, summary, out_dir, plots=plots))
    return Outcome(summary, rows, out_dir, files)


def write_artefacts(
    scenario: Scenario,
    recorder: Recorder,
    summary: Mapping[str, Any],
    out_dir: Path,
    *,
    plots: bool = True,
) -> list[Path]:
    files = []
    p = out_dir / "summary.json"
    p.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    files.append(p)
    p = out_dir / "timeline.csv"
    recorder.write_csv(p)
    files.append(p)
    if plots:
        from federation.plots import plot_run

        files.extend(
            plot_run(
                recorder.rows,
                out_dir,
                title=f"{scenario.name} ({summary['backend']})",
                end=float(summary["simulated_seconds"]),
                clusters=[c.name for c in scenario.desired.clusters],
            )
        )
    return files


def exit_code(summary: Mapping[str, Any]) -> int:
    return 0 if passed(summary) else 1


def render_summary(summary: Mapping[str, Any], width: int = 110) -> str:
    """The summary table printed at the end of a run (plain text, stable for CI logs)."""
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(
        width=width, file=buf, force_terminal=False, force_jupyter=False, color_system=None
    )
    head = (
        f"{summary['scenario']} on {summary['backend']}, seed {summary['seed']}: "
        f"{summary['simulated_seconds']:g} s simulated in {summary['wall_seconds']:.2f} s "
        f"wall, {summary['events']} events"
    )
    console.print(head)
    t = Table(title="workloads", title_justify="left")
    for col in (
        "workload",
        "desired",
        "availability",
        "unavail. replica-s",
        "max unavail.",
        "time to available",
    ):
        t.add_column(col, justify="left" if col == "workload" else "right")
    items = list(summary["workloads"].items())
    for key, w in items[:20]:
        t.add_row(
            key,
            str(w["desired"]),
            f"{w['availability']:.4f}",
            f"{w['unavailable_replica_seconds']:g}",
            str(w["max_unavailable"]),
            "-" if w["time_to_available"] is None else f"{w['time_to_available']:g}",
        )
    if len(items) > 20:
        avail = sum(w["availability"] for _, w in items) / len(items)
        t.add_row(
            f"... and {len(items) - 20} more (mean availability {avail:.4f})", "", "", "", "", ""
        )
    console.print(t)
    if summary["failovers"]:
        f = Table(title="failovers", title_justify="left")
        for col in ("cluster", "fault", "fault at", "detected", "evicted", "recovered"):
            f.add_column(col)
        for x in summary["failovers"][:30]:

            def rel(k: str, x: Mapping[str, Any] = x) -> str:
                v = x[k]
                return "-" if v is None else f"{v:g} (+{v - x['fault_at']:.1f})"

            f.add_row(
                x["cluster"],
                str(x["fault"]),
                f"{x['fault_at']:g}",
                rel("detected_at"),
                rel("evicted_at"),
                rel("recovered_at"),
            )
        console.print(f)
    if summary["expectations"]:
        e = Table(title="expectations", title_justify="left")
        for col in ("expectation", "value", "result"):
            e.add_column(col)
        for x in summary["expectations"]:
            e.add_row(
                x["description"],
                "-" if x["value"] is None else f"{x['value']}",
                "PASS" if x["passed"] else "FAIL",
            )
        console.print(e)
    return buf.getvalue()


class ProgressBar:
    """A progress bar on stderr (rich) for long runs; silent when stderr is not a terminal
    unless forced, so CI logs stay short."""

    def __init__(self, label: str, total: float, enabled: bool | None = None) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._p = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
            TimeElapsedColumn(),
            disable=not self.enabled,
            transient=False,
        )
        self._task = self._p.add_task(label, total=total)

    def __enter__(self) -> ProgressBar:
        self._p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.__exit__(None, None, None)

    def __call__(self, t: float, total: float) -> None:
        self._p.update(self._task, completed=min(t, total))
