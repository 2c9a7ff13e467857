"""N-k survivability on the hand federation (tests/planning/federations.py): a and b (4 CPUs
each) in region r1, c (4 CPUs) in r2; web = 6 replicas of 1 CPU, 2 per cluster.

By hand: losing any one cluster leaves 8 CPUs for 6 replicas: every set passes. Losing r1
leaves c alone: 4 CPUs, so 2 replicas fit nowhere and the failover never completes until r1 is
back; losing r2 leaves 8. Headroom: every region set passes once c alone holds 6 (4f >= 6,
f >= 1.5) and a + b hold 6 (8f >= 6): f = 1.5, and 12 CPUs x 0.5 x 1.5 = 9.0 per hour."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import kfed
from federation.api import load_scenario
from federation.planning.failure_sets import domains, failure_sets, static_check
from federation.planning.survival import outage_of
from tests.planning.federations import write


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("hand"))


def test_failure_sets_per_domain(hand: Path) -> None:
    desired = load_scenario(hand).desired
    assert domains(desired, "region") == {"r1": ("a", "b"), "r2": ("c",)}
    assert [s.label for s in failure_sets(desired, "cluster", 2)] == ["a+b", "a+c", "b+c"]
    assert [s.clusters for s in failure_sets(desired, "zone", 1)] == [("a",), ("b",), ("c",)]
    with pytest.raises(ValueError, match=r"--k must be 1..2 \(there are 2 regions\), got 3"):
        failure_sets(desired, "region", 3)


def test_static_check_by_hand(hand: Path) -> None:
    desired = load_scenario(hand).desired
    r1 = static_check(desired, ("a", "b"))
    assert r1 == {
        "survivors": 1,
        "cpu_capacity": 4.0,
        "cpu_requested": 4.0,
        "cpu_unplaced": 2.0,
        "memory_capacity_gib": 64.0,
        "memory_requested_gib": 4.0,
        "memory_unplaced_gib": 2.0,
        "unschedulable": 2,
        "fits": False,
        "cpu_utilization": 1.0,
    }
    r2 = static_check(desired, ("c",))
    assert (r2["cpu_capacity"], r2["cpu_requested"], r2["fits"]) == (8.0, 6.0, True)
    assert r2["cpu_utilization"] == 0.75


def test_the_outage_replaces_the_faults_and_failover_checks_follow_it(hand: Path) -> None:
    sc = load_scenario(hand)
    (r1,) = [s for s in failure_sets(sc.desired, "region", 1) if s.label == "r1"]
    variant, fold = outage_of(sc, r1, 100.0, 50.0, {"a", "b", "c"})
    (fault,) = variant.faults
    assert (fault.kind, fault.at, fault.duration, fault.clusters) == ("outage", 100.0, 50.0,
                                                                      ("a", "b"))
    # failoverWithin a (30 s) now asks it of a and of b; availability is kept as it was
    assert [e.description for e in variant.expectations] == [
        "failover from a within 30s",
        "failover from b within 30s",
        "availability of Deployment/shop/web >= 0.9",
    ]
    assert fold == (0, 0, 1)


def test_n_minus_1_by_cluster_survives(hand: Path) -> None:
    nk = kfed.survive(hand, seeds=2, workers=2)
    assert nk.survives and list(nk.sets["set"]) == ["a", "b", "c"]
    assert list(nk.sets["pass_rate"]) == [1.0, 1.0, 1.0]
    assert (nk.at, nk.duration) == (60.0, 90.0)  # the scenario's own outage
    m = nk.matrix
    assert list(m["unschedulable_max"]) == [0, 0, 0] and m["affected"].all()
    assert (m["recover_max_s"] < 30).all()


def test_n_minus_1_by_region_with_headroom(hand: Path) -> None:
    nk = kfed.survive(hand, domain="region", seeds=2, workers=2, headroom=True)
    assert not nk.survives
    sets = nk.sets.set_index("set")
    assert sets.loc["r1", "pass_rate"] == 0.0 and sets.loc["r2", "pass_rate"] == 1.0
    assert sets.loc["r1", "expect.0.pass_rate"] == 0.0  # never whole again without r1...
    assert sets.loc["r1", "unschedulable"] == 2 and not sets.loc["r1", "fits"]
    m = nk.matrix.set_index("set")
    assert m.loc["r1", "unschedulable_max"] == 2 and m.loc["r2", "unschedulable_max"] == 0
    # ...until r1 is back (150 s) and Ready: well after the 30 s asked
    assert 90 < m.loc["r1", "recover_max_s"] < math.inf
    h = nk.headroom
    assert h is not None and h.complete and h.value == 1.5 and h.counterexample is None
    assert nk.capacity_per_hour == 6.0 and nk.headroom_cost() == 9.0
    sampled = {v: (k, n) for v, k, n in h.sampled}
    assert sampled[1.45] == (2, 4) and sampled[1.5] == (4, 4)  # 1.45: c holds 5 of 6


def test_a_cluster_that_never_comes_back(hand: Path) -> None:
    # the outage lasts to the end: r1's replicas that fit nowhere never run again
    nk = kfed.survive(hand, domain="region", at=60, duration=math.inf, seeds=1, workers=1)
    m = nk.matrix.set_index("set")
    assert m.loc["r1", "recover_max_s"] == math.inf
