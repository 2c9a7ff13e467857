"""The runner of a sweep: builds each grid point's scenario once (the same loading and validation
as `kfed run --set`), ships them to an engine, runs (point, seed) runs in batches, reports
progress, and keeps what finished when interrupted."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from federation.api.scenario import Scenario
from federation.api.settings import Setting
from federation.planning import grid
from federation.planning.batches import Run, Variants, batch_size, split
from federation.planning.engines import Dask, InProcess, Pool

Progress = Callable[[int, int], None]  # (runs done, runs planned so far)
Engine = InProcess | Pool | Dask


class Runner:
    """Runs points of a sweep on an engine. `load(settings)` builds a scenario with extra
    `PATH=VALUE` settings; `interrupted` turns true after Ctrl-C (what finished is kept)."""

    def __init__(
        self,
        load: Callable[[Sequence[Setting]], Scenario],
        engine: Engine,
        progress: Progress | None = None,
    ) -> None:
        self.load = load
        self.engine = engine
        self.progress = progress
        self.interrupted = False
        self.done = 0
        self.planned = 0
        self.run_seconds: float | None = None  # one run's wall time, measured on the first
        self.warnings: tuple[str, ...] = ()
        self.expectations: list[str] = []
        self.name = ""  # the scenario's

    def variants(self, values: Mapping[int, Mapping[str, Any]]) -> Variants:
        """Every point's scenario, loaded and validated here, once (LoadError on bad input)."""
        scenarios = {}
        for p, point in values.items():
            sc = self.load(grid.settings(point))
            scenarios[p] = sc
            if not self.name:
                self.name = sc.name
                self.expectations = [e.description for e in sc.expectations]
                self.warnings = sc.warnings
        return Variants(scenarios, {p: dict(v) for p, v in values.items()})

    def evaluate(self, variants: Variants, runs: Sequence[Run]) -> list[dict[str, Any]]:
        """Make `runs`; their rows in completion order (fewer when interrupted)."""
        rows: list[dict[str, Any]] = []
        self.planned += len(runs)
        todo = list(runs)
        if self.interrupted or not todo:
            return rows
        try:
            if self.run_seconds is None:
                # the first two runs here time a run (the first pays for cold caches), so
                # batches last about TASK_SECONDS; their rows are kept like any other
                times = []
                for p, seed in todo[:2]:
                    t0 = time.perf_counter()
                    rows.append(variants.run(p, seed))
                    times.append(time.perf_counter() - t0)
                    self._tick(1)
                del todo[:2]
                self.run_seconds = min(times)
            if todo:
                self.engine.ship(variants)
                size = batch_size(self.run_seconds, len(todo), self.engine.workers)
                for batch in self.engine.run(split(todo, size)):
                    rows.extend(batch)
                    self._tick(len(batch))
        except KeyboardInterrupt:
            self.interrupted = True
        return rows

    def _tick(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.planned)

    def close(self) -> None:
        self.engine.close()
