"""Batches of runs: the unit of work shipped to a worker. A batch names the variants (one
scenario per grid point, shipped to the workers once) and the (point, seed) runs to make, so a
worker builds nothing from YAML and a task lasts long enough (about `TASK_SECONDS`) for its
overhead not to matter."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.api.scenario import Scenario
from federation.planning.outcome import run_row

TASK_SECONDS = 0.5  # the least a task should last: Dask's overhead is 0.2-1 ms a task

Run = tuple[int, int]  # (point, seed)


Measure = Callable[[Scenario, int, int, Mapping[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class Variants:
    """The scenarios of a sweep's points, each point's swept values, and how a run is measured
    (a module-level function: `measure(scenario, seed, point, values, extra) -> row`, with
    `extra[point]`): one object, so Dask scatters it whole."""

    scenarios: Mapping[int, Scenario]
    values: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    measure: Measure = run_row
    extra: Mapping[int, Any] = field(default_factory=dict)

    def run(self, point: int, seed: int) -> dict[str, Any]:
        return self.measure(
            self.scenarios[point], seed, point, self.values.get(point, {}), self.extra.get(point)
        )


def run_batch(variants: Variants, runs: Sequence[Run]) -> list[dict[str, Any]]:
    """Make the runs of one batch, in order; each row says its point and seed."""
    return [variants.run(p, seed) for p, seed in runs]


def batch_size(run_seconds: float, runs: int, workers: int) -> int:
    """Runs per task: enough for a task to last `TASK_SECONDS`, but no more than an even share
    per worker (a small sweep still uses every worker)."""
    size = max(1, math.ceil(TASK_SECONDS / max(run_seconds, 1e-6)))
    return max(1, min(size, math.ceil(runs / max(1, workers))))


def split(runs: Sequence[Run], size: int) -> list[list[Run]]:
    return [list(runs[i : i + size]) for i in range(0, len(runs), size)]
