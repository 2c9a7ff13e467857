"""Randomized federations and fault timelines (tests/scenarios/random_federations.py) run on
the sim, with invariants checked on the timeline: no crash; nothing ever runs on a cluster the
workload's policy does not admit; Ready replicas stay within the documented surge bound; the
same replicas are never evicted twice without being placed again in between; with ample room,
everything converges once the faults are over; reruns are byte-identical."""

from __future__ import annotations

import io
import os

from hypothesis import HealthCheck, given, settings

from federation.api.scenario import Scenario
from federation.core.placement import place
from federation.recorder import Recorder, Row
from federation.report.figures import series, value_at
from federation.runner import Outcome, execute
from tests.scenarios.random_federations import Case, federations

SURGE_LAG = 30.0  # seconds a scale-down may take to show
UNREACHABLE_FAULTS = frozenset({"api-hang", "partition", "latency"})
WRITE_BACKOFF = 70.0  # a write lost to a hang is retried within RETRY_CAP (60 s) of its end


def _admitted(scenario: Scenario, key: str) -> set[str]:
    """Clusters any affinity group of the workload's policy admits (taints and health aside)."""
    d = scenario.desired
    w = d.workloads[key]
    p = d.policy_for(w)
    if p is None:
        return set()
    groups = p.placement.affinity_groups or (p.placement.affinity,)
    return {c.name for c in d.clusters if any(g.matches(c) for g in groups)}


def _asked_steps(rows: list[Row], key: str) -> dict[str, list[tuple[float, int]]]:
    """Per cluster, the replicas the federation sent it for `key` over time (apply rows; a
    delete is 0)."""
    out: dict[str, list[tuple[float, int]]] = {}
    for r in rows:
        if r.workload != key or r.kind not in ("apply", "delete"):
            continue
        n = int(r.fields.get("replicas") or 0) if r.kind == "apply" else 0
        out.setdefault(r.cluster, []).append((r.t, n))
    return out


def _unreachable_spans(rows: list[Row], end: float) -> list[tuple[str, float, float]]:
    open_: dict[tuple[str, str], float] = {}
    spans = []
    for r in rows:
        if r.kind != "fault" or r.fields.get("fault") not in UNREACHABLE_FAULTS:
            continue
        k = (r.cluster, str(r.fields.get("fault")))
        if r.fields.get("phase") == "start":
            open_[k] = r.t
        elif r.fields.get("phase") == "end" and k in open_:
            spans.append((r.cluster, open_.pop(k), r.t + WRITE_BACKOFF))
    spans.extend((c, t0, end) for (c, _), t0 in open_.items())
    return spans


def describe(scenario: Scenario) -> str:
    """The case in a few lines, for failure messages."""
    d = scenario.desired
    lines = [f"seed {scenario.seed}"]
    lines += [
        f"cluster {c.name} {c.region}/{c.zone}/{c.provider} cpu={c.capacity.cpu:g} nodes={c.nodes}"
        for c in d.clusters
    ]
    lines += [f"policy {p.name}: {p.placement} {p.failover}" for p in d.policies]
    lines += [f"override {o.name}: {o.rules}" for o in d.overrides]
    lines += [
        f"workload {w.key} replicas={w.replicas} cpu={w.request.cpu}" for w in d.workloads.values()
    ]
    lines += [f"fault {f}" for f in scenario.faults]
    return "\n".join(lines)


def check_invariants(case: Case, out: Outcome) -> None:
    try:
        _check(case, out)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{describe(case.scenario)}") from None


def _check(case: Case, out: Outcome) -> None:
    scenario = case.scenario
    rows = sorted(out.rows, key=lambda r: r.t)
    end = scenario.duration
    all_series = series(rows)
    spans = _unreachable_spans(rows, end)
    for key, s in all_series.items():
        admitted = _admitted(scenario, key)
        for c, steps in s.ready.items():
            ran = [v for _, v in steps if v > 0]
            assert c in admitted or not ran, f"{key} ran on {c}, which its policy excludes"
        # surge bound (docs/semantics.md): each cluster runs at most the largest count the
        # federation asked of it within the policy's grace period (a move holds the old layout
        # until the new one is Ready; chained moves hold several), plus whatever runs on
        # members it cannot reach (it cannot stop those)
        w = scenario.desired.workloads[key]
        policy = scenario.desired.policy_for(w)
        grace = policy.failover.grace_period_seconds if policy else 0.0
        asked = _asked_steps(rows, key)
        times = sorted({t for steps in s.ready.values() for t, _ in steps})
        for t in times:
            since = t - grace - SURGE_LAG
            bound = 0
            for steps in asked.values():
                bound += max([value_at(steps, since), *(v for ta, v in steps if since <= ta <= t)])
            stuck = sum(
                value_at(s.ready.get(c, []), t) for c in {c for c, a, b in spans if a <= t <= b}
            )
            total = s.total_at(t)
            assert total <= bound + stuck, (
                f"{key}: {total} Ready at {t:.2f} > {bound} asked of its clusters within the "
                f"grace period + {stuck} unreachable"
            )
    # the same replicas are never evicted twice without being placed there again in between
    placed: dict[tuple[str, str], bool] = {}
    for r in rows:
        if r.kind == "schedule":
            for c in r.fields.get("assignment", {}):
                placed[(r.workload, c)] = True
        elif r.kind == "evict":
            k = (r.workload, r.cluster)
            assert placed.get(k, False), f"{r.workload} evicted from {r.cluster} again at {r.t}"
            placed[k] = False
    if case.ample:
        _converged(scenario, all_series, rows, end)


