"""Ordered affinity groups walked as Karmada's scheduler walks them (federation.core.
affinity_groups): from the group last used, forward; a group fails when no cluster of it is
feasible or when a room-reading division (DynamicWeight, Aggregated) cannot hold the replicas
to add; when all fail, the previous assignment is kept (room) or emptied (no feasible cluster).
Every number below is computed by hand: one replica takes 1 CPU, a cluster's CPUs are its room.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.desired import DesiredState
from federation.core.model import (
    Cluster,
    ClusterAffinity,
    Failback,
    FailoverPolicy,
    Placement,
    PropagationPolicy,
    ReplicaScheduling,
    Resources,
    ResourceSelector,
    Taint,
)
from tests.core.test_planner import World, deployment

WEB = "Deployment/default/web"
G1, G2 = ("a", "b"), ("c", "d")


def fleet(**cpu: int) -> list[Cluster]:
    return [Cluster(n, capacity=Resources(c, 1e12, 1000)) for n, c in sorted(cpu.items())]


def grouped(
    division: str = "DynamicWeight",
    stype: str = "Divided",
    method: str | None = None,
    failback: bool = False,
    groups: tuple[tuple[str, ...], ...] = (G1, G2),
) -> PropagationPolicy:
    return PropagationPolicy(
        "all",
        "default",
        0,
        (ResourceSelector(kind="Deployment"),),
        Placement(
            affinity_groups=tuple(ClusterAffinity(cluster_names=g) for g in groups),
            group_names=tuple(f"g{i + 1}" for i in range(len(groups))),
            replicas=ReplicaScheduling(stype, division, method),  # type: ignore[arg-type]
        ),
        FailoverPolicy(failback=Failback(failback, stabilization_seconds=4)),
    )


def world(cpu: dict[str, int], replicas: int, **kw: object) -> World:
    d = DesiredState.build(fleet(**cpu), [grouped(**kw)], [], [deployment("web", replicas)])  # type: ignore[arg-type]
    return World(d)


def first_plan(cpu: dict[str, int], replicas: int, **kw: object):  # type: ignore[no-untyped-def]
    w = world(cpu, replicas, **kw)
    plan = w.probe_all(0.0)
    return plan.workloads[WEB], plan.state.workloads[WEB]


# (case, clusters' room, replicas, settings) -> (assignment, unschedulable, group used)
CASES = [
    # group 1 holds 7 (4 + 3): 7 replicas fit it, Webster 4:3 over 7 gives 4 and 3
    ("fits g1", {"a": 4, "b": 3, "c": 10, "d": 10}, 7, {}, ({"a": 4, "b": 3}, 0, "g1")),
    # 12 > 7: DynamicWeight fails on g1; g2's room 10:10 divides 12 as 6 and 6
    ("g1 too small", {"a": 4, "b": 3, "c": 10, "d": 10}, 12, {}, ({"c": 6, "d": 6}, 0, "g2")),
    # Aggregated: g1 fails the same way; on g2 neither cluster alone holds 12, so both, 6 + 6
    (
        "aggregated",
        {"a": 4, "b": 3, "c": 10, "d": 10},
        12,
        {"division": "Aggregated"},
        ({"c": 6, "d": 6}, 0, "g2"),
    ),
    # static weights never fall over for room: kfed fills g1 (4 + 3), 5 fit nowhere
    (
        "static kfed",
        {"a": 4, "b": 3, "c": 10, "d": 10},
        12,
        {"division": "StaticWeight"},
        ({"a": 4, "b": 3}, 5, "g1"),
    ),
    # Karmada's static Weighted ignores room: 12 by weight 1:1 over g1, 6 and 6 (3 stay Pending)
    (
        "static webster",
        {"a": 4, "b": 3, "c": 10, "d": 10},
        12,
        {"division": "StaticWeight", "method": "webster"},
        ({"a": 6, "b": 6}, 0, "g1"),
    ),
    # Duplicated never falls over for room either: a full copy on each g1 cluster
    (
        "duplicated",
        {"a": 4, "b": 3, "c": 10, "d": 10},
        12,
        {"stype": "Duplicated"},
        ({"a": 12, "b": 12}, 0, "g1"),
    ),
    # every group too small (7 and 10 < 12), the first tried failing for room: the previous
    # assignment (none yet) is kept and all 12 are unschedulable
    ("all too small", {"a": 4, "b": 3, "c": 5, "d": 5}, 12, {}, ({}, 12, None)),
]


@pytest.mark.parametrize(
    ("cpu", "replicas", "kw", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_group_used(
    cpu: dict[str, int], replicas: int, kw: dict[str, object], want: tuple[object, ...]
) -> None:
    status, ws = first_plan(cpu, replicas, **kw)
    assert (dict(status.assignment), status.unschedulable, ws.group) == want


def test_the_plan_says_which_group_and_why() -> None:
    status, _ = first_plan({"a": 4, "b": 3, "c": 10, "d": 10}, 12)
    assert status.affinity == "group g2; group g1 skipped: 12 replicas wanted, room for 7"
    assert status.excluded["a"] == "affinity group g1 skipped: 12 replicas wanted, room for 7"
    assert status.capacity_bound  # room decided it: a change of room reconciles it again
    status, _ = first_plan({"a": 4, "b": 3, "c": 5, "d": 5}, 12)
    assert status.affinity == (
        "no group fits (group g1 skipped: 12 replicas wanted, room for 7, "
        "group g2 skipped: 12 replicas wanted, room for 10); the previous assignment is kept"
    )


def test_all_groups_too_small_keeps_the_running_replicas() -> None:
    # 6 run on g1 (Webster 6 over 4:3: a 3, b 3); a scale to 12 adds 6, g1 has room for 1
    # (a 4-3, b 3-3) and g2 for 10 < 12: Karmada keeps the previous result, 6 unschedulable
    w = world({"a": 4, "b": 3, "c": 5, "d": 5}, 6)
    w.probe_all(0.0)
    assert w.replicas() == {"a": 3, "b": 3}
    w.desired = w.desired.with_workloads([deployment("web", 12)])
    st_ = w.step(1.0).workloads[WEB]
    assert (dict(st_.assignment), st_.unschedulable) == ({"a": 3, "b": 3}, 6)
    assert st_.affinity.startswith("no group fits (group g1 skipped: 6 replicas wanted, room for 1")


def test_a_scale_up_beyond_the_group_moves_the_whole_workload_to_the_next() -> None:
    # 6 on g1 (a 3, b 3); 9 needs 3 more, g1 has room for 1: g2 (room 10:10) takes all 9
    # (its division sees nothing of g1's replicas: Karmada's FindOutScheduledCluster keeps
    # the previous result of the candidate clusters only) -> Webster 9 over 10:10 = 5 and 4
    # (which one gets 5 is the workload UID's tie-break)
    w = world({"a": 4, "b": 3, "c": 10, "d": 10}, 6)
    w.probe_all(0.0)
    w.desired = w.desired.with_workloads([deployment("web", 9)])
    st_ = w.step(1.0).workloads[WEB]
    assert set(st_.assignment) == {"c", "d"} and sorted(st_.assignment.values()) == [4, 5]
    assert st_.affinity == "group g2; group g1 skipped: 3 replicas wanted, room for 1"
    assert w.state.workloads[WEB].group == "g2"
    # scaling back to 6 does not return it: scheduling starts from the group last used, and
    # DynamicWeight scales down in proportion to the current layout (Webster 6 over 5:4 or
    # 4:5 gives 3 and 3)
    w.desired = w.desired.with_workloads([deployment("web", 6)])
    st_ = w.step(2.0).workloads[WEB]
    assert dict(st_.assignment) == {"c": 3, "d": 3}
    assert st_.affinity == "group g2 (scheduling starts from the group last used)"


def test_a_later_group_never_returns_by_itself_and_no_group_means_nothing_placed() -> None:
    # Karmada walks forward from the observed group: on g2, a g2 with no feasible cluster
    # fails every group tried (g2 only) even though g1 is healthy -> the result is emptied
    # (karmada-io/karmada#4990, step 5)
    down = Taint("maint", effect="NoExecute")
    cl = fleet(a=10, b=10, c=10, d=10)
    d = DesiredState.build(
        [replace(c, taints=(down,)) if c.name in G1 else c for c in cl],
        [grouped()],
        [],
        [deployment("web", 4)],
    )
    w = World(d)
    w.probe_all(0.0)
    assert set(w.replicas()) == {"c", "d"} and w.state.workloads[WEB].group == "g2"
    w.desired = DesiredState.build(
        [replace(c, taints=(down,)) if c.name in G2 else c for c in cl],
        [grouped()],
        [],
        [deployment("web", 4)],
    )
    st_ = w.step(1.0).workloads[WEB]
    assert (dict(st_.assignment), st_.unschedulable) == ({}, 4)
    assert (
        st_.affinity == "no group fits (group g2 skipped: no feasible cluster); nothing is placed"
    )
    assert w.state.workloads[WEB].group == "g2"


def test_failback_is_a_fresh_reschedule_from_the_first_group() -> None:
    # g1 goes offline -> evicted -> g2; once g1 is readmitted, failback (Karmada's
    # WorkloadRebalancer, karmada-io/karmada#5425) restarts the walk at g1
    for failback, home in ((True, {"a", "b"}), (False, {"c", "d"})):
        w = world({"a": 10, "b": 10, "c": 10, "d": 10}, 4, failback=failback)
        w.probe_all(0.0)
        assert set(w.replicas()) == {"a", "b"}
        w.down = {"a", "b"}
        for t in range(2, 20, 2):
            w.probe_all(float(t))
        assert {c for c, n in w.state.workloads[WEB].assignment.items() if n} == {"c", "d"}
        w.down = set()
        for t in range(20, 80):
            (w.probe_all if t % 2 == 0 else w.step)(float(t))
        assert {c for c, n in w.state.workloads[WEB].assignment.items() if n} == home


# ------------------------------------------------------------------ property


def _fits(room: list[int], replicas: int) -> bool:
    return sum(room) >= replicas


@settings(max_examples=80, deadline=None)
@given(
    rooms=st.lists(st.lists(st.integers(0, 8), min_size=1, max_size=3), min_size=2, max_size=4),
    replicas=st.integers(1, 20),
    division=st.sampled_from(["DynamicWeight", "Aggregated", "StaticWeight"]),
)
def test_the_first_group_that_holds_the_workload_is_used(
    rooms: list[list[int]], replicas: int, division: str
) -> None:
    # disjoint groups of clusters with the given room; a first scheduling
    groups = tuple(tuple(f"m{i}x{j}" for j in range(len(r))) for i, r in enumerate(rooms))
    cpu = {f"m{i}x{j}": c for i, r in enumerate(rooms) for j, c in enumerate(r)}
    status, ws = first_plan(cpu, replicas, division=division, groups=groups)
    if division == "StaticWeight":
        # never falls over for room: always the first group
        assert ws.group == "g1"
        assert set(status.assignment) <= set(groups[0])
        return
    holds = [i for i, r in enumerate(rooms) if _fits(r, replicas)]
    if not holds:
        assert ws.group is None and not status.assignment and status.unschedulable == replicas
        return
    i = holds[0]  # the first that can hold it; never a later one when an earlier fits
    assert ws.group == f"g{i + 1}"
    assert sum(status.assignment.values()) == replicas and status.unschedulable == 0
    assert set(status.assignment) <= set(groups[i])
    for n in status.assignment:
        assert status.assignment[n] <= cpu[n]
