"""Sim vs real: run one scenario on the sim and on real local clusters, and compare what the
two timelines say, metric by metric (`kfed compare`).

Metrics, each computed from a backend's own timeline with `federation.report` arithmetic:

* per disruptive fault (outage, api-hang, partition, flapping): seconds from the fault's start
  to the cluster being declared Offline (`detect`), to the first eviction (`evict`) and to the
  evicted replicas being Ready elsewhere (`failover`);
* per load surge: seconds from its start until the workload has the new count Ready (`scale`);
* per fault that ends inside the window: seconds from its end until every cluster's ready
  replicas stop changing (`settle`: failback, stale copies removed, a surge drained);
* per cluster: ready replicas (all workloads) over time, as replica-seconds; the error is the
  area between the two curves.

Error, on one scale for every metric: a time metric is off by `d = |sim - real|` seconds and
its error is `d / max(|real|, P / 0.1)`, P the probe period, so 0.1 means "10 % of the real
value or one probe period, whichever is larger"; a replica timeline's error is
`area / max(real replica-seconds, P / 0.1 * changes)`, `changes` the total of its real steps
(each step may be one probe period late). A metric is within target when its error <= 0.1.

Before the sim runs, a calibration profile (`CALIBRATIONS`, measured on kwok members, see
docs/calibration.md) replaces the scenario's sim latencies with the real clusters' figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from federation.metrics import Row
from federation.report import DISRUPTIVE, failovers, series
from federation.scenario import PROFILES, Scenario

TARGET = 0.1  # an error at or below this is "within 10 % or one probe period"

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


@dataclass(frozen=True)
class Metric:
    name: str  # e.g. "m2 outage@60 failover"
    unit: str  # "s" or "replica-s"
    sim: float | None
    real: float | None
    scale: float  # the error's denominator (see the module docstring)

    @property
    def diff(self) -> float | None:
        if self.sim is None or self.real is None:
            return None
        return self.sim - self.real

    @property
    def error(self) -> float | None:
        """Normalised error (0.1 = at the target); None when one side has no value (a miss)."""
        if self.sim is None and self.real is None:
            return 0.0
        d = self.diff
        if d is None:
            return None
        return abs(d) / self.scale

    @property
    def within(self) -> bool:
        e = self.error
        return e is not None and e <= TARGET + 1e-9

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "sim": _round(self.sim),
            "real": _round(self.real),
            "diff": _round(self.diff),
            "error": _round(self.error, 4),
            "within": self.within,
        }


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


# ---------------------------------------------------------------- timelines


def cluster_ready(
    rows: Sequence[Row], clusters: Sequence[str]
) -> dict[str, list[tuple[float, int]]]:
    """Ready replicas per cluster (all workloads summed) as steps (t, value), from t=0."""
    per: dict[tuple[str, str], int] = {}
    totals = {c: 0 for c in clusters}
    steps: dict[str, list[tuple[float, int]]] = {c: [(0.0, 0)] for c in clusters}
    for r in sorted((r for r in rows if r.kind == "ready"), key=lambda r: r.t):
        if r.cluster not in totals:
            continue
        k = (r.cluster, r.workload)
        new = int(r.fields.get("ready", 0))
        totals[r.cluster] += new - per.get(k, 0)
        per[k] = new
        s = steps[r.cluster]
        if s[-1][0] == r.t:
            s[-1] = (r.t, totals[r.cluster])
        else:
            s.append((r.t, totals[r.cluster]))
    return steps


def value_at(steps: Sequence[tuple[float, int]], t: float) -> int:
    v = 0
    for ts, x in steps:
        if ts > t:
            break
        v = x
    return v


def area(steps: Sequence[tuple[float, int]], end: float) -> float:
    """Integral of a step function over [0, end]."""
    total = 0.0
    for i, (t, v) in enumerate(steps):
        if t >= end:
            break
        t1 = steps[i + 1][0] if i + 1 < len(steps) else end
        total += v * (min(t1, end) - t)
    return total


def area_between(
    a: Sequence[tuple[float, int]], b: Sequence[tuple[float, int]], end: float
) -> float:
    """Integral of |a - b| over [0, end]."""
    times = sorted({t for t, _ in a} | {t for t, _ in b} | {0.0})
    total = 0.0
    for i, t in enumerate(times):
        if t >= end:
            break
        t1 = times[i + 1] if i + 1 < len(times) else end
        total += abs(value_at(a, t) - value_at(b, t)) * (min(t1, end) - t)
    return total


def changes(steps: Sequence[tuple[float, int]], end: float) -> int:
    """Total size of the steps before `end`."""
    total, last = 0, 0
    for t, v in steps:
        if t > end:
            break
        total += abs(v - last)
        last = v
    return total


# ---------------------------------------------------------------- metrics


@dataclass(frozen=True)
class _Fault:
    kind: str
    cluster: str  # "" for a load surge
    workload: str
    start: float
    end: float | None
    replicas: int | None = None


def _faults(rows: Sequence[Row]) -> list[_Fault]:
    """Faults as this backend recorded them (its own start and end times), in start order."""
    open_: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    out: list[_Fault] = []
    for r in sorted((r for r in rows if r.kind == "fault"), key=lambda r: r.t):
        k = (str(r.fields.get("fault")), r.cluster, r.workload)
        phase = r.fields.get("phase")
        if phase == "start":
            open_[k].append(r)
        elif phase == "end" and open_[k]:
            s = open_[k].pop(0)
            out.append(_fault(s, r.t))
    out.extend(_fault(s, None) for rs in open_.values() for s in rs)
    return sorted(out, key=lambda f: (f.start, f.cluster, f.workload))


def _fault(start: Row, end: float | None) -> _Fault:
    reps = start.fields.get("replicas")
    return _Fault(
        str(start.fields.get("fault")),
        start.cluster,
        start.workload,
        start.t,
        end,
        None if reps is None else int(reps),
    )


def _settle(ready: Mapping[str, Sequence[tuple[float, int]]], after: float, end: float) -> float:
    """Seconds after `after` until no cluster's ready count changes again before `end`."""
    last = after
    for steps in ready.values():
        for t, _ in steps:
            if after <= t <= end:
                last = max(last, t)
    return last - after


