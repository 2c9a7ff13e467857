"""Every figure of summary.json on small timelines computed by hand (docs/api.md, "What the
numbers mean")."""

from __future__ import annotations

import pytest

from federation.api.scenario import Expectation
from federation.recorder import Row
from federation.report.expectations import Judge, judge
from federation.report.figures import (
    failovers,
    pending_replica_seconds,
    recovered_at,
    series,
    window_figures,
    workload_figures,
)

W = "Deployment/shop/web"


def desired(t: float, n: int) -> Row:
    return Row(t, "desired", "", W, {"replicas": n})


def ready(t: float, c: str, n: int) -> Row:
    return Row(t, "ready", c, W, {"ready": n})


def pending(t: float, c: str, n: int, reason: str = "") -> Row:
    return Row(t, "pending", c, W, {"pending": n, "reason": reason})


def schedule(t: float, asked: dict[str, int], unschedulable: int = 0) -> Row:
    return Row(
        t,
        "schedule",
        "",
        W,
        {"assignment": asked, "desired": asked, "unschedulable": unschedulable},
    )


def fault(t: float, c: str, phase: str, kind: str = "outage") -> Row:
    return Row(t, "fault", c, "", {"phase": phase, "fault": kind})


# 4 desired; a and b serve 2 each from t=1 and t=2; a's 2 are lost 10..14; run ends at 20
OUTAGE = [desired(0, 4), ready(1, "a", 2), ready(2, "b", 2), ready(10, "a", 0), ready(14, "a", 2)]


def test_availability_counts_from_first_fully_available() -> None:
    s = series(OUTAGE)["Deployment/shop/web"]
    f = workload_figures(s, 20.0)
    # counted: 2 Ready over [1, 2) (the others were starting), then 4 x 18 = 72 replica-s;
    # missing 2 x (14 - 10) = 8
    assert f["time_to_available"] == 2.0
    assert f["unavailable_replica_seconds"] == 8.0
    assert f["availability"] == pytest.approx(1 - 8 / 74, abs=1e-6)
    assert f["max_unavailable"] == 2
    assert f["pending_replica_seconds"] == 0.0


def test_windowed_availability() -> None:
    s = series(OUTAGE)[W]
    w = window_figures(s, 8.0, 16.0)
    # desired 4 x 8 = 32, missing 2 x 4 = 8
    assert w["availability"] == pytest.approx(0.75)
    assert (w["max_unavailable"], w["max_unavailable_at"]) == (2, 10.0)
    w = window_figures(s, 15.0, 20.0)
    assert w["availability"] == 1.0 and w["max_unavailable"] == 0


def test_pending_replicas_are_missing_even_during_start_up() -> None:
    rows = [
        desired(0, 4),
        pending(0, "a", 2, "0/2 nodes are available: 2 Insufficient cpu"),
        ready(1, "b", 2),
        pending(5, "a", 0),
        ready(6, "a", 2),
    ]
    s = series(rows)[W]
    f = workload_figures(s, 20.0)
    # before first available (t=6) only unplaced replicas are missing: 2 over [0, 5) = 10;
    # counted: [0,1) 2 pending, [1,5) 2 Ready + 2 pending, [5,6) 2 Ready (2 starting), then 4 x 14
    assert f["unavailable_replica_seconds"] == 10.0
    assert f["availability"] == pytest.approx(1 - 10 / (2 + 16 + 2 + 56))
    assert f["pending_replica_seconds"] == 10.0
    assert pending_replica_seconds(s, 20.0, start=3.0) == 4.0
    assert f["time_to_available"] == 6.0


def test_unschedulable_replicas_are_missing_during_start_up() -> None:
    rows = [desired(0, 4), schedule(0, {"a": 3}, unschedulable=1), ready(2, "a", 3)]
    f = workload_figures(series(rows)[W], 10.0)
    # never fully available: every missing replica counts: 4 x 2 + 1 x 8 = 16 of 40
    assert f["time_to_available"] is None
    assert f["unavailable_replica_seconds"] == 16.0


def test_duplicated_recovery_means_a_copy_on_every_other_target() -> None:
    # 3 copies of 2 on a, b, c; c dies at 10, evicted at 14 (new targets a and b), a's copy
    # was already there, so it recovers at once; a Divided one would need c's share elsewhere
    rows = [
        desired(0, 6),
        schedule(0, {"a": 2, "b": 2, "c": 2}),
        ready(1, "a", 2),
        ready(1, "b", 2),
        ready(1, "c", 2),
        fault(10, "c", "start"),
        ready(10, "c", 0),
        Row(14, "evict", "c", W, {"reason": "taint"}),
        schedule(14, {"a": 2, "b": 2}),
    ]
    s = series(rows)[W]
    assert recovered_at(s, 14.0, "c") == 14.0
    (fo,) = failovers(rows, series(rows), 30.0)
    assert (fo["fault_at"], fo["evicted_at"], fo["recovered_at"]) == (10.0, 14.0, 14.0)


