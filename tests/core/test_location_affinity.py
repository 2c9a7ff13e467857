"""The five location-affinity modes (docs/location-affinity.md), each through the real core:
load the example YAML -> what-if plan (one reconcile) -> assert the shape of the assignment.
Each mode also has a case where the workload does not fit the way the mode wants."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from federation.api import load_scenario
from federation.whatif import WorkloadPlan, plan

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "location-affinity"
WEB = "Deployment/default/web"
# room for the examples' web replicas (500m CPU each)
FITS = {"eu-1": 16, "eu-2": 8, "us-1": 24, "us-2": 4}


def web_plan(
    tmp_path: Path, mode: str, edits: dict[str, str] | None = None, cluster_edits=None
) -> WorkloadPlan:
    """Plan `mode`'s example after textual edits (old -> new) of it and of clusters.yaml."""
    text = (EXAMPLES / f"{mode}.yaml").read_text()
    for old, new in (edits or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    clusters = (EXAMPLES / "clusters.yaml").read_text()
    for old, new in (cluster_edits or {}).items():
        assert old in clusters, old
        clusters = clusters.replace(old, new)
    (tmp_path / "clusters.yaml").write_text(clusters)
    (tmp_path / f"{mode}.yaml").write_text(text)
    s = load_scenario(tmp_path / f"{mode}.yaml")
    (w,) = [w for w in plan(s.desired).workloads if w.key == WEB]
    assert w.fits == FITS or cluster_edits
    return w


def tainted(*names: str) -> dict[str, str]:
    """clusters.yaml edits: a NoSchedule taint on each named cluster."""
    text = (EXAMPLES / "clusters.yaml").read_text()
    edits = {}
    for name in names:
        start = text.index(f"  name: {name}\n")
        spec = text.index("spec: {", start)
        edits[text[spec : text.index("\n", spec)]] = (
            text[spec : text.index("\n", spec)][:-1]
            + ", taints: [{key: maintenance, effect: NoSchedule}]}"
        )
    return edits


def test_every_example_loads_and_is_a_scenario():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if path.name != "clusters.yaml":
            s = load_scenario(path)
            assert s.name == path.stem
            assert len(s.desired.clusters) == 4


# ---------------------------------------------------------------- strictly coupled


def test_strictly_coupled_puts_every_replica_on_the_roomiest_cluster(tmp_path):
    w = web_plan(tmp_path, "strictly-coupled")
    assert w.assignment == {"us-1": 10}
    assert w.unschedulable == 0
    assert set(w.excluded) == {"eu-1", "eu-2", "us-2"}
    assert all("maxGroups 1" in why for why in w.excluded.values())


def test_strictly_coupled_never_splits_when_it_does_not_fit(tmp_path):
    w = web_plan(tmp_path, "strictly-coupled", {"replicas: 10": "replicas: 30"})
    assert w.assignment == {"us-1": 24}  # the rest stays unschedulable, not spilled
    assert w.unschedulable == 6


def test_strictly_coupled_aggregated_is_all_or_nothing(tmp_path):
    edits = {
        "replicaDivisionPreference: StaticWeight": "replicaDivisionPreference: Aggregated",
    }
    assert web_plan(tmp_path, "strictly-coupled", edits).assignment == {"us-1": 10}
    edits["replicas: 10"] = "replicas: 30"
    w = web_plan(tmp_path, "strictly-coupled", edits)
    assert w.assignment == {}
    assert w.unschedulable == 30


def test_strictly_coupled_moves_whole_when_its_cluster_is_unavailable(tmp_path):
    w = web_plan(tmp_path, "strictly-coupled", cluster_edits=tainted("us-1"))
    assert w.assignment == {"eu-1": 10}
    assert "untolerated taint maintenance:NoSchedule" in w.excluded["us-1"]


# ---------------------------------------------------------------- loosely coupled


def test_loosely_coupled_splits_within_one_region(tmp_path):
    w = web_plan(tmp_path, "loosely-coupled")
    assert set(w.assignment) == {"us-1", "us-2"}
    assert sum(w.assignment.values()) == 10
    assert w.assignment["us-2"] <= FITS["us-2"]
    assert all("region eu not among the best 1" in w.excluded[c] for c in ("eu-1", "eu-2"))


def test_loosely_coupled_does_not_leave_the_region_when_it_does_not_fit(tmp_path):
    w = web_plan(tmp_path, "loosely-coupled", {"replicas: 10": "replicas: 30"})
    assert w.assignment == {"us-1": 24, "us-2": 4}  # the us region is full
    assert w.unschedulable == 2
    assert set(w.excluded) == {"eu-1", "eu-2"}


def test_loosely_coupled_picks_the_other_region_when_one_is_unavailable(tmp_path):
    w = web_plan(tmp_path, "loosely-coupled", cluster_edits=tainted("us-1", "us-2"))
    assert set(w.assignment) == {"eu-1", "eu-2"}
    assert sum(w.assignment.values()) == 10


# ---------------------------------------------------------------- preferentially coupled


def test_preferentially_coupled_stays_on_the_preferred_cluster_while_it_fits(tmp_path):
    w = web_plan(tmp_path, "preferentially-coupled")
    assert w.assignment == {"eu-2": 6}
    assert w.unschedulable == 0


def test_preferentially_coupled_spills_only_the_overflow(tmp_path):
    w = web_plan(tmp_path, "preferentially-coupled", {"replicas: 6": "replicas: 12"})
    assert w.assignment["eu-2"] == 8  # full
    assert sum(w.assignment.values()) == 12
    assert w.unschedulable == 0


def test_preferentially_coupled_unschedulable_only_when_everything_is_full(tmp_path):
    w = web_plan(tmp_path, "preferentially-coupled", {"replicas: 6": "replicas: 60"})
    assert w.assignment == FITS
    assert w.unschedulable == 60 - sum(FITS.values())


def test_preferentially_coupled_by_aggregated_division(tmp_path):
    edits = {"replicaDivisionPreference: StaticWeight": "replicaDivisionPreference: Aggregated"}
    # fits on the roomiest cluster: nothing else is used
    assert web_plan(tmp_path, "preferentially-coupled", edits).assignment == {"us-1": 6}
    edits["replicas: 6"] = "replicas: 30"  # us-1 holds 24: the next roomiest (eu-1) joins
    w = web_plan(tmp_path, "preferentially-coupled", edits)
    assert set(w.assignment) == {"us-1", "eu-1"}
    assert sum(w.assignment.values()) == 30


def test_preferentially_coupled_by_ordered_affinity_groups(tmp_path):
    groups = {
        "    replicaScheduling:": "    clusterAffinities:\n"
        "      - {affinityName: home, clusterNames: [eu-1, eu-2]}\n"
        "      - {affinityName: away, clusterNames: [us-1, us-2]}\n"
        "    replicaScheduling:",
        "      weights:\n        - targetCluster: {clusterNames: [eu-2]}\n"
        "          weight: 1\n": "",
    }
    w = web_plan(tmp_path, "preferentially-coupled", groups)
    assert set(w.assignment) == {"eu-1", "eu-2"}
    assert "only a fallback" in w.excluded["us-1"]
    # the fallback group is used only when no cluster of the first group is feasible
    w = web_plan(tmp_path, "preferentially-coupled", groups, tainted("eu-1", "eu-2"))
    assert set(w.assignment) == {"us-1", "us-2"}


def test_ordered_groups_move_for_room_only_with_dynamic_weight(tmp_path):
    groups = {
        "    replicaScheduling:": "    clusterAffinities:\n"
        "      - {affinityName: home, clusterNames: [eu-1, eu-2]}\n"
        "      - {affinityName: away, clusterNames: [us-1, us-2]}\n"
        "    replicaScheduling:",
        "      weights:\n        - targetCluster: {clusterNames: [eu-2]}\n"
        "          weight: 1\n": "",
        "replicas: 6": "replicas: 26",
    }
    # StaticWeight (kfed) never moves for room: home is filled (16 + 8), 2 unschedulable
    w = web_plan(tmp_path, "preferentially-coupled", groups)
    assert (w.assignment, w.unschedulable) == ({"eu-1": 16, "eu-2": 8}, 2)
    # DynamicWeight: home has room for 24 < 26, so away takes all 26 (Webster over 24:4)
    groups["StaticWeight   # method kfed: weight 0 = overflow tier"] = "DynamicWeight"
    w = web_plan(tmp_path, "preferentially-coupled", groups)
    assert (w.assignment, w.unschedulable) == ({"us-1": 22, "us-2": 4}, 0)
    assert w.affinity == "group away; group home skipped: 26 replicas wanted, room for 24"
    assert w.excluded["eu-2"] == "affinity group home skipped: 26 replicas wanted, room for 24"


# ---------------------------------------------------------------- strictly decoupled


def test_strictly_decoupled_is_proportional_to_room(tmp_path):
    w = web_plan(tmp_path, "strictly-decoupled")
    assert w.assignment == {"eu-1": 8, "eu-2": 4, "us-1": 12, "us-2": 2}


def test_strictly_decoupled_places_nothing_beyond_the_total_room(tmp_path):
    # Karmada's DynamicWeight: when the clusters' room cannot hold the replicas, the scale-up
    # fails as a whole (UnschedulableError) instead of filling what fits
    w = web_plan(tmp_path, "strictly-decoupled", {"replicas: 26": "replicas: 60"})
    assert w.assignment == {}
    assert w.unschedulable == 60


# ---------------------------------------------------------------- uniformly spread


def test_uniformly_spread_gives_every_cluster_an_equal_share(tmp_path):
    w = web_plan(tmp_path, "uniformly-spread")
    assert w.assignment == {"eu-1": 3, "eu-2": 3, "us-1": 3, "us-2": 3}


def test_uniformly_spread_remainder_differs_by_at_most_one(tmp_path):
    w = web_plan(tmp_path, "uniformly-spread", {"replicas: 12": "replicas: 14"})
    assert sorted(w.assignment.values()) == [3, 3, 4, 4]


def test_uniformly_spread_refuses_fewer_clusters_than_min_groups(tmp_path):
    w = web_plan(tmp_path, "uniformly-spread", cluster_edits=tainted("eu-1", "us-1"))
    assert w.assignment == {}
    assert "minGroups is 3" in w.excluded["eu-2"]
    assert "minGroups is 3" in w.excluded["us-2"]


def test_uniformly_spread_caps_a_small_cluster_and_evens_out_the_rest(tmp_path):
    # 10 each does not fit us-2 (4) and eu-2 (8): they are capped, the rest share evenly
    w = web_plan(tmp_path, "uniformly-spread", {"replicas: 12": "replicas: 40"})
    assert w.assignment == {"eu-1": 14, "eu-2": 8, "us-1": 14, "us-2": 4}


def test_uniformly_spread_duplicated_copies_everything_everywhere(tmp_path):
    edits = {
        "replicaSchedulingType: Divided": "replicaSchedulingType: Duplicated",
        "replicaDivisionPreference: StaticWeight": "",
    }
    w = web_plan(tmp_path, "uniformly-spread", edits)
    assert w.assignment == {"eu-1": 12, "eu-2": 12, "us-1": 12, "us-2": 12}


@pytest.mark.parametrize(
    "mode",
    [
        "strictly-coupled",
        "loosely-coupled",
        "preferentially-coupled",
        "strictly-decoupled",
        "uniformly-spread",
    ],
)
def test_example_is_documented(mode):
    doc = (EXAMPLES.parents[2] / "docs" / "location-affinity.md").read_text()
    assert f"scenarios/examples/location-affinity/{mode}.yaml" in doc


def test_examples_copy_cleanly(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "la")
    s = load_scenario(tmp_path / "la" / "uniformly-spread.yaml")
    assert s.source.endswith("uniformly-spread.yaml")
