"""The utilization histories the traffic model feeds: per-pod load, several services summed,
and only as much history kept as a scrape can still reach."""

from __future__ import annotations

import pytest

from federation.autoscaling.metrics import Utilization


def test_per_pod_load_is_arrival_over_ready_replicas_times_capacity() -> None:
    u = Utilization(keep=70.0)
    u.backs("Deployment/shop/web", ["shop/web"])
    u.on_ready("a", "Deployment/shop/web", 4, 1.0)
    u.on_serving("shop/web", "a", 4, 300.0, 100.0, 2.0)  # 300 / (4 x 100) = 0.75
    u.on_serving("shop/web", "a", 0, 300.0, 100.0, 3.0)  # nobody Ready: 0
    ready, load = u.histories("Deployment/shop/web", "a")
    assert ready == [(1.0, 4.0)]
    assert load == [(2.0, 0.75), (3.0, 0.0)]


def test_several_services_add_up() -> None:
    u = Utilization(keep=70.0)
    u.backs("Deployment/shop/web", ["shop/a", "shop/b"])
    u.on_serving("shop/a", "a", 2, 100.0, 100.0, 0.0)  # 0.5
    u.on_serving("shop/b", "a", 2, 40.0, 100.0, 5.0)  # 0.2 from 5 s
    _, load = u.histories("Deployment/shop/web", "a")
    assert load == [(0.0, pytest.approx(0.5)), (5.0, pytest.approx(0.7))]


def test_history_older_than_a_scrape_can_reach_is_forgotten() -> None:
    u = Utilization(keep=70.0)
    for t in range(0, 200, 10):
        u.on_ready("a", "k", t, float(t))
    ready, _ = u.histories("k", "a")
    # the step in force at 190 - 70 = 120 s is kept, nothing before it
    assert ready[0] == (120.0, 120.0) and ready[-1] == (190.0, 190.0)
