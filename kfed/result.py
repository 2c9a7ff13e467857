"""`kfed.run` and its `Result`: one run of a scenario, its summary (summary.json as a dict) and
its timeline as a long pandas DataFrame."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from federation.recorder import Row
from kfed.scenario import Scenario, load

TIMELINE_COLUMNS = ("row", "t", "kind", "cluster", "workload", "field", "value")
TRAFFIC_FIGURES = (
    "requests",
    "failed",
    "success_rate",
    "latency_p50_ms",
    "latency_p99_ms",
    "egress_gb",
    "egress_cost",
)


@dataclass(frozen=True)
class Result:
    """One run. `summary` is summary.json as a dict (docs/semantics.md defines every figure)."""

    scenario: Scenario
    summary: dict[str, Any]
    rows: tuple[Row, ...]
    backend: str = "sim"

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return all(e["passed"] for e in self.summary.get("expectations", ()))

    @property
    def timeline(self) -> Any:
        """The timeline as a long DataFrame, one line per field of each recorded row: `row`
        (the recorded row's number, in time order), `t` (seconds), `kind`, `cluster`,
        `workload`, `field`, `value`. A field holding a per-cluster mapping (a `schedule`
        row's `assignment` and `desired`) becomes one line per cluster, named in `cluster`."""
        import pandas as pd

        out: list[tuple[Any, ...]] = []
        for i, r in enumerate(self.rows):
            if not r.fields:
                out.append((i, r.t, r.kind, r.cluster, r.workload, "", None))
            for name, value in sorted(r.fields.items()):
                if isinstance(value, dict) and not r.cluster:
                    for c, v in sorted(value.items()):
                        out.append((i, r.t, r.kind, c, r.workload, name, v))
                else:
                    out.append((i, r.t, r.kind, r.cluster, r.workload, name, value))
        return pd.DataFrame(out, columns=list(TIMELINE_COLUMNS))

    def traffic(self, start: float = 0.0, end: float | None = None) -> Any:
        """The traffic figures of summary.json (`traffic.services`) over [start, end] seconds
        (default: the whole run), as a DataFrame with one line per service and client region
        and one `all` line per service: `service`, `region`, `requests`, `failed`,
        `success_rate`, `latency_p50_ms`, `latency_p99_ms`, `egress_gb`, `egress_cost`
        (docs/semantics.md "Traffic"). Empty without traffic."""
        import pandas as pd

        from federation.report.traffic_summary import TrafficView, window

        stop = self.end if end is None else float(end)
        if not 0.0 <= start <= stop:
            raise ValueError(f"expected 0 <= start <= end, got start={start}, end={stop}")
        view = TrafficView.of(self.rows, self.scenario.record)
        rows = []
        for key, figs in window(view, float(start), stop).items():
            for region, f in [*figs["regions"].items(), ("all", figs["all"])]:
                rows.append({"service": key, "region": region, **f})
        cols = ["service", "region", *TRAFFIC_FIGURES]
        return pd.DataFrame(rows, columns=cols)

    @property
    def end(self) -> float:
        """The simulated (or run) seconds: where the timeline ends."""
        return float(self.summary.get("simulated_seconds", self.scenario.duration))

    def table(self, wide: bool = False) -> str:
        """The summary table `kfed run` prints."""
        from federation.report.table import ready_at_end, render_summary

        if not wide:
            return render_summary(self.summary)
        ready = ready_at_end(self.rows, self.scenario.clusters)
        return render_summary(self.summary, wide=True, ready=ready)

    def write(self, out: str | os.PathLike[str], plots: bool = True) -> list[Path]:
        """Write summary.json, timeline.csv and (with `plots`) the PNG plots into `out`."""
        from federation.recorder import Recorder
        from federation.runner import write_artefacts

        recorder = Recorder()
        recorder.rows = list(self.rows)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        return write_artefacts(self.scenario.record, recorder, self.summary, folder, plots=plots)


def run(
    scenario: Scenario | str | os.PathLike[str],
    *,
    seed: int | None = None,
    duration: float | None = None,
    backend: str = "sim",
    out: str | os.PathLike[str] | None = None,
    plots: bool = True,
    **options: Any,
) -> Result:
    """Run a scenario (a `kfed.Scenario` or a path) once: on the sim by default, `backend="kube"`
    on real clusters. `seed` and `duration` override the scenario's; `out` writes the run's
    files there (as `kfed run --out`)."""
    from dataclasses import replace

    from federation.runner import execute

    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    record = sc.record if duration is None else replace(sc.record, duration=float(duration))
    outcome = execute(
        record,
        backend,
        seed=seed,
        out_dir=None if out is None else Path(out),
        plots=plots,
        **options,
    )
    return Result(sc, outcome.summary, tuple(outcome.rows), backend)