def _scale_time(rows: Sequence[Row], f: _Fault, end: float) -> float | None:
    s = series(rows).get(f.workload)
    if s is None or f.replicas is None:
        return None
    for t in sorted({f.start, *s.change_times()}):
        if f.start <= t <= end and s.total_at(t) >= f.replicas:
            return t - f.start
    return None


@dataclass(frozen=True)
class _Side:
    """One backend's timeline, read for comparison."""

    rows: list[Row]
    faults: list[_Fault]
    failovers: list[dict[str, Any]]
    ready: dict[str, list[tuple[float, int]]]

    @staticmethod
    def of(rows: Sequence[Row], clusters: Sequence[str], end: float) -> _Side:
        rows = sorted(rows, key=lambda r: r.t)
        return _Side(
            rows, _faults(rows), failovers(rows, series(rows), end), cluster_ready(rows, clusters)
        )


def metrics(
    scenario: Scenario,
    sim_rows: Sequence[Row],
    real_rows: Sequence[Row],
    end: float,
) -> list[Metric]:
    """Every metric of one scenario over [0, end], sim against real."""
    floor = scenario.health.probe_period / TARGET
    clusters = [c.name for c in scenario.desired.clusters]
    out: list[Metric] = []

    def timed(name: str, s: float | None, r: float | None) -> None:
        out.append(Metric(name, "s", s, r, max(abs(r or 0.0), floor)))

    sim = _Side.of(sim_rows, clusters, end)
    real = _Side.of(real_rows, clusters, end)
    for i, f in enumerate(sim.faults):
        rf = _match(f, real.faults)
        where = f.cluster or f.workload
        tag = f"{where} {f.kind}@{scenario_time(scenario, f, i):g}"
        if f.kind in DISRUPTIVE and f.cluster:
            sfo = _match_failover(f, sim.failovers)
            rfo = _match_failover(rf, real.failovers) if rf else None
            for key, label in (
                ("detected_at", "detect"),
                ("evicted_at", "evict"),
                ("recovered_at", "failover"),
            ):
                timed(f"{tag} {label}", _since(sfo, key), _since(rfo, key))
        if f.kind == "load-surge":
            timed(
                f"{tag} scale",
                _scale_time(sim.rows, f, end),
                _scale_time(real.rows, rf, end) if rf else None,
            )
        if f.end is not None and f.end < end and rf is not None and rf.end is not None:
            timed(
                f"{tag} settle",
                _settle(sim.ready, f.end, end),
                _settle(real.ready, rf.end, end),
            )
    for c in clusters:
        s_steps, r_steps = sim.ready[c], real.ready[c]
        real_area = area(r_steps, end)
        scale = max(real_area, floor * changes(r_steps, end))
        out.append(
            _Timeline(
                f"{c} ready replicas",
                "replica-s",
                area(s_steps, end),
                real_area,
                scale,
                area_between(s_steps, r_steps, end),
            )
        )
    return out


@dataclass(frozen=True)
class _Timeline(Metric):
    """A cluster's ready-replica curve: `sim`/`real` are replica-seconds, the error is the area
    between the curves over `scale`."""

    between: float = 0.0

    @property
    def diff(self) -> float | None:
        return self.between

    @property
    def error(self) -> float | None:
        return self.between / self.scale if self.scale else 0.0

    def as_dict(self) -> dict[str, Any]:
        d = super().as_dict()
        d["area_between"] = round(self.between, 3)
        return d


def scenario_time(scenario: Scenario, f: _Fault, i: int) -> float:
    """The fault's scheduled start (from the scenario), for naming."""
    for sf in scenario.faults:
        same = sf.kind == f.kind and (f.cluster in sf.clusters or not f.cluster)
        if same and abs(sf.at - f.start) < 5.0:
            return sf.at
    return round(f.start, 1)


def _match(f: _Fault, others: Sequence[_Fault]) -> _Fault | None:
    """The other backend's record of the same fault: same kind and target, nearest start."""
    same = [g for g in others if (g.kind, g.cluster, g.workload) == (f.kind, f.cluster, f.workload)]
    return min(same, key=lambda g: abs(g.start - f.start), default=None)


def _match_failover(f: _Fault | None, fos: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    if f is None:
        return None
    same = [x for x in fos if x["cluster"] == f.cluster and x["fault"] == f.kind]
    return min(same, key=lambda x: abs(x["fault_at"] - f.start), default=None)


def _since(fo: Mapping[str, Any] | None, key: str) -> float | None:
    if fo is None or fo.get(key) is None:
        return None
    return float(fo[key]) - float(fo["fault_at"])


# ---------------------------------------------------------------- running both


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
            "max_error": _round(self.max_error, 4),
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
    faults = _faults(sorted(real_rows, key=lambda r: r.t))
    for ax, c in zip(axes[:, 0], clusters, strict=True):
        for steps, style, label in (
            (real_ready[c], {"color": "#1e88e5", "lw": 2.2}, "real (kwok)"),
            (sim_ready[c], {"color": "#e53935", "lw": 1.4, "ls": "--"}, "sim"),
        ):
            xs = [t for t, _ in steps] + [end]
            ys = [v for _, v in steps] + [steps[-1][1]]
            ax.step(xs, ys, where="post", label=label, **style)
        for f in faults:
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
