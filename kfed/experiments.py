"""`kfed.sweep` and `kfed.survive`: many seeded runs of a scenario, in worker processes (or on
Dask), summarised as pandas DataFrames."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from federation.api.errors import LoadError
from federation.api.settings import SettingError
from federation.planning import grid
from federation.planning.engines import engine
from federation.planning.survival import SurviveResult
from federation.planning.sweep import SweepResult
from kfed.scenario import Scenario, load

Progress = Callable[[int, int], None]


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    grid_: Mapping[str, Any] | Sequence[str],
    *,
    seeds: int = 5,
    workers: int | None = None,
    dask: str | None = None,
    find: str | None = None,
    target: float = 0.95,
    progress: Progress | None = None,
    out: str | os.PathLike[str] | None = None,
    plots: bool = True,
) -> SweepResult:
    """Run every point of the grid for seeds 1..`seeds`.

    `grid_`: PATH -> values (a list, one value, or a range text "START..STOP:STEP"), or
    `--set` texts ("PATH=V1,V2", "PATH=START..STOP:STEP"). `workers`: processes on this
    machine (default: one per CPU; 1 runs here); `dask`: "local" or "tcp://HOST:PORT". `find`:
    search that path for the smallest value whose pass rate is at least `target`. `progress`
    is called with (runs done, runs planned). Every point is validated before anything runs
    (`kfed.LoadError`). With `out`, the files of `kfed sweep` are written there."""
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    try:
        axes = grid.from_mapping(grid_) if isinstance(grid_, Mapping) else grid.axes(grid_)
    except SettingError as e:
        raise LoadError([str(e)]) from None
    from federation.planning.sweep import sweep as run_sweep

    try:
        result = run_sweep(
            lambda settings: sc.load_with(tuple(settings)),
            axes,
            seeds,
            engine(workers, dask),
            progress=progress,
            find=find,
            target=target,
        )
    except SettingError as e:
        raise LoadError([str(e)]) from None
    if out is not None:
        result.write(Path(out), plots=plots)
    return result


def survive(
    scenario: Scenario | str | os.PathLike[str],
    *,
    domain: str = "cluster",
    k: int = 1,
    at: float | None = None,
    duration: float | None = None,
    seeds: int = 5,
    headroom: bool = False,
    workers: int | None = None,
    dask: str | None = None,
    progress: Progress | None = None,
    out: str | os.PathLike[str] | None = None,
    plots: bool = True,
) -> SurviveResult:
    """N-k survivability: every set of `k` failure domains (`cluster`, `zone` or `region`)
    goes down at `at` for `duration` seconds (defaults: the scenario's first disruptive fault),
    in place of the scenario's own faults (`duration=math.inf`: to the end of the run), for
    seeds 1..`seeds`. With `headroom`, also the
    smallest uniform capacity factor with which every set passes, and its cost per hour."""
    from federation.planning.survival import survive as run_survive

    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    result = run_survive(
        sc.record,
        engine(workers, dask),
        domain=domain,
        k=k,
        at=at,
        duration=duration,
        seeds=seeds,
        headroom=headroom,
        progress=progress,
    )
    if out is not None:
        result.write(Path(out), plots=plots)
    return result
