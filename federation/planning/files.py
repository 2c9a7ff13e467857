"""The files of a sweep or a survivability run: runs.parquet and runs.csv (one row per run),
points.csv (sweep) or sets.csv and matrix.csv (survive), result.json, and the plots. A new run
into the same folder removes the files of ours an earlier one left there and this one did not
write (a heat map from an earlier two-parameter sweep); nothing else is touched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OURS = (
    "runs.parquet",
    "runs.csv",
    "points.csv",
    "sets.csv",
    "matrix.csv",
    "result.json",
    "pass_rate.png",
    "heatmap.png",
    "cost.png",
    "survive.png",
)


def _tables(out: Path, runs: Any, tables: dict[str, Any]) -> list[Path]:
    files = []
    p = out / "runs.parquet"
    runs.to_parquet(p, index=False)
    files.append(p)
    for name, df in {"runs.csv": runs, **tables}.items():
        p = out / name
        df.to_csv(p, index=False, lineterminator="\n")
        files.append(p)
    return files


def _finish(out: Path, files: list[Path], doc: dict[str, Any]) -> list[Path]:
    p = out / "result.json"
    p.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")
    files.append(p)
    written = {f.name for f in files}
    for name in OURS:
        if name not in written and (out / name).is_file():
            (out / name).unlink()
    return files


def write_sweep(result: Any, out: Path, plots: bool = True) -> list[Path]:
    """Write a `SweepResult` into `out`; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    files = _tables(out, result.runs, {"points.csv": result.points})
    if plots and len(result.points):
        from federation.planning import plots as draw

        title = f"{result.scenario}: {len(result.runs)} runs, seeds 1..{result.seeds}"
        numeric = [a.path for a in result.axes if len(a.values) > 1] or result.paths
        files.append(draw.pass_rate(result.points, numeric, result.target, title, out))
        if len([a for a in result.axes if len(a.values) > 1]) == 2:
            two = [a.path for a in result.axes if len(a.values) > 1]
            files.append(draw.heatmap(result.points, two, title, out))
        files.append(draw.cost(result.points, result.target, result.cheapest(), title, out))
    return _finish(out, files, result.as_dict())


def write_survive(result: Any, out: Path, plots: bool = True) -> list[Path]:
    """Write a `SurviveResult` into `out`; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    files = _tables(out, result.runs, {"sets.csv": result.sets, "matrix.csv": result.matrix})
    if plots and len(result.sets):
        from federation.planning import plots as draw

        title = (
            f"{result.scenario}: N-{result.k} by {result.domain}, outage at {result.at:g} s"
            f", seeds 1..{result.seeds}"
        )
        files.append(draw.survive(result.sets, result.matrix, title, out))
    return _finish(out, files, result.as_dict())
