"""Cluster health state machine: table-driven transitions and hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from federation.core.health import (
    TRANSITIONS,
    ClusterHealth,
    HealthThresholds,
    health_taints,
    observe_probe,
)
from federation.core.model import Health, ProbeResult

TH = HealthThresholds(probe_period=2, failure_count=3, failure_seconds=4, success_count=3,
                      success_seconds=4)


def run(pattern: str, th: HealthThresholds = TH, period: float = 2.0) -> list[Health]:
    """Feed probes ('.' ok, 'x' failed) one period apart; return the state after each."""
    h = ClusterHealth()
    states = []
    for i, ch in enumerate(pattern):
        h = observe_probe(h, ProbeResult("m1", (i + 1) * period, ch == "."), th)
        states.append(h.state)
    return states


R, S, OFF, V = Health.READY, Health.SUSPECT, Health.OFFLINE, Health.RECOVERING


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("...", [R, R, R]),
        ("x.", [S, R]),
        ("xx.", [S, S, R]),
        ("xxx", [S, S, OFF]),  # third failure, 4 s after the first
        ("xxxx.", [S, S, OFF, OFF, V]),
        ("xxx...", [S, S, OFF, V, V, R]),  # 3 good probes spanning 4 s
        ("xxx..x", [S, S, OFF, V, V, OFF]),  # a failure while recovering: straight back
        ("x.x.x.x.", [S, R] * 4),  # isolated failures never go Offline
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_transitions_by_probe_pattern(pattern: str, expected: list[Health]) -> None:
    assert run(pattern) == expected


def test_duration_guard_holds_offline_back_when_probes_come_fast() -> None:
    # three failures within 1 s do not span failure_seconds=4: still Suspect
    assert run("xxx", period=0.5) == [S, S, S]
    assert run("xxxxxxxxx", period=0.5)[-1] == OFF  # the 9th failure is 4 s after the first


def test_count_guard_holds_offline_back_when_probes_are_slow() -> None:
    th = HealthThresholds(failure_count=3, failure_seconds=0)
    assert run("xx", th, period=100) == [S, S]


def test_every_state_and_outcome_has_a_row() -> None:
    assert set(TRANSITIONS) == {(s, o) for s in Health for o in ("ok", "fail")}


def test_stale_probe_is_ignored() -> None:
    h = observe_probe(ClusterHealth(), ProbeResult("m1", 10.0, False), TH)
    assert observe_probe(h, ProbeResult("m1", 5.0, True), TH) == h


def test_taints_follow_health() -> None:
    assert health_taints(ClusterHealth(Health.READY)) == ()
    assert health_taints(ClusterHealth(Health.SUSPECT)) == ()
    (t,) = health_taints(ClusterHealth(Health.OFFLINE, since=12.0))
    assert (t.effect, t.time_added) == ("NoExecute", 12.0)
    (t,) = health_taints(ClusterHealth(Health.RECOVERING, since=30.0))
    assert t.effect == "NoSchedule"


@given(st.lists(st.booleans(), max_size=60))
def test_offline_needs_failure_count_consecutive_failures(outcomes: list[bool]) -> None:
    h = ClusterHealth()
    run_len = 0
    for i, ok in enumerate(outcomes):
        before = h.state
        h = observe_probe(h, ProbeResult("m1", 2.0 * (i + 1), ok), TH)
        run_len = 0 if ok else run_len + 1
        if h.state is Health.OFFLINE and before in (Health.READY, Health.SUSPECT):
            # (from Recovering one failure is enough: the cluster has not proven itself yet)
            assert run_len >= TH.failure_count


@given(
    st.lists(st.floats(min_value=-0.2, max_value=0.2), min_size=6, max_size=6),
    st.floats(min_value=0.0, max_value=2.0),
)
def test_default_thresholds_decide_on_the_third_probe_whatever_the_jitter(
    jitter: list[float], phase: float
) -> None:
    # probes sent every 2 s come back a few ms early or late: with the defaults the third
    # failure (or success) always decides, never sometimes the fourth
    th = HealthThresholds()
    stamps = [phase + th.probe_period * i + j for i, j in enumerate(jitter)]
    h = ClusterHealth()
    states = []
    for i, t in enumerate(stamps):
        h = observe_probe(h, ProbeResult("m1", t, i >= 3), th)
        states.append(h.state)
    assert states == [S, S, OFF, V, V, R]


class IsolatedFailures(RuleBasedStateMachine):
    """Probes where no two failures are adjacent must never take a cluster Offline."""

    def __init__(self) -> None:
        super().__init__()
        self.h = ClusterHealth()
        self.t = 0.0
        self.last_failed = False

    @rule(gap=st.floats(min_value=0.1, max_value=30.0))
    def ok(self, gap: float) -> None:
        self.t += gap
        self.h = observe_probe(self.h, ProbeResult("m1", self.t, True), TH)
        self.last_failed = False

    @precondition(lambda self: not self.last_failed)
    @rule(gap=st.floats(min_value=0.1, max_value=30.0))
    def fail(self, gap: float) -> None:
        self.t += gap
        self.h = observe_probe(self.h, ProbeResult("m1", self.t, False, reason="timeout"), TH)
        self.last_failed = True

    @invariant()
    def never_offline(self) -> None:
        assert self.h.state in (Health.READY, Health.SUSPECT)
        assert health_taints(self.h) == ()


TestIsolatedFailures = IsolatedFailures.TestCase
TestIsolatedFailures.settings = settings(max_examples=100, stateful_step_count=40)
