"""Sim vs real: run one scenario on the sim and on real local clusters, and compare what the
two timelines say, metric by metric (`kfed compare`; metrics in `federation.report.fidelity`).

Before the sim runs, a calibration profile (`CALIBRATIONS`, measured on kwok members, see
docs/calibration.md) replaces the scenario's sim latencies with the real clusters' figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from federation.api.scenario import PROFILES, Scenario
from federation.recorder import Row
from federation.report.fidelity import TARGET, Metric, faults, metrics, rounded
from federation.report.steps import cluster_ready

# What the kube backend's members are like, for the sim (docs/calibration.md): the measured
# kwok profile, also what a scenario of kwok clusters gets by default.
CALIBRATIONS: dict[str, Mapping[str, Any]] = {
    "kwok": PROFILES["kwok"],
    "none": {},  # the scenario's own sim settings
}


def calibrated(scenario: Scenario, profile: str) -> Scenario:
    """`scenario` with the sim settings of calibration `profile` (per-cluster links dropped)."""
    if profile not in CALIBRATIONS:
        raise ValueError(f"unknown calibration {profile!r}; choose one of {sorted(CALIBRATIONS)}")
    values = CALIBRATIONS[profile]
    if not values:
        return scenario
    sim = replace(scenario.sim, links={}, **values)
    return replace(scenario, sim=sim)


@dataclass
class Comparison:
    scenario: str
    duration: float
    calibration: str
    metrics: list[Metric]
    sim_summary: dict[str, Any]
    real_summary: dict[str, Any]
    files: list[Path] = field(default_factory=list)

    @property
    def max_error(self) -> float | None:
        """The worst error; None when a metric exists on one side only."""
        errors = [m.error for m in self.metrics]
        if any(e is None for e in errors):
            return None
        return max((e for e in errors if e is not None), default=0.0)

    @property
    def within(self) -> bool:
        return all(m.within for m in self.metrics)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "duration": self.duration,
            "calibration": self.calibration,
            "target": TARGET,
            "max_error": rounded(self.max_error, 4),
            "within": self.within,
            "metrics": [m.as_dict() for m in self.metrics],
            "sim": _brief(self.sim_summary),
            "real": _brief(self.real_summary),
        }


def _brief(summary: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("backend", "simulated_seconds", "wall_seconds", "events", "failovers", "evictions")
    return {k: summary.get(k) for k in keys}


def compare(
    scenario: Scenario,
    *,
    duration: float | None = None,
    out_dir: Path | None = None,
    calibration: str = "kwok",
    workdir: Path | None = None,
    real: Callable[[Scenario], tuple[list[Row], dict[str, Any]]] | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> Comparison:
    """Run `scenario` (cut to `duration` seconds) on the sim and on real clusters and compare.

    `real` replaces the real run (tests, or a timeline recorded earlier): it gets the cut
    scenario and returns its rows and summary."""
    from federation.runner import execute

    if duration is not None:
        scenario = replace(scenario, duration=duration)
    end = scenario.duration
    sim_scenario = calibrated(scenario, calibration)
    sim_out = execute(
        sim_scenario, "sim", out_dir=out_dir / "sim" if out_dir else None, plots=out_dir is not None
    )
    if real is None:
        real_out = execute(
            scenario,
            "kube",
            out_dir=out_dir / "kube" if out_dir else None,
            plots=out_dir is not None,
            progress=progress,
            workdir=workdir,
        )
        real_rows, real_summary = real_out.rows, real_out.summary
    else:
        real_rows, real_summary = real(scenario)
    result = Comparison(
        scenario.name,
        end,
        calibration,
        metrics(scenario, sim_out.rows, real_rows, end),
        sim_out.summary,
        real_summary,
    )
    if out_dir is not None:
        import json

        out_dir.mkdir(parents=True, exist_ok=True)
        p = out_dir / "compare.json"
        p.write_text(json.dumps(result.as_dict(), indent=2) + "\n")
        result.files.append(p)
        result.files.append(
            overlay_plot(scenario, sim_out.rows, real_rows, end, out_dir / "overlay.png")
        )
    return result


# ---------------------------------------------------------------- output


def overlay_plot(
    scenario: Scenario, sim_rows: Sequence[Row], real_rows: Sequence[Row], end: float, path: Path
) -> Path:
    """One PNG: ready replicas per cluster over time, sim (dashed) over real (solid), with the
    faults' spans shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    clusters = [c.name for c in scenario.desired.clusters]
    sim_ready = cluster_ready(sim_rows, clusters)
    real_ready = cluster_ready(real_rows, clusters)
    fig, axes = plt.subplots(
        len(clusters), 1, figsize=(10, 1.9 * len(clusters) + 1), sharex=True, squeeze=False
    )
    spans = faults(sorted(real_rows, key=lambda r: r.t))
    for ax, c in zip(axes[:, 0], clusters, strict=True):
        for steps, style, label in (
            (real_ready[c], {"color": "#1e88e5", "lw": 2.2}, "real (kwok)"),
            (sim_ready[c], {"color": "#e53935", "lw": 1.4, "ls": "--"}, "sim"),
        ):
            xs = [t for t, _ in steps] + [end]
            ys = [v for _, v in steps] + [steps[-1][1]]
            ax.step(xs, ys, where="post", label=label, **style)
        for f in spans:
            if f.cluster in ("", c):
                ax.axvspan(
                    f.start, f.end if f.end is not None else end, color="#bdbdbd", alpha=0.35, lw=0
                )
        ax.set_ylabel(f"{c}\nready")
        ax.set_xlim(0, end)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", fontsize=8)
    axes[0, 0].set_title(
        f"{scenario.name}: ready replicas per cluster, sim vs real (shaded: faults)"
    )
    axes[-1, 0].set_xlabel("seconds since start")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def render(result: Comparison, width: int = 110) -> str:
    """The side-by-side table `kfed compare` prints."""
    import io

    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(width=width, file=buf, force_terminal=False, color_system=None)
    me = result.max_error
    console.print(
        f"{result.scenario}: sim ({result.calibration} calibration) vs real, "
        f"{result.duration:g} s; worst error "
        + ("n/a (a metric on one side only)" if me is None else f"{me:.3f}")
        + f" (target <= {TARGET:g}): {'WITHIN' if result.within else 'OUTSIDE'}"
    )
    t = Table(title="metrics", title_justify="left")
    for col in ("metric", "unit", "sim", "real", "sim - real", "error", ""):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for m in result.metrics:
        e = m.error
        t.add_row(
            m.name,
            m.unit,
            _fmt(m.sim),
            _fmt(m.real),
            _fmt(m.diff),
            "miss" if e is None else f"{e:.3f}",
            "ok" if m.within else "OUT",
        )
    console.print(t)
    return buf.getvalue()


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"
