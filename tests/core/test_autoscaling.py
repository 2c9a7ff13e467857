"""Karmada's federation of the HPA (Ready members only, calibration) and the metric pipeline's
delay, computed by hand."""

from __future__ import annotations

import pytest

from federation.core.autoscaling import (
    Member,
    Pipeline,
    Scrape,
    direction_changes,
    federated,
    last_scrape,
    local,
    pods_of,
    scrape,
)
from federation.core.hpa import HPASpec, HPAState, Pods
from federation.core.step_function import integral, mean_over, min_over

SPEC = HPASpec(min_replicas=1, max_replicas=100, target=50)


def test_last_scrape_every_interval_from_the_phase() -> None:
    p = Pipeline(interval=60.0, window=10.0, phase=7.0)
    assert last_scrape(p, 6.9) is None
    assert last_scrape(p, 7.0) == 7.0
    assert last_scrape(p, 66.9) == 7.0
    assert last_scrape(p, 67.0) == 67.0


def test_window_mean_and_min_of_step_functions() -> None:
    steps = [(0.0, 1.0), (10.0, 3.0)]
    assert mean_over(steps, 5.0, 15.0) == pytest.approx(2.0)  # half at 1, half at 3
    assert mean_over([(10.0, 4.0)], 0.0, 20.0) == pytest.approx(2.0)  # 0 before the first step
    assert min_over([(0.0, 5.0), (12.0, 3.0), (20.0, 6.0)], 10.0, 15.0) == 3.0
    assert min_over([(12.0, 3.0)], 10.0, 15.0) == 0.0
    # 1 over [5, 10), 3 over [10, 15]: 5 + 15; nothing before the first step or over an empty span
    assert integral(steps, 5.0, 15.0) == pytest.approx(20.0)
    assert integral([(10.0, 4.0)], 0.0, 12.0) == pytest.approx(8.0)
    assert integral(steps, 15.0, 5.0) == 0.0


def test_scrape_reports_the_window_before_it() -> None:
    # load 0.5 until 100 s then 1.0; 4 pods Ready, a 5th from 95 s; scrapes at 0, 60, 120 ...
    p = Pipeline(interval=60.0, window=10.0, phase=0.0)
    ready = [(0.0, 4.0), (95.0, 5.0)]
    load = [(0.0, 0.5), (100.0, 1.0)]
    assert scrape(p, ready, load, 119.0) == Scrape(60.0, 4, 0.5)  # the 100 s jump is not seen
    s = scrape(p, ready, load, 125.0)
    assert s == Scrape(120.0, 5, 1.0)


def test_pods_of_a_member() -> None:
    # 6 spec, 5 Ready, metric for 4 at 75 % of a 500m request: 4 ready (375m), 1 Ready without a
    # sample (unready: CPU initialization), 1 Pending (unready)
    m = Member("a", True, 6, 5, Scrape(0.0, 4, 0.75))
    assert pods_of(m, 500) == [
        Pods(4, "ready", 500, 375),
        Pods(1, "unready", 500),
        Pods(1, "unready", 500),
    ]


def test_calibration_over_ready_members() -> None:
    # template 10 over a (3), b (4), c (3, NotReady): calibration (3 + 4) / 10 = 0.7; the 7
    # Ready pods run at 100 % of a 50 % target: ratio 2 -> ceil(2 x 7 / 0.7) = 20
    members = [
        Member("a", True, 3, 3, Scrape(0.0, 3, 1.0)),
        Member("b", True, 4, 4, Scrape(0.0, 4, 1.0)),
        Member("c", False, 3, 3, Scrape(0.0, 3, 0.0)),
    ]
    ev = federated(SPEC, HPAState(), 10, members, 1000, 30.0)
    assert ev.calibration == pytest.approx(0.7)
    assert ev.decision.proposal == 20
    assert ev.decision.desired == 20  # legacy cap max(2 x 10, 4) = 20
    assert ev.utilization == 100
    assert ev.ready_pods == 7


def test_no_ready_member_means_no_change() -> None:
    members = [Member("c", False, 3, 3, Scrape(0.0, 3, 1.0))]
    ev = federated(SPEC, HPAState(), 10, members, 1000, 30.0)
    assert ev.decision.desired == 10 and ev.decision.proposal is None


def test_a_member_s_own_hpa_sees_only_its_copy() -> None:
    # 4 spec, 4 Ready at 80 % of a 50 % target: ceil(1.6 x 4) = 7
    ev = local(SPEC, HPAState(), Member("a", True, 4, 4, Scrape(0.0, 4, 0.8)), 1000, 15.0)
    assert ev.decision.desired == 7


@pytest.mark.parametrize(
    "series,turns",
    [([1, 2, 3], 0), ([1, 3, 2], 1), ([1, 3, 2, 4, 4, 1], 3), ([5], 0), ([2, 2, 2], 0)],
)
def test_direction_changes(series: list[int], turns: int) -> None:
    assert direction_changes([(float(i), v) for i, v in enumerate(series)]) == turns
