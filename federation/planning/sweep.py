"""A sweep: every point of a grid of `PATH=VALUE` settings, each run for seeds 1..N, collected
into runs (one row per run) and points (one row per grid point); or, with `find`, a search for
the smallest value of one parameter that meets a target pass rate (`federation.planning.search`).
Rows are sorted by point and seed, so the result is the same whatever ran them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from federation.api.scenario import Scenario
from federation.api.settings import Setting, SettingError
from federation.planning import grid
from federation.planning.grid import Axis
from federation.planning.points import aggregate
from federation.planning.runner import Engine, Progress, Runner
from federation.planning.search import Found, Search, run_searches


@dataclass
class SweepResult:
    """What a sweep found: `runs` and `points` are pandas DataFrames (columns in docs/api.md)."""

    scenario: str
    axes: list[Axis]
    seeds: int
    runs: Any
    points: Any
    expectations: list[str] = field(default_factory=list)  # expect.<n> -> its description
    found: list[Found] = field(default_factory=list)
    target: float = 0.95
    interrupted: bool = False
    engine: str = ""
    workers: int = 1
    warnings: tuple[str, ...] = ()

    @property
    def paths(self) -> list[str]:
        return [a.path for a in self.axes]

    def cheapest(self) -> Mapping[str, Any] | None:
        """The cheapest point whose pass rate meets the target (None when none does)."""
        ok = self.points[self.points["pass_rate"] >= self.target]
        if ok.empty:
            return None
        best = ok.sort_values(["cost_per_hour", "point"]).head(1).to_dict("records")[0]
        return {k: plain(v) for k, v in best.items()}

    def write(self, out: Path, plots: bool = True) -> list[Path]:
        from federation.planning.files import write_sweep

        return write_sweep(self, out, plots=plots)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "axes": [{"path": a.path, "values": list(a.values)} for a in self.axes],
            "seeds": self.seeds,
            "runs": len(self.runs),
            "target": self.target,
            "interrupted": self.interrupted,
            "engine": self.engine,
            "workers": self.workers,
            "expectations": {f"expect.{i}": d for i, d in enumerate(self.expectations)},
            "points": [{k: plain(v) for k, v in r.items()} for r in self.points.to_dict("records")],
            "cheapest": self.cheapest(),
            "find": [f.as_dict() for f in self.found],
        }


def plain(v: Any) -> Any:
    """A pandas/numpy scalar as plain JSON-able Python (NaN and inf as None)."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    return v


def frame(rows: Sequence[Mapping[str, Any]]) -> Any:
    """runs as a DataFrame: sorted by point and seed, columns in a stable order."""
    import pandas as pd

    ordered = sorted(rows, key=lambda r: (r["point"], r["seed"]))
    columns: dict[str, None] = dict.fromkeys(("point", "seed", "passed")) if not rows else {}
    for r in ordered:
        columns.update(dict.fromkeys(r))
    return pd.DataFrame(ordered, columns=list(columns))


def sweep(
    load: Callable[[Sequence[Setting]], Scenario],
    axes: Sequence[Axis],
    seeds: int,
    engine: Engine,
    *,
    progress: Progress | None = None,
    find: str | None = None,
    target: float = 0.95,
) -> SweepResult:
    """Run the grid of `axes` for seeds 1..`seeds` on `engine` (closed at the end). `load`
    builds a point's scenario from its settings (raises `LoadError` on bad input: every point
    is built before anything runs). With `find`, search that axis instead of running it all."""
    if seeds < 1:
        raise SettingError(f"--seeds must be >= 1, got {seeds}")
    runner = Runner(load, engine, progress)
    values = grid.points(axes)
    try:
        if find is None:
            variants = runner.variants(dict(enumerate(values)))
            runs = [(p, s) for p in range(len(values)) for s in range(1, seeds + 1)]
            rows = runner.evaluate(variants, runs)
            found: list[Found] = []
        else:
            rows, found = _find(runner, axes, values, seeds, find, target)
    finally:
        runner.close()
    runs_df = frame(rows)
    paths = [a.path for a in axes]
    return SweepResult(
        scenario=runner.name,
        axes=list(axes),
        seeds=seeds,
        runs=runs_df,
        points=aggregate(runs_df, paths) if rows else _empty_points(paths),
        expectations=runner.expectations,
        found=found,
        target=target,
        interrupted=runner.interrupted,
        engine=engine.name,
        workers=engine.workers,
        warnings=runner.warnings,
    )


def _empty_points(paths: Sequence[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(columns=["point", *paths, "runs", "passed", "pass_rate"])


def _find(
    runner: Runner,
    axes: Sequence[Axis],
    values: Sequence[Mapping[str, Any]],
    seeds: int,
    path: str,
    target: float,
) -> tuple[list[dict[str, Any]], list[Found]]:
    found_axis = next((a for a in axes if a.path == path), None)
    if found_axis is None:
        swept = ", ".join(a.path for a in axes) or "none"
        raise SettingError(f"--find {path}: not a swept path (swept: {swept})")
    if not found_axis.numeric:
        raise SettingError(f"--find {path}: its values are not all numbers")
    order = [a.path for a in axes]
    index = {tuple(v[k] for k in order): i for i, v in enumerate(values)}
    others = [a for a in axes if a.path != path]
    searches = [
        Search(path, found_axis.values, target, dict(zip([a.path for a in others], c, strict=True)))
        for c in itertools.product(*(a.values for a in others))
    ]
    rows: list[dict[str, Any]] = []

    def sample(step: list[tuple[Search, Any]]) -> None:
        asked: dict[int, dict[Any, int]] = {}  # search -> value -> point
        wanted: dict[int, dict[str, Any]] = {}
        for s, v in step:
            point = {**s.found.others, path: v}
            p = index[tuple(point[k] for k in order)]
            asked.setdefault(id(s), {})[v] = p
            wanted[p] = {k: point[k] for k in order}
        variants = runner.variants(wanted)
        got = runner.evaluate(variants, [(p, k) for p in wanted for k in range(1, seeds + 1)])
        rows.extend(got)
        tally: dict[int, list[int]] = {}
        for r in got:
            t = tally.setdefault(r["point"], [0, 0])
            t[0] += bool(r["passed"])
            t[1] += 1
        for s in {id(s): s for s, _ in step}.values():
            s.record(
                {
                    v: (tally[p][0], tally[p][1])
                    for v, p in asked[id(s)].items()
                    if p in tally and tally[p][1] == seeds
                }
            )

    run_searches(searches, sample)
    return rows, [s.found for s in searches]
