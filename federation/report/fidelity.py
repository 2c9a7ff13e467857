"""Fidelity metrics: how far a sim timeline is from a real one, metric by metric.

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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from federation.api.scenario import Scenario
from federation.recorder import Row
from federation.report.figures import DISRUPTIVE, failovers, series
from federation.report.steps import area, area_between, changes, cluster_ready

TARGET = 0.1  # an error at or below this is "within 10 % or one probe period"


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
            "sim": rounded(self.sim),
            "real": rounded(self.real),
            "diff": rounded(self.diff),
            "error": rounded(self.error, 4),
            "within": self.within,
        }


def rounded(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


@dataclass(frozen=True)
class Fault:
    kind: str
    cluster: str  # "" for a load surge
    workload: str
    start: float
    end: float | None
    replicas: int | None = None


def faults(rows: Sequence[Row]) -> list[Fault]:
    """Faults as this backend recorded them (its own start and end times), in start order."""
    open_: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    out: list[Fault] = []
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


def _fault(start: Row, end: float | None) -> Fault:
    reps = start.fields.get("replicas")
    return Fault(
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


def _scale_time(rows: Sequence[Row], f: Fault, end: float) -> float | None:
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
    faults: list[Fault]
    failovers: list[dict[str, Any]]
    ready: dict[str, list[tuple[float, int]]]

    @staticmethod
    def of(rows: Sequence[Row], clusters: Sequence[str], end: float) -> _Side:
        rows = sorted(rows, key=lambda r: r.t)
        return _Side(
            rows, faults(rows), failovers(rows, series(rows), end), cluster_ready(rows, clusters)
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
    _drain_metrics(scenario, sim_rows, real_rows, end, timed)
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


def _drain_metrics(
    scenario: Scenario,
    sim_rows: Sequence[Row],
    real_rows: Sequence[Row],
    end: float,
    timed: Callable[[str, float | None, float | None], None],
) -> None:
    """Per fault and federated service: seconds until new requests left the failed cluster(s)
    (`federation.report.drains`), each backend's from its own rows."""
    from federation.report.drains import drains
    from federation.report.traffic import by_service

    sim_d = drains(by_service(sim_rows), sim_rows, end)
    real_d = drains(by_service(real_rows), real_rows, end)
    for d in sim_d:
        same = [
            r
            for r in real_d
            if (r["fault"], r["clusters"], r["service"])
            == (d["fault"], d["clusters"], d["service"])
        ]
        r = min(same, key=lambda r: abs(r["at"] - d["at"]), default=None)
        where = ",".join(d["clusters"])
        at = next((f.at for f in scenario.faults if abs(f.at - d["at"]) < 5.0), d["at"])
        timed(
            f"{d['service']} {where} {d['fault']}@{at:g} drain",
            d["drain_seconds"],
            None if r is None else r["drain_seconds"],
        )


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


def scenario_time(scenario: Scenario, f: Fault, i: int) -> float:
    """The fault's scheduled start (from the scenario), for naming."""
    for sf in scenario.faults:
        same = sf.kind == f.kind and (f.cluster in sf.clusters or not f.cluster)
        if same and abs(sf.at - f.start) < 5.0:
            return sf.at
    return round(f.start, 1)


def _match(f: Fault, others: Sequence[Fault]) -> Fault | None:
    """The other backend's record of the same fault: same kind and target, nearest start."""
    same = [g for g in others if (g.kind, g.cluster, g.workload) == (f.kind, f.cluster, f.workload)]
    return min(same, key=lambda g: abs(g.start - f.start), default=None)


def _match_failover(f: Fault | None, fos: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    if f is None:
        return None
    same = [x for x in fos if x["cluster"] == f.cluster and x["fault"] == f.kind]
    return min(same, key=lambda x: abs(x["fault_at"] - f.start), default=None)


def _since(fo: Mapping[str, Any] | None, key: str) -> float | None:
    if fo is None or fo.get(key) is None:
        return None
    return float(fo[key]) - float(fo["fault_at"])


# ---------------------------------------------------------------- running both
