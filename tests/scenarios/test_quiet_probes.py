"""Leaving out the probes whose success is certain (`ControlLoop.skip_certain_probes`,
`SimGateway.quiet_until`) must change nothing but cost: randomized federations and fault
timelines, with lossy and slow links, API latencies whose worst case is over the probe timeout,
other probe periods and timeouts (longer than the period too), faults just before, at and after
probe times, and other cycle intervals, run with and without it must give identical timelines,
statuses, health (but the probe-count bookkeeping) and summaries (but event counts), and the
probes sent plus the probes left out must be the probes the reference sends."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation.api import load_scenario
from federation.api.scenario import Distribution, Link, Scenario
from federation.core.health import HealthThresholds
from federation.core.model import Health
from federation.report.summary import summarize
from sim.driver import SimRun, run
from tests.scenarios.random_federations import federations
from tests.scenarios.test_random_schedules import describe

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = sorted(p for p in ROOT.rglob("*.yaml") if "kind: Scenario" in p.read_text())

LINKS = [
    Link(latency=0.005, jitter=0.001),
    Link(latency=0.05, jitter=0.02),
    Link(latency=0.2, jitter=0.05),  # worst case over half a second each way
    Link(latency=0.005, jitter=0.001, loss=0.05),  # never certain
]
API = [
    Distribution("lognormal", median=0.010, sigma=0.5, high=1.0),  # worst 0.6 s
    Distribution("exponential", mean=0.05),  # worst 1.8 s: never certain with a 1 s timeout
    Distribution("uniform", low=0.0, high=0.9),
    Distribution("constant", value=0.97),  # certain only with a timeout above ~0.99 s
    # certain only with a 1.5 s timeout, and then slower than a 1 s period: results of probes
    # sent one after the other can come back out of order
    Distribution("uniform", low=0.0, high=1.4),
]
HEALTH = [
    HealthThresholds(),
    HealthThresholds(probe_period=3.0, probe_timeout=2.5, failure_seconds=5.0),
    HealthThresholds(probe_period=1.0, probe_timeout=1.5, failure_seconds=1.75),  # timeout > period
    HealthThresholds(
        probe_period=10.0,
        probe_timeout=32.0,
        failure_count=4,
        failure_seconds=27.5,
        success_count=4,
        success_seconds=27.5,
    ),  # Karmada's
]
# fault start offsets around the default probe times (x.5) and their deadlines (x.5 + 1 s)
NUDGES = [0.0, 0.0, 0.5, 0.48, 0.52, 0.49, 0.51, 0.98, 0.02, 0.25]


@st.composite
def variants(draw: st.DrawFn) -> tuple[Scenario, float]:
    sc = draw(federations()).scenario
    names = [c.name for c in sc.desired.clusters]
    links = {c: draw(st.sampled_from(LINKS)) for c in names if draw(st.booleans())}
    sim = replace(
        sc.sim,
        link=draw(st.sampled_from(LINKS[:3])),
        links=links,
        api_latency=draw(st.sampled_from(API)),
    )
    faults = tuple(replace(f, at=f.at + draw(st.sampled_from(NUDGES))) for f in sc.faults)
    scenario = replace(sc, sim=sim, faults=faults, health=draw(st.sampled_from(HEALTH)))
    return scenario, draw(st.sampled_from([0.02, 0.02, 0.0, 0.3]))


def _rows(r: SimRun) -> list[list[str]]:
    return [row.csv() for row in sorted(r.recorder.rows, key=lambda row: row.t)]


def _health(r: SimRun) -> dict[str, tuple[object, ...]]:
    """Each cluster's health, without the bookkeeping of a run of good probes while Ready
    (how many, since when, the last one's time): the only thing left-out probes change."""
    out: dict[str, tuple[object, ...]] = {}
    for c, h in r.loop.state.health.items():
        steady = h.state is Health.READY and h.run_ok
        run_ = () if steady else (h.run, h.run_start, h.last_probe)
        out[c] = (h.state, h.since, h.transitions, h.down_since, h.run_ok, *run_)
    return out


def _summary(sc: Scenario, r: SimRun) -> dict[str, object]:
    return summarize(sc, r.recorder.rows, backend="sim", wall_seconds=0.0, events=0)


def assert_same(scenario: Scenario, interval: float = 0.02, metrics: bool = False) -> None:
    quiet = run(scenario, min_cycle_interval=interval, metrics=metrics)
    ref = run(scenario, min_cycle_interval=interval, metrics=metrics, skip_certain_probes=False)
    a, b = _rows(quiet), _rows(ref)
    if a != b:
        first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
        first = min(len(a), len(b)) if first is None else first
        t = float((a[first] if first < len(a) else b[first])[0])
        near_a = "\n".join(",".join(r) for r in a if abs(float(r[0]) - t) < 3)
        near_b = "\n".join(",".join(r) for r in b if abs(float(r[0]) - t) < 3)
        raise AssertionError(
            f"first difference at row {first} (t={t})\nleaving out:\n{near_a}\nreference:\n"
            f"{near_b}\ninterval {interval}, {scenario.health}\n{scenario.sim}\n"
            f"{describe(scenario)}"
        )
    for key, st_ in ref.loop.statuses.items():
        assert quiet.loop.statuses[key] == st_, key
    assert quiet.loop.state.workloads == ref.loop.state.workloads
    assert quiet.loop.state.reserved == ref.loop.state.reserved
    assert _health(quiet) == _health(ref)
    assert _summary(scenario, quiet) == _summary(scenario, ref)
    sent = quiet.gateway.probes_sent
    assert sent == quiet.loop.probes_sent
    assert sent + quiet.loop.probes_left_out(scenario.duration) == ref.gateway.probes_sent
    assert ref.loop.probes_left_out(scenario.duration) == 0
    assert quiet.events <= ref.events and quiet.loop.cycles <= ref.loop.cycles


@settings(
    max_examples=int(os.environ.get("KFED_RANDOM_EXAMPLES", "80")),
    derandomize=os.environ.get("KFED_RANDOM_EXAMPLES") is None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(variants(), st.booleans())
def test_leaving_out_certain_probes_changes_nothing_but_cost(
    case: tuple[Scenario, float], metrics: bool
) -> None:
    scenario, interval = case
    assert_same(scenario, interval, metrics)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_shipped_scenarios_are_the_same_with_every_probe_sent(path: Path) -> None:
    scenario = load_scenario(path)
    for seed in (1, 2, 3):
        assert_same(replace(scenario, seed=seed))


def test_a_quiet_member_is_not_probed_and_a_day_costs_what_an_hour_costs() -> None:
    """cluster-outage: m1 and m3 never fail, so after their health is known nothing about
    them needs a probe; m2 is probed from just before its outage until it is Ready again."""
    base = load_scenario(ROOT / "cluster-outage.yaml")
    hour = run(replace(base, duration=3600.0))
    day = run(replace(base, duration=86400.0))
    # a quiet hour costs the hourly safety resync: a handful of events and cycles, no probes
    assert day.gateway.probes_sent == hour.gateway.probes_sent
    assert day.events - hour.events < 0.01 * hour.events * 23
    assert day.loop.cycles - hour.loop.cycles <= 2 * 23
    # the left-out probes are counted as if sent: 3 members, one probe each 2 s
    total = day.gateway.probes_sent + day.loop.probes_left_out(86400.0)
    assert total == 3 * 43200
    # m2's probes: from its last certain probe before 60 s (the outage) to Ready again
    assert 50 <= hour.gateway.probes_sent <= 80


def test_a_member_whose_link_may_drop_a_message_is_always_probed() -> None:
    base = load_scenario(ROOT / "cluster-outage.yaml")
    lossy = replace(base.sim, links={"m1": Link(latency=0.005, jitter=0.001, loss=0.01)})
    r = run(replace(base, sim=lossy, duration=600.0))
    assert r.gateway.probes_sent >= 300  # m1's every 2 s, plus m2's around its outage
    assert r.loop.probes_sent + r.loop.probes_left_out(600.0) == 3 * 300