def test_divided_recovery_waits_for_the_moved_share() -> None:
    rows = [
        desired(0, 6),
        schedule(0, {"a": 2, "b": 2, "c": 2}),
        ready(1, "a", 2),
        ready(1, "b", 2),
        ready(1, "c", 2),
        fault(10, "c", "start"),
        ready(10, "c", 0),
        Row(14, "evict", "c", W, {"reason": "taint"}),
        schedule(14, {"a": 3, "b": 3}),
        ready(16, "a", 3),
        ready(17.5, "b", 3),
    ]
    (fo,) = failovers(rows, series(rows), 30.0)
    assert fo["recovered_at"] == 17.5


def test_never_recovered_while_replicas_fit_nowhere() -> None:
    rows = [
        desired(0, 6),
        schedule(0, {"a": 3, "c": 3}),
        ready(1, "a", 3),
        ready(1, "c", 3),
        fault(10, "c", "start"),
        ready(10, "c", 0),
        Row(14, "evict", "c", W, {}),
        schedule(14, {"a": 4}, unschedulable=2),
        ready(16, "a", 4),
    ]
    (fo,) = failovers(rows, series(rows), 30.0)
    assert fo["recovered_at"] is None


def _judge(rows: list[Row], kind: str, end: float = 20.0, **params: object) -> dict:
    s = series(rows)
    j = Judge(sorted(rows, key=lambda r: r.t), s, failovers(rows, s, end), end)
    return judge(Expectation(kind, "test", params), j)  # type: ignore[arg-type]


def test_expectation_results_carry_kind_params_threshold_and_reason() -> None:
    rows = [*OUTAGE, fault(10, "a", "start"), fault(14, "a", "end"), schedule(0, {"a": 2, "b": 2})]
    r = _judge(rows, "availability", workload=W, min=0.95)
    assert r["kind"] == "availability" and r["params"]["min"] == 0.95
    assert r["threshold"] == 0.95 and not r["passed"]
    assert r["value"] == pytest.approx(1 - 8 / 74, abs=1e-6)
    assert "8.0 unavailable replica-s" in r["reason"]
    assert "2 of 4 Ready at 10.0 s" in r["reason"] and "short on a 0/2" in r["reason"]
    assert "outage of a since 10.0 s" in r["reason"]
    # the same over a window after the outage passes, with no reason
    r = _judge(rows, "availability", workload=W, min=0.95, **{"from": 14.0, "to": 20.0})
    assert r["passed"] and r["value"] == 1.0 and r["reason"] == ""


def test_max_unavailable_and_replicas_on_reasons() -> None:
    rows = [
        *OUTAGE,
        schedule(0, {"a": 2, "b": 2}),
        pending(10, "a", 2, "0/1 nodes are available: 1 Insufficient cpu"),
        pending(14, "a", 0),
    ]
    r = _judge(rows, "max-unavailable", workload=W, replicas=1)
    assert (r["value"], r["passed"]) == (2, False)
    assert "2 replicas of shop/web Pending on a from 10.0 s: 0/1 nodes" in r["reason"]
    r = _judge(rows, "replicas-on", workload=W, cluster="a", at=12.0, min=1, max=None)
    assert (r["value"], r["passed"]) == (0, False)
    assert r["reason"].startswith("0 ready on a at 12.0 s, want >= 1")
    r = _judge(rows, "replicas-on", workload=W, cluster="a", at=15.0, min=1, max=None)
    assert r["passed"] and r["value"] == 2


def test_no_replicas_on_and_no_eviction_windows() -> None:
    rows = [*OUTAGE, Row(10.5, "evict", "a", W, {"reason": "taint kfed.io/unreachable"})]
    r = _judge(rows, "no-replicas-on", cluster="a", **{"from": 10.0, "to": 13.0})
    assert r["passed"] and r["value"] == 0
    r = _judge(rows, "no-replicas-on", cluster="a", after=12.0)
    assert not r["passed"] and r["reason"] == "2 ready replica(s) on a: shop/web at 14.0 s"
    assert _judge(rows, "no-eviction", **{"from": 11.0, "to": 20.0})["passed"]
    r = _judge(rows, "no-eviction", cluster="a")
    assert r["value"] == 1 and "shop/web from a at 10.5 s" in r["reason"]