def _converged(scenario: Scenario, all_series: dict, rows: list[Row], end: float) -> None:
    t = end - 1e-6
    for key, s in all_series.items():
        target = s.target_at(t)
        if target is None:  # nothing asked of any cluster (overrides pin every target to 0)
            assert s.total_at(t) == 0 and s.desired_at(t) == 0, f"{key} was never scheduled"
            continue
        _, asked, unschedulable = target
        assert unschedulable == 0, f"{key}: {unschedulable} unschedulable with ample room"
        for c in sorted(set(asked) | set(s.ready)):
            have = value_at(s.ready.get(c, []), t)
            assert have == asked.get(c, 0), (
                f"{key} on {c}: {have} Ready at the end, the federation asks {asked.get(c, 0)}"
            )
        assert s.pending_at(t) == 0, f"{key}: Pending replicas left with ample room"
        w = scenario.desired.workloads[key]
        p = scenario.desired.policy_for(w)
        if p is not None and p.placement.replicas.type == "Duplicated" and not p.placement.spread:
            free = {c.name: None for c in scenario.desired.clusters}
            nominal = place(
                p.placement,
                p.failover,
                scenario.desired.clusters,
                {c.name: c.taints for c in scenario.desired.clusters},
                (),
                0.0,
                free,
            )
            assert set(asked) == set(nominal.selected), f"{key}: copies not back on every target"


def _csv(out: Outcome) -> str:
    rec = Recorder()
    rec.rows = list(out.rows)
    buf = io.StringIO()
    for r in sorted(rec.rows, key=lambda r: r.t):
        buf.write(",".join(r.csv()) + "\n")
    return buf.getvalue()


@settings(
    max_examples=int(os.environ.get("KFED_RANDOM_EXAMPLES", "150")),
    derandomize=os.environ.get("KFED_RANDOM_EXAMPLES") is None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(federations())
def test_random_federations_keep_the_invariants(case: Case) -> None:
    out = execute(case.scenario, "sim", plots=False)
    check_invariants(case, out)
    again = execute(case.scenario, "sim", plots=False)
    assert _csv(again) == _csv(out)
    a, b = dict(out.summary), dict(again.summary)
    a.pop("wall_seconds"), b.pop("wall_seconds")
    assert a == b


@settings(
    max_examples=int(os.environ.get("KFED_RANDOM_EXAMPLES", "60")),
    derandomize=os.environ.get("KFED_RANDOM_EXAMPLES") is None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(federations())
def test_the_incremental_loop_plans_what_a_full_reconcile_every_cycle_plans(case: Case) -> None:
    """The loop reconciles only what changed (observations, wake-ups, health, and room for the
    workloads room held back), with a rare safety resync: its timeline must equal that of a loop
    that reconciles every workload every cycle."""
    _same_as_full(case)


@settings(
    max_examples=int(os.environ.get("KFED_RANDOM_EXAMPLES", "40")),
    derandomize=os.environ.get("KFED_RANDOM_EXAMPLES") is None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(federations(operations=True))
def test_with_operations_the_incremental_loop_plans_what_a_full_reconcile_plans(
    case: Case,
) -> None:
    """The same, with operations on the timeline (scale, drain for a while or for good,
    uncordon, delete, migrate make-before-break or at once) changing the desired documents."""
    _same_as_full(case)


def _same_as_full(case: Case) -> None:
    from sim.driver import run as sim_run

    fast = sim_run(case.scenario)
    full = sim_run(case.scenario, always_full=True)
    # statuses too (the incremental loop refreshes readiness without a reconcile)
    for key, st in full.loop.statuses.items():
        mine = fast.loop.statuses[key]
        assert (mine.ready, dict(mine.clusters), mine.conditions, dict(mine.assignment)) == (
            st.ready,
            dict(st.clusters),
            st.conditions,
            dict(st.assignment),
        ), key
    a = [r.csv() for r in sorted(fast.recorder.rows, key=lambda r: r.t)]
    b = [r.csv() for r in sorted(full.recorder.rows, key=lambda r: r.t)]
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    if first is None and a != b:
        first = min(len(a), len(b))
    if a != b:
        t = float((a[first] if first < len(a) else b[first])[0])
        near_a = "\n".join(",".join(r) for r in a if abs(float(r[0]) - t) < 3)
        near_b = "\n".join(",".join(r) for r in b if abs(float(r[0]) - t) < 3)
        raise AssertionError(
            f"first difference at row {first} (t={t})\nincremental:\n{near_a}\nfull:\n"
            f"{near_b}\n{describe(case.scenario)}"
        )
