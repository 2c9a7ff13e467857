"""The HPA calculator and behaviour against the Kubernetes documentation's examples and the
controller's code paths, each case computed by hand; properties over random inputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.hpa import (
    DEFAULT_DOWN,
    DEFAULT_UP,
    Behavior,
    HPASpec,
    HPAState,
    Pods,
    Policy,
    Rules,
    decide,
    pod_state,
    propose,
)


def ready(n: int, usage: int, request: int = 1000) -> Pods:
    return Pods(n, "ready", request, usage)


# (name, current, target %, pods, expected replicas, expected utilization %)
PROPOSALS = [
    # the docs: 200m used of a 100m target doubles the replicas ...
    ("200m over 100m doubles: 4 -> 8", 4, 100, [ready(4, 200, 100)], 8, 200),
    # ... 50m of 100m halves them
    ("50m over 100m halves: 4 -> 2", 4, 100, [ready(4, 50, 100)], 2, 50),
    ("ratio 1.08 within tolerance 0.1: stays 10", 10, 50, [ready(10, 540)], 10, 54),
    ("ratio 1.12 outside tolerance: ceil(10 x 1.12) = 12", 10, 50, [ready(10, 560)], 12, 56),
    ("ratio 0.9 exactly at the tolerance: stays", 10, 50, [ready(10, 450)], 10, 45),
    # utilization is an integer percent, truncated: 3 x 333 / 3000 = 33 %
    ("333m of 1 core is 33 %: ceil(3 x 33/30) = 4", 3, 30, [ready(3, 333)], 4, 33),
    # unready pods on a scale-up count as 0 %: 2 ready at 100 % + 2 unready, target 50:
    # ratio 2 -> recomputed (200 / 4 pods) = 50 % -> ratio 1.0 within tolerance -> stays
    (
        "unready pods at 0 % damp a scale-up to nothing: stays 4",
        4,
        50,
        [ready(2, 1000), Pods(2, "unready")],
        4,
        100,
    ),
    # 2 ready at 150 %, 1 unready, target 50: ratio 3 -> (300 / 3) = 100 % -> ratio 2 ->
    # ceil(2 x 3) = 6
    (
        "unready at 0 % on a scale-up: ceil(2 x 3) = 6",
        3,
        50,
        [ready(2, 1500), Pods(1, "unready")],
        6,
        150,
    ),
    # unready pods on a scale-down are left out: 2 ready at 20 % of target 50 -> ceil(0.4 x 2)
    (
        "unready pods are left out of a scale-down: ceil(0.4 x 2) = 1",
        4,
        50,
        [ready(2, 200), Pods(2, "unready")],
        1,
        20,
    ),
    # missing pods on a scale-down count as max(100 %, target): 2 at 20 % + 2 missing at 100 %,
    # target 50 -> (40 + 200) / 4 = 60 % -> ratio 1.2: the direction flips: stays
    (
        "missing pods at 100 % flip a scale-down: stays 4",
        4,
        50,
        [ready(2, 200), Pods(2, "missing")],
        4,
        20,
    ),
    # 3 at 10 % + 1 missing at 100 %, target 80: 0.125 -> (30 + 100) / 4 = 32 % -> 0.4 ->
    # ceil(0.4 x 4) = 2
    (
        "missing pods at 100 % on a scale-down: ceil(0.4 x 4) = 2",
        4,
        80,
        [ready(3, 100), Pods(1, "missing")],
        2,
        10,
    ),
    # target above 100 %: missing pods count at the target (150 %): (900 + 1500) / 4000 = 60 %
    # -> ratio 0.4 -> ceil(0.4 x 4) = 2
    (
        "missing pods at the target when it is over 100 %: ceil(0.4 x 4) = 2",
        4,
        150,
        [ready(3, 300), Pods(1, "missing")],
        2,
        30,
    ),
    # missing pods on a scale-up count as 0 %: 2 at 100 %, 2 missing, target 50: 2.0 -> 50 %
    # over 4 -> 1.0: stays
    (
        "missing pods at 0 % on a scale-up: stays",
        4,
        50,
        [ready(2, 1000), Pods(2, "missing")],
        4,
        100,
    ),
    ("ignored pods count for nothing", 2, 50, [ready(2, 1000), Pods(5, "ignored")], 4, 100),
]


@pytest.mark.parametrize(
    "current,target,pods,replicas,utilization",
    [c[1:] for c in PROPOSALS],
    ids=[c[0] for c in PROPOSALS],
)
def test_proposal(
    current: int, target: int, pods: list[Pods], replicas: int, utilization: int
) -> None:
    p = propose(current, target, pods)
    assert p is not None
    assert (p.replicas, p.utilization) == (replicas, utilization)


def test_no_ready_pod_with_a_metric_proposes_nothing() -> None:
    assert propose(3, 50, [Pods(3, "unready")]) is None
    assert propose(3, 50, []) is None


def test_calibration_divides_the_proposal() -> None:
    # Karmada: 7 ready pods at 100 % of a 50 % target on the Ready members, which hold 70 % of
    # the template's replicas: ceil(2 x 7 / 0.7) = 20
    p = propose(10, 50, [ready(7, 1000)], calibration=0.7)
    assert p is not None and p.replicas == 20


@pytest.mark.parametrize(
    "kw,expected",
    [
        (dict(phase="Running", deleting=True, has_metric=True, ready=True), "ignored"),
        (dict(phase="Failed", deleting=False, has_metric=True, ready=True), "ignored"),
        (dict(phase="Pending", deleting=False, has_metric=True, ready=False), "unready"),
        (dict(phase="Running", deleting=False, has_metric=False, ready=True), "missing"),
        # started 100 s ago, Ready at 40 s, the metric's 10 s window began at 35 s: unready
        (
            dict(phase="Running", deleting=False, has_metric=True, ready=True, metric_at=45.0),
            "unready",
        ),
        # the same with a window that began after Ready: ready
        (
            dict(phase="Running", deleting=False, has_metric=True, ready=True, metric_at=55.0),
            "ready",
        ),
        # past the CPU initialization period an unready pod that was Ready once is counted
        (
            dict(
                phase="Running",
                deleting=False,
                has_metric=True,
                ready=False,
                now=400.0,
                ready_changed=350.0,
            ),
            "ready",
        ),
        # ... but one that never turned Ready (its condition changed within 30 s of start) not
        (
            dict(
                phase="Running",
                deleting=False,
                has_metric=True,
                ready=False,
                now=400.0,
                ready_changed=10.0,
            ),
            "unready",
        ),
    ],
)
def test_pod_grouping(kw: dict, expected: str) -> None:
    base = dict(start=0.0, ready_changed=40.0, metric_at=60.0, window=10.0, now=100.0)
    assert pod_state(**{**base, **kw}) == expected


# ---------------------------------------------------------------- behaviour

DEFAULTS = HPASpec(min_replicas=1, max_replicas=100, behavior=Behavior())


def test_default_scale_up_is_max_of_4_pods_and_100_percent() -> None:
    # 3 replicas asking for 50: +4 pods -> 7, +100 % -> 6; Max -> 7
    d = decide(DEFAULTS, HPAState(), 3, 50, 0.0)
    assert (d.desired, d.reason) == (7, "ScaleUpLimit")
    # 10 replicas: +4 -> 14, +100 % -> 20 -> 20
    assert decide(DEFAULTS, HPAState(), 10, 50, 0.0).desired == 20


def test_scale_up_limits_count_the_period_s_earlier_scale_ups() -> None:
    d1 = decide(DEFAULTS, HPAState(), 10, 50, 0.0)
    assert d1.desired == 20
    # 10 s later the period began at 10 replicas: the limit is still 20
    d2 = decide(DEFAULTS, d1.state, 20, 50, 10.0)
    assert (d2.desired, d2.reason) == (20, "DesiredWithinRange") or d2.desired == 20
    # 15 s after the first event it no longer counts: 20 -> 40
    d3 = decide(DEFAULTS, d2.state, 20, 50, 15.0)
    assert d3.desired == 40


def test_docs_scale_down_example_80_to_72_to_64() -> None:
    # kubernetes.io: policies Pods 4 / 60 s and Percent 10 / 60 s (Max); 80 replicas asked
    # down to 10: first step 8 (10 %), then at 72, 10 % is 7.2, "rounded up to 8"
    down = Rules(0.0, "Max", (Policy("Pods", 4, 60.0), Policy("Percent", 10, 60.0)))
    spec = HPASpec(min_replicas=1, max_replicas=100, behavior=Behavior(DEFAULT_UP, down))
    d1 = decide(spec, HPAState(), 80, 10, 0.0)
    assert d1.desired == 72
    d2 = decide(spec, d1.state, 72, 10, 60.0)
    assert d2.desired == 64


def test_select_min_and_disabled() -> None:
    up = Rules(0.0, "Min", (Policy("Pods", 4, 15.0), Policy("Percent", 100, 15.0)))
    spec = HPASpec(max_replicas=100, behavior=Behavior(up, DEFAULT_DOWN))
    assert decide(spec, HPAState(), 10, 50, 0.0).desired == 14
    off = Rules(0.0, "Disabled", ())
    spec = HPASpec(max_replicas=100, behavior=Behavior(off, DEFAULT_DOWN))
    assert decide(spec, HPAState(), 10, 50, 0.0).desired == 10


def test_downscale_stabilization_takes_the_window_s_highest_recommendation() -> None:
    st = HPAState()
    d = decide(DEFAULTS, st, 10, 10, 0.0)  # initial recommendation 10, proposal 10
    d = decide(DEFAULTS, d.state, 10, 4, 15.0)
    assert (d.desired, d.reason) == (10, "ScaleDownStabilized")
    d = decide(DEFAULTS, d.state, 10, 4, 300.0)  # 10 recorded at 0 and 0: out of (0, 300]
    assert d.desired == 4


def test_legacy_path_without_behavior() -> None:
    spec = HPASpec(min_replicas=1, max_replicas=100)  # no behaviour: max(2 x current, 4)
    assert decide(spec, HPAState(), 1, 50, 0.0).desired == 4
    assert decide(spec, HPAState(), 10, 50, 0.0).desired == 20
    d = decide(spec, HPAState(), 10, 10, 0.0)
    d = decide(spec, d.state, 10, 3, 299.0)
    assert d.desired == 10  # 10 at t=0 is inside the 300 s window
    d = decide(spec, d.state, 10, 3, 301.0)
    assert d.desired == 3


def test_bounds_outside_the_metric() -> None:
    spec = HPASpec(min_replicas=3, max_replicas=8, behavior=Behavior())
    assert decide(spec, HPAState(), 10, None, 0.0).desired == 8  # above max
    assert decide(spec, HPAState(), 2, None, 0.0).desired == 3  # below min
    assert decide(spec, HPAState(), 0, 50, 0.0).reason == "ScalingDisabled"
    assert decide(spec, HPAState(), 5, None, 0.0).desired == 5  # no metric: no change


# ---------------------------------------------------------------- properties

specs = st.builds(
    lambda lo, span, beh: HPASpec(
        min_replicas=lo, max_replicas=lo + span, behavior=Behavior() if beh else None
    ),
    st.integers(1, 20),
    st.integers(0, 80),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(specs, st.lists(st.integers(0, 300), min_size=1, max_size=40), st.integers(1, 100))
def test_properties_over_a_sequence_of_evaluations(
    spec: HPASpec, proposals: list[int], start: int
) -> None:
    st_ = HPAState()
    current = min(max(start, spec.min_replicas), spec.max_replicas)
    history: list[tuple[float, int]] = [(0.0, current)]
    for i, p in enumerate(proposals):
        now = 15.0 * (i + 1)
        d = decide(spec, st_, current, p, now)
        # within [min, max]
        assert spec.min_replicas <= d.desired <= spec.max_replicas
        history.append((now, p))
        if d.desired > current:
            # rate limits: never beyond the default policies (or the legacy cap)
            if spec.behavior is None:
                assert d.desired <= max(2 * current, 4)
            else:
                assert d.desired <= max(current + 4, 2 * current)
                # with a behaviour (no scale-up window) only a proposal above it scales up; the
                # legacy path's window can also raise it to an earlier, capped recommendation
                assert d.desired <= max(p, spec.min_replicas)
        if d.desired < current:
            # stabilization: a scale-down never goes below the window's highest recommendation
            window = 300.0
            legacy = spec.behavior is None  # counts t >= cutoff; behaviours t > cutoff
            recent = [r for t, r in history if t > now - window or (legacy and t == now - window)]
            assert d.desired >= min(max(recent), spec.max_replicas)
        current = d.desired
        st_ = d.state
