"""Sweeps on a federation small enough to work out by hand (tests/planning/federations.py):
three one-node clusters of C CPUs each, web = 6 replicas of 1 CPU divided 2/2/2, cluster a
down from 60 s for 90 s, expectations: failover from a within 30 s, availability >= 0.9.

By hand: C = 1 cannot even place the 6 replicas (3 fit); C = 2 places them, but when a goes
the survivors b and c have 4 CPUs for 6 replicas, so 2 fit nowhere until a is back; from C = 3
the survivors hold all 6. Every CPU costs 0.5 per hour: 3 clusters x C x 0.5 = 1.5 C."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kfed
from federation.planning.points import aggregate
from federation.planning.statistics import wilson
from tests.planning.federations import write

CPU = "Cluster[*].spec.capacity.cpu"


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("hand"))


@pytest.fixture(scope="module")
def swept(hand: Path) -> kfed.sweep:
    return kfed.sweep(hand, [f"{CPU}=1..5"], seeds=4, workers=2)


def test_pass_rate_and_cost_against_the_hand_computed_case(swept) -> None:
    p = swept.points
    assert list(p[CPU]) == [1, 2, 3, 4, 5]
    assert list(p["runs"]) == [4] * 5
    assert list(p["pass_rate"]) == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert list(p["cost_per_hour"]) == [1.5, 3.0, 4.5, 6.0, 7.5]
    low, high = wilson(0, 4)
    assert (p["pass_rate_low"][0], p["pass_rate_high"][0]) == (0.0, round(high, 6))
    low, high = wilson(4, 4)
    assert (p["pass_rate_low"][2], p["pass_rate_high"][2]) == (round(low, 6), 1.0)
    # C = 1: 3 of the 6 replicas never run: availability about 1/2 of the counted time
    assert p["availability_p50"][0] < 0.5
    # C = 2: 2 of 6 missing for about 125 s of 300 (until a is back and Ready)
    assert 0.8 < p["availability_p50"][1] < 0.9
    best = swept.cheapest()
    assert best is not None and best[CPU] == 3 and best["cost_per_hour"] == 4.5
    assert swept.expectations == [
        "failover from a within 30s",
        "availability of Deployment/shop/web >= 0.9",
    ]


def test_runs_have_one_row_per_run_with_the_documented_columns(swept) -> None:
    r = swept.runs
    assert len(r) == 20 and list(r[["point", "seed"]].itertuples(index=False, name=None)) == [
        (p, s) for p in range(5) for s in range(1, 5)
    ]
    for column in (
        CPU,
        "seed",
        "passed",
        "expect.0.passed",
        "expect.0.value",
        "expect.1.passed",
        "expect.1.value",
        "availability",
        "workload.Deployment/shop/web.availability",
        "workload.Deployment/shop/web.unavailable_replica_seconds",
        "workload.Deployment/shop/web.pending_replica_seconds",
        "failover_s",
        "failover.a.detect_s",
        "failover.a.recover_s",
        "cost_per_hour",
        "used_per_hour",
        "wall_seconds",
    ):
        assert column in r.columns, column
    # detection is the third failed probe, about 4 s after the first (whatever the capacity)
    assert r["failover.a.detect_s"].between(4.0, 6.1).all()
    assert (r["passed"] == (r[CPU] >= 3)).all()


def test_points_aggregate_by_hand() -> None:
    runs = pd.DataFrame(
        {
            "point": [0, 0, 0, 0, 1],
            "x": [1, 1, 1, 1, 2],
            "seed": [1, 2, 3, 4, 1],
            "passed": [True, True, False, True, True],
            "expect.0.passed": [True, True, False, True, True],
            "availability": [0.9, 0.8, 0.7, 0.95, 1.0],
            "failover_s": [5.0, 7.0, float("inf"), 6.0, None],
            "cost_per_hour": [2.0] * 4 + [3.0],
            "used_per_hour": [1.0, 1.0, 1.0, 2.0, 1.0],
        }
    )
    p = aggregate(runs, ["x"]).to_dict("records")
    assert p[0]["runs"] == 4 and p[0]["passed"] == 3 and p[0]["pass_rate"] == 0.75
    assert (p[0]["pass_rate_low"], p[0]["pass_rate_high"]) == (
        pytest.approx(0.3006, abs=1e-4),
        pytest.approx(0.9544, abs=1e-4),
    )
    assert p[0]["availability_p5"] == 0.7 and p[0]["availability_p50"] == 0.8
    assert p[0]["failover_p50_s"] == 6.0 and p[0]["failover_p95_s"] == float("inf")
    assert p[0]["used_per_hour"] == 1.25 and p[0]["expect.0.pass_rate"] == 0.75
    assert pd.isna(p[1]["failover_p50_s"])  # no failover in that run


def test_find_on_the_hand_case(hand: Path) -> None:
    found = kfed.sweep(hand, [f"{CPU}=1..12"], seeds=2, workers=1, find=CPU)
    (f,) = found.found
    assert f.complete and f.value == 3 and f.counterexample is None
    assert set(found.points[CPU]) < set(range(1, 13))  # not every value was run
    assert f.describe() == f"{CPU}: smallest value with a pass rate >= 0.95: 3 (2/2 runs passed)"


def test_find_per_value_of_another_swept_path(hand: Path) -> None:
    # with c at 2 CPUs, losing a leaves b + c = C + 2 >= 6: C = 4; with c at 6, the division
    # puts on c what a and b have no room for (1 + 1 + 4 at C = 1), and b + c = C + 6 >= 6
    # holds from C = 1
    result = kfed.sweep(
        hand, ["Cluster[tier=gold].spec.capacity.cpu=1..8", "Cluster/c.spec.capacity.cpu=2,6"],
        seeds=1, workers=2, find="Cluster[tier=gold].spec.capacity.cpu",
    )
    got = {tuple(f.others.values()): f.value for f in result.found}
    assert got == {(2,): 4, (6,): 1}


def test_every_point_is_validated_before_anything_runs(hand: Path) -> None:
    calls = []
    with pytest.raises(kfed.LoadError) as e:
        kfed.sweep(hand, [f"{CPU}=4,-1"], seeds=1, workers=1, progress=lambda d, t: calls.append(d))
    assert calls == []
    assert e.value.errors[0].endswith(
        f"spec.capacity.cpu: must be >= 0, got -1; set by {CPU}=-1 (line 17, Cluster a)"
    )


def test_ctrl_c_keeps_what_finished(hand: Path) -> None:
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 3:  # after the two timed runs and one batch of the pool
            raise KeyboardInterrupt

    result = kfed.sweep(hand, [f"{CPU}=3,4"], seeds=10, workers=2, progress=progress)
    assert result.interrupted
    assert 2 < len(result.runs) < 20 and len(result.runs) == seen[-1]
    assert result.runs["passed"].all()
