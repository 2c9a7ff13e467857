"""The public API beyond runs and sweeps, on cases worked out by hand: `kfed.plan`,
`kfed.divide`, `Scenario.description` and `.timeline`, `Result.traffic` over a window.

The hand federation (tests/planning/federations.py): clusters a, b, c with C_a, C_b, C_c CPUs,
web = 6 replicas of 1 CPU divided by equal weights, cluster a down from 60 s for 90 s."""

from __future__ import annotations

from pathlib import Path

import pytest

import kfed
from federation.core.division import METHODS
from tests.planning.federations import write

ROOT = Path(__file__).resolve().parents[2]
WEB = "Deployment/shop/web"


def test_plan_places_by_capacity_then_weight(tmp_path: Path) -> None:
    # room for 1, 2 and 3 replicas: each cluster is full, nothing is left over
    p = kfed.plan(write(tmp_path, a=1, b=2, c=3))
    assert p.assignment[WEB] == {"a": 1, "b": 2, "c": 3}
    web = p.placements[p.placements.workload == WEB].set_index("cluster")
    assert list(web.replicas) == [1, 2, 3]
    assert list(web.fits) == [1, 2, 3]  # the room when web's turn came: all of it
    assert all(web.target)
    assert "room for 1 left (capacity)" in web.reason["a"]
    (row,) = p.workloads[p.workloads.workload == WEB].to_dict("records")
    assert (row["replicas"], row["unschedulable"], row["method"]) == (6, 0, "kfed")
    assert "ClusterPropagationPolicy shop" in row["policy"]
    # copied kinds go whole, with no replica count
    ns = p.placements[p.placements.workload == "Namespace/shop"]
    assert ns.replicas.isna().all() and ns.target.all()
    assert "Deployment/shop/web: 6 replicas" in p.text() and str(p) == p.text()
    (doc,) = [w for w in p.as_dict()["workloads"] if w["workload"] == WEB]
    assert doc["assignment"] == {"a": 1, "b": 2, "c": 3} and doc["unschedulable"] == 0


def test_plan_reports_what_fits_nowhere_and_can_ignore_capacity(tmp_path: Path) -> None:
    path = write(tmp_path, a=1, b=1, c=1)
    tight = kfed.plan(path)
    assert tight.assignment[WEB] == {"a": 1, "b": 1, "c": 1}
    assert tight.workloads.set_index("workload").unschedulable[WEB] == 3
    free = kfed.plan(kfed.load(path), capacity=False)
    assert free.assignment[WEB] == {"a": 2, "b": 2, "c": 2}
    assert free.placements.fits.isna().all()


def test_plan_says_why_a_cluster_is_left_out(tmp_path: Path) -> None:
    sc = kfed.load(write(tmp_path)).set(
        "ClusterPropagationPolicy/shop.spec.placement.clusterAffinity",
        {"labelSelector": {"matchLabels": {"tier": "gold"}}},
    )
    p = kfed.plan(sc)
    web = p.placements[p.placements.workload == WEB].set_index("cluster")
    assert p.assignment[WEB] == {"a": 3, "b": 3}
    assert not web.target["c"] and web.replicas["c"] == 0 and web.reason["c"]


def test_divide_by_hand() -> None:
    # Webster: quotas 6.67 and 3.33 round to 7 and 3
    d = kfed.divide(10, {"a": 2, "b": 1})
    assert dict(d.replicas) == {"a": 7, "b": 3} and d.unschedulable == 0
    assert kfed.divide(10, [{"name": "a", "weight": 2}, {"name": "b"}]) == d
    # a holds 3 at most, c takes 2 at most: b gets the other 5
    capped = kfed.divide(
        10,
        [
            {"name": "a", "weight": 2, "capacity": 3},
            {"name": "b", "weight": 1, "min": 2},
            {"name": "c", "weight": 1, "max": 2},
        ],
    )
    assert dict(capped.replicas) == {"a": 3, "b": 5, "c": 2}
    assert dict(capped.overflow) == {"a": 2}  # 5 of 10 by weight (2 of 4), room for 3
    for method in kfed.DIVISION_METHODS:  # every method places all of them somewhere
        assert sum(kfed.divide(3, {"a": 2, "b": 1, "c": 1}, method=method).replicas.values()) == 3
    assert kfed.DIVISION_METHODS == METHODS
    with pytest.raises(ValueError, match="unknown division method"):
        kfed.divide(3, {"a": 1}, method="nope")
    with pytest.raises(ValueError, match="total"):
        kfed.divide(-1, {"a": 1})


def test_scenario_description_and_timeline(tmp_path: Path) -> None:
    sc = kfed.load(write(tmp_path))
    assert sc.description == ""
    sc = sc.set(
        {
            "Scenario.spec.description": "a goes down",
            "Scenario.spec.timeline": [
                {"name": "a-down", "at": 60, "fault": "outage", "cluster": "a", "duration": 90},
                {"at": 30, "operation": "scale", "workload": "web", "replicas": 3},
            ],
        }
    )
    assert sc.description == "a goes down"
    rows = sc.timeline.to_dict("records")
    assert rows == [
        {"at": 30.0, "end": 30.0, "name": "", "type": "operation", "kind": "scale",
         "clusters": [], "workload": WEB},
        {"at": 60.0, "end": 150.0, "name": "a-down", "type": "fault", "kind": "outage",
         "clusters": ["a"], "workload": ""},
    ]


@pytest.fixture(scope="module")
def migration() -> kfed.Result:
    return kfed.run(ROOT / "scenarios" / "migration.yaml")


def test_traffic_over_a_window_by_hand(migration: kfed.Result) -> None:
    # before the moves at 60 s: 200 req/s from each region of each service, all served
    t = migration.traffic(10, 50).set_index(["service", "region"])
    for service in ("shop/web", "shop/web-naive"):
        for region in ("eu-west", "us-east"):
            assert t.requests[service, region] == pytest.approx(200 * 40, abs=1e-3)
            assert t.failed[service, region] == 0
            assert t.success_rate[service, region] == 1.0
        assert t.requests[service, "all"] == pytest.approx(2 * 200 * 40, abs=1e-3)
    # eu-west's clients are served in eu-west: RTT within a region, below us-east's p99
    assert t.latency_p99_ms["shop/web", "eu-west"] < 50


def test_traffic_over_the_whole_run_is_the_summary(migration: kfed.Result) -> None:
    t = migration.traffic()
    services = migration.summary["traffic"]["services"]
    for row in t.to_dict("records"):
        figs = services[row["service"]]
        want = figs["all"] if row["region"] == "all" else figs["regions"][row["region"]]
        assert {k: row[k] for k in want} == want
    # the naive move's failed requests are all after it began: the operation's own figure
    naive = migration.traffic(60).set_index(["service", "region"])
    ops = {o["name"]: o for o in migration.summary["operations"]}
    assert naive.failed["shop/web-naive", "all"] == ops["naive-move"]["failed_requests"]
    assert naive.failed["shop/web-naive", "all"] > 0
    with pytest.raises(ValueError, match="start"):
        migration.traffic(100, 50)


def test_traffic_without_clients_is_empty(tmp_path: Path) -> None:
    t = kfed.run(write(tmp_path), duration=30).traffic()
    assert t.empty and list(t.columns[:2]) == ["service", "region"]
