"""`kfed survive`: N-k survivability. For every failure set of k domains, the scenario's own
faults are replaced by an outage of that set at T for D; each set runs for seeds 1..N. The
result: per set, the pass rate of the whole and of each expectation beside the static check of
the survivors' capacity (`failure_sets.static_check`); per set and workload, availability,
unschedulable and Pending replicas and the time to recover; and optionally the headroom, the
smallest uniform capacity factor with which every set passes, and what that capacity costs."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from federation.api.scenario import Expectation, Fault, Scenario
from federation.core.desired import DesiredState
from federation.core.nominal import nominal
from federation.planning import outcome
from federation.planning.batches import Variants
from federation.planning.failure_sets import FailureSet, failure_sets, static_check
from federation.planning.headroom import capacity_per_hour, search_headroom
from federation.planning.runner import Engine, Progress, Runner
from federation.planning.search import Found
from federation.planning.statistics import quantile, wilson
from federation.planning.survival_figures import workload_survival
from federation.planning.sweep import frame, plain
from federation.report.figures import DISRUPTIVE


@dataclass
class SurviveResult:
    """N-k survivability of a scenario (DataFrames: `sets`, `matrix`, `runs`)."""

    scenario: str
    domain: str
    k: int
    at: float
    duration: float | None
    seeds: int
    sets: Any  # one row per failure set
    matrix: Any  # one row per (failure set, workload)
    runs: Any  # one row per run
    expectations: list[str] = field(default_factory=list)
    headroom: Found | None = None
    capacity_per_hour: float = 0.0  # the scenario's provisioned capacity, as declared
    interrupted: bool = False

    @property
    def survives(self) -> bool:
        return bool(len(self.sets)) and bool((self.sets["pass_rate"] >= 1.0).all())

    def headroom_cost(self) -> float | None:
        """Per hour, the capacity scaled by the headroom factor (None without one)."""
        if self.headroom is None or self.headroom.value is None:
            return None
        return round(self.capacity_per_hour * float(self.headroom.value), 6)

    def write(self, out: Path, plots: bool = True) -> list[Path]:
        from federation.planning.files import write_survive

        return write_survive(self, out, plots=plots)

    def as_dict(self) -> dict[str, Any]:
        def records(df: Any) -> list[dict[str, Any]]:
            return [{k: plain(v) for k, v in r.items()} for r in df.to_dict("records")]

        return {
            "scenario": self.scenario,
            "domain": self.domain,
            "k": self.k,
            "at": self.at,
            "for": self.duration,
            "seeds": self.seeds,
            "survives": self.survives,
            "interrupted": self.interrupted,
            "expectations": {f"expect.{i}": d for i, d in enumerate(self.expectations)},
            "sets": records(self.sets),
            "matrix": records(self.matrix),
            "capacity_per_hour": self.capacity_per_hour,
            "headroom": None
            if self.headroom is None
            else {**self.headroom.as_dict(), "cost_per_hour": self.headroom_cost()},
        }


def _hosts(desired: DesiredState) -> set[str]:
    """Clusters the nominal layout places any replica on."""
    out: set[str] = set()
    for w in desired.workloads.values():
        out.update(c for c, n in nominal(desired, w).clusters.items() if n)
    return out


def outage_of(
    scenario: Scenario, fs: FailureSet, at: float, duration: float | None, hosts: set[str]
) -> tuple[Scenario, tuple[int, ...]]:
    """`scenario` with its faults replaced by an outage of `fs`, and its expectations adapted:
    a `failoverWithin` now asks the same of every failed cluster that hosts replicas. Returns
    the variant and, for each of its expectations, the index of the scenario's one it stands
    for."""
    fault = Fault("outage", at=at, duration=duration, clusters=fs.clusters, name="survive")
    adapted: list[Expectation] = []
    fold: list[int] = []
    for i, e in enumerate(scenario.expectations):
        if e.kind != "failover-within":
            adapted.append(e)
            fold.append(i)
            continue
        limit = float(e.params["seconds"])
        for c in fs.clusters:
            if c in hosts:
                params = {"cluster": c, "seconds": limit, "from": at}
                text = f"failover from {c} within {limit:g}s"
                adapted.append(Expectation("failover-within", text, params))
                fold.append(i)
    return replace(scenario, faults=(fault,), expectations=tuple(adapted)), tuple(fold)


def measure(
    scenario: Scenario, seed: int, point: int, values: Mapping[str, Any], extra: Any
) -> dict[str, Any]:
    """One survivability run as a row (a Variants `measure`): the sweep row with expectations
    folded back onto the scenario's own, plus each workload's survival figures."""
    from federation.runner import execute

    out = execute(scenario, "sim", seed=seed, plots=False)
    summary = out.summary
    row = outcome.row(summary, point, values)
    for key in [k for k in row if k.startswith("expect.")]:
        del row[key]
    fold, count = extra["fold"], extra["expectations"]
    results = summary["expectations"]
    for i in range(count):
        mine = [r for r, of in zip(results, fold, strict=True) if of == i]
        row[f"expect.{i}.passed"] = all(r["passed"] for r in mine)
        nums = [float(r["value"]) for r in mine if isinstance(r["value"], int | float)]
        row[f"expect.{i}.value"] = max(nums) if nums else None
    row["passed"] = all(row[f"expect.{i}.passed"] for i in range(count))
    failed, at = set(extra["failed"]), extra["at"]
    for key, fig in workload_survival(out.rows, failed, at, summary["simulated_seconds"]).items():
        for name, v in fig.items():
            row[f"workload.{key}.{name}"] = v
    return row


def _matrix(runs: Any, sets: Sequence[FailureSet]) -> Any:
    import pandas as pd

    keys = sorted(
        {c.split(".", 1)[1].rsplit(".", 1)[0] for c in runs.columns if c.startswith("workload.")}
    )
    out = []
    for p, fs in enumerate(sets):
        g = runs[runs["point"] == p]
        if g.empty:
            continue
        for key in keys:
            col = f"workload.{key}."
            recover = [x for x in g[col + "recover_s"] if x is not None and x == x]
            out.append(
                {
                    "set": fs.label,
                    "workload": key,
                    "availability_min": float(g[col + "availability"].min()),
                    "availability_p50": quantile(list(g[col + "availability"]), 0.5),
                    "unschedulable_max": int(g[col + "unschedulable_max"].max()),
                    "pending_max": int(g[col + "pending_max"].max()),
                    "affected": bool(recover),
                    "recover_p50_s": quantile(recover, 0.5),
                    "recover_max_s": max(recover) if recover else None,
                }
            )
    return pd.DataFrame(out)


def _sets_table(runs: Any, sets: Sequence[FailureSet], desired: DesiredState, n: int) -> Any:
    import pandas as pd

    out = []
    for p, fs in enumerate(sets):
        g = runs[runs["point"] == p]
        runs_n, k = len(g), int(g["passed"].sum()) if len(g) else 0
        low, high = wilson(k, runs_n)
        row: dict[str, Any] = {"set": fs.label, "clusters": ",".join(fs.clusters)}
        row.update({"runs": runs_n, "passed": k, "pass_rate": k / runs_n if runs_n else None})
        row.update({"pass_rate_low": round(low, 6), "pass_rate_high": round(high, 6)})
        for i in range(n):
            col = f"expect.{i}.passed"
            row[f"expect.{i}.pass_rate"] = float(g[col].mean()) if runs_n else None
        row.update(static_check(desired, fs.clusters))
        out.append(row)
    return pd.DataFrame(out)


def variants_of(
    scenario: Scenario,
    sets: Sequence[FailureSet],
    at: float,
    duration: float | None,
    base: int = 0,
    factor: float | None = None,
) -> Variants:
    hosts = _hosts(scenario.desired)
    scenarios, values, extra = {}, {}, {}
    for i, fs in enumerate(sets):
        variant, fold = outage_of(scenario, fs, at, duration, hosts)
        scenarios[base + i] = variant
        values[base + i] = {"set": fs.label, **({} if factor is None else {"factor": factor})}
        extra[base + i] = {
            "fold": fold,
            "expectations": len(scenario.expectations),
            "failed": fs.clusters,
            "at": at,
        }
    return Variants(scenarios, values, measure, extra)


def survive(
    scenario: Scenario,
    engine: Engine,
    *,
    domain: str = "cluster",
    k: int = 1,
    at: float | None = None,
    duration: float | None = None,
    seeds: int = 5,
    headroom: bool = False,
    progress: Progress | None = None,
) -> SurviveResult:
    """Run every failure set of `k` `domain`s for seeds 1..`seeds` (see the module docstring);
    `at` / `duration` default to the scenario's first disruptive fault's (else 60 s, to the
    end); an infinite `duration` lasts to the end. The engine is closed at the end."""
    first = next((f for f in scenario.faults if f.kind in DISRUPTIVE), None)
    if at is None:
        at = first.at if first is not None else min(60.0, scenario.duration / 2)
    if duration is None and first is not None:
        duration = first.duration
    elif duration is not None and math.isinf(duration):
        duration = None  # to the end of the run
    if not 0 <= at < scenario.duration:
        raise ValueError(f"--at must be in [0, {scenario.duration:g}) s, got {at:g}")
    sets = failure_sets(scenario.desired, domain, k)
    runner = Runner(lambda _: scenario, engine, progress)
    runner.name = scenario.name
    found: Found | None = None
    try:
        variants = variants_of(scenario, sets, at, duration)
        plan = [(p, s) for p in range(len(sets)) for s in range(1, seeds + 1)]
        rows = runner.evaluate(variants, plan)
        if headroom and not runner.interrupted:
            whole = sum(bool(r["passed"]) for r in rows), len(rows)
            found = search_headroom(runner, scenario, sets, at, duration, seeds, whole)
    finally:
        runner.close()
    main = [r for r in rows if "factor" not in r]
    runs = frame(main)
    n = len(scenario.expectations)
    return SurviveResult(
        scenario=scenario.name,
        domain=domain,
        k=k,
        at=at,
        duration=duration,
        seeds=seeds,
        sets=_sets_table(runs, sets, scenario.desired, n),
        matrix=_matrix(runs, sets),
        runs=runs,
        expectations=[e.description for e in scenario.expectations],
        headroom=found,
        capacity_per_hour=capacity_per_hour(scenario.desired),
        interrupted=runner.interrupted,
    )
