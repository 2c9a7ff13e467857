"""The main job: run a scenario on a backend and write what happened — summary.json,
timeline.csv, plots — and print a summary table. Backends are loaded lazily: the sim needs
only SimPy, the kube backend needs real clusters."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, cast

from federation.api.scenario import Scenario
from federation.recorder import Recorder, Row
from federation.report.summary import passed, summarize

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

        return cast(
            BackendRun, sim_run(scenario, progress=progress, metrics=options.get("metrics", False))
        )
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


# every file name a run has ever written; with the manifest, what a new run into the same
# folder removes when it does not write it again (nothing else in the folder is touched)
ARTEFACTS = ("summary.json", "timeline.csv", "replicas.png", "availability.png", "traffic.png")
MANIFEST = ".kfed-artefacts"  # the names the last run wrote, one a line


def write_artefacts(
    scenario: Scenario,
    recorder: Recorder,
    summary: Mapping[str, Any],
    out_dir: Path,
    *,
    plots: bool = True,
) -> list[Path]:
    """Write the run's files into `out_dir` and remove the ones an earlier run left there that
    this run did not write (a plot from before a `--no-plots` run): only kfed's own names."""
    files = _write(scenario, recorder, summary, out_dir, plots)
    written = {f.name for f in files}
    manifest = out_dir / MANIFEST
    try:
        before = set(manifest.read_text().split())
    except OSError:
        before = set()
    for name in sorted((before | set(ARTEFACTS)) - written):
        stale = out_dir / name
        if Path(name).name == name not in (".", "..", MANIFEST) and stale.is_file():
            stale.unlink()
    manifest.write_text("".join(f"{name}\n" for name in sorted(written)))
    return files


def _write(
    scenario: Scenario,
    recorder: Recorder,
    summary: Mapping[str, Any],
    out_dir: Path,
    plots: bool,
) -> list[Path]:
    files = []
    p = out_dir / "summary.json"
    p.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    files.append(p)
    p = out_dir / "timeline.csv"
    recorder.write_csv(p)
    files.append(p)
    if plots:
        from federation.report.plots import plot_run

        files.extend(
            plot_run(
                recorder.rows,
                out_dir,
                title=f"{scenario.name} ({summary['backend']})",
                end=float(summary["simulated_seconds"]),
                clusters=[c.name for c in scenario.desired.clusters],
                summary=summary,
                regions={c.name: c.region for c in scenario.desired.clusters if c.region},
            )
        )
    return files


def exit_code(summary: Mapping[str, Any]) -> int:
    return 0 if passed(summary) else 1


def replay(scenario: Scenario, until: float) -> Any:
    """Run `scenario` on the sim up to `until` seconds and return the run (its control loop's
    state, desired documents and observation are as they were at that time): a sim run is
    deterministic for its scenario and seed, so this is the recorded run, stopped there."""
    from sim.driver import run as sim_run

    return sim_run(replace(scenario, duration=max(until, 1e-6)))
