"""Incremental reconcile: looking only at what changed (dirty keys, due wake-ups, and the
workloads a cluster's health change can affect) plans exactly what a full pass plans."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.actions import FederationState, Plan
from federation.core.desired import DesiredState
from federation.core.impact import touching
from federation.core.model import (
    ClusterAffinity,
    Failback,
    FailoverPolicy,
    LabelSelector,
    Placement,
    ProbeResult,
    PropagationPolicy,
    ReplicaScheduling,
    ResourceSelector,
    Workload,
)
from federation.core.planner import reconcile
from tests.core.test_planner import TH, World, clusters, deployment

NAMES = ("m0", "m1", "m2", "m3")


def grouped(name: str, group: int, replicas: int) -> Workload:
    w = deployment(name, replicas)
    return replace(w, labels={"group": str(group)})


def group_policy(g: int, names: tuple[str, ...], failback: bool, stype: str) -> PropagationPolicy:
    return PropagationPolicy(
        f"g{g}",
        "default",
        0,
        (ResourceSelector(kind="Deployment", label_selector=LabelSelector({"group": str(g)})),),
        Placement(
            affinity=ClusterAffinity(cluster_names=names),
            replicas=ReplicaScheduling(stype),  # type: ignore[arg-type]
        ),
        FailoverPolicy(failback=Failback(failback, stabilization_seconds=6)),
    )


class IncrementalWorld(World):
    """The same perfect members, reconciled the way the control loop does: only keys whose
    observed objects changed, whose wake-up is due, that a cluster whose reachability flipped
    touches, or (inside the core) that a health change touches."""

    def __init__(self, desired: DesiredState, room: bool = False) -> None:
        super().__init__(desired)
        self.seen: dict[str, dict[str, object]] = {}
        self.reachable: dict[str, bool] = {}
        self.wakeups: dict[str, float] = {}
        self.pending: set[str] = set()  # keys whose documents changed
        self.first = True
        # with `room`, as the control loop does for workloads room decided (`bound`): they are
        # `sensitive`, and reconciled when a member's free room or the room reserved changes
        self.room = room
        self.bound: set[str] = set()
        self.free: dict[str, object] = {}

    def update_desired(self, desired: DesiredState, changed: set[str]) -> None:
        self.desired = desired
        self.pending |= changed

    def step(self, now: float, probes: tuple[ProbeResult, ...] = ()) -> Plan:
        obs = self.observation(probes)
        dirty: set[str] = {k for k, t in self.wakeups.items() if t <= now} | self.pending
        self.pending = set()
        for c, o in obs.clusters.items():
            before = self.seen.get(c, {})
            dirty |= {k for k in set(o.objects) | set(before) if o.objects.get(k) != before.get(k)}
            if o.reachable != self.reachable.get(c, True):
                dirty |= touching(self.desired, self.state, c, o.objects)
        self.seen = {c: dict(o.objects) for c, o in obs.clusters.items()}
        self.reachable = {c: o.reachable for c, o in obs.clusters.items()}
        if self.room:
            free = {c: o.free for c, o in obs.clusters.items()}
            if free != self.free:
                dirty |= self.bound
            self.free = free
        plan = reconcile(
            self.desired,
            obs,
            self.state,
            now,
            thresholds=TH,
            dirty=None if self.first else dirty,
            sensitive=self.bound if self.room else (),
        )
        self.first = False
        if self.room:
            self.bound |= {k for k, s in plan.workloads.items() if s.capacity_bound}
            self.bound -= {k for k, s in plan.workloads.items() if not s.capacity_bound}
            if plan.state.reserved != self.state.reserved:
                self.pending |= self.bound
        for k in dirty:
            self.wakeups.pop(k, None)
        self.wakeups.update(plan.wakeups)
        self.state = plan.state
        self.plans.append(plan)
        self.apply(plan)
        return plan


@settings(max_examples=60, deadline=None)
@given(
    affinities=st.lists(
        st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True),
        min_size=3,
        max_size=3,
    ),
    groups=st.lists(st.integers(0, 3), min_size=1, max_size=6),  # group 3: no policy
    late=st.lists(st.integers(0, 3), max_size=4),  # workloads that arrive at t=30
    failback=st.booleans(),
    stype=st.sampled_from(["Divided", "Duplicated"]),
    outages=st.lists(
        st.tuples(st.sampled_from(NAMES), st.integers(0, 40), st.integers(1, 16)), max_size=3
    ),
)
def test_incremental_plans_equal_full_plans(
    affinities: list[list[str]],
    groups: list[int],
    late: list[int],
    failback: bool,
    stype: str,
    outages: list[tuple[str, int, int]],
) -> None:
    policies = [group_policy(g, tuple(a), failback, stype) for g, a in enumerate(affinities)]
    wl = [grouped(f"w{i}", g, 1 + i % 4) for i, g in enumerate(groups)]
    d = DesiredState.build(clusters(*NAMES), policies, [], wl)
    full, inc = World(d), IncrementalWorld(d)
    arrivals = [grouped(f"late{i}", g, 1 + i % 3) for i, g in enumerate(late)]
    for t in range(0, 60):
        now = float(t)
        if t == 30 and arrivals:
            later = d.with_workloads(arrivals)
            full.desired = later
            inc.update_desired(later, {w.key for w in arrivals})
        for w in (full, inc):
            w.down = {c for c, start, length in outages if start <= t < start + length}
        # probes every 2 s, a settling step in between (members answer at once)
        probes = t % 2 == 0
        a = full.probe_all(now) if probes else full.step(now)
        b = inc.probe_all(now) if probes else inc.step(now)
        assert b.actions == a.actions, f"t={t}"
        assert b.events == a.events, f"t={t}"
        assert b.state.workloads == a.state.workloads, f"t={t}"
        assert b.state.health == a.state.health
        # statuses of what was looked at agree; the incremental pass looks at no more
        for k, s in b.workloads.items():
            assert a.workloads[k] == s
    assert isinstance(inc.state, FederationState)


def test_a_health_change_reconciles_only_the_workloads_it_can_affect() -> None:
    policies = [
        group_policy(0, ("m0", "m1"), False, "Divided"),
        group_policy(1, ("m2", "m3"), False, "Divided"),
    ]
    wl = [grouped("a", 0, 2), grouped("b", 1, 2), grouped("c", 3, 2)]
    w = IncrementalWorld(DesiredState.build(clusters(*NAMES), policies, [], wl))
    w.probe_all(0.0)
    w.step(1.0)
    w.down = {"m0"}
    plans = [w.probe_all(float(t)) for t in (2, 4, 6)]
    assert plans[-1].health_changed == ("m0",)
    assert set(plans[-1].workloads) == {"Deployment/default/a"}
    assert w.state.workloads["Deployment/default/a"].assignment == {"m1": 2}


def two_group_policy(
    g: int, first: tuple[str, ...], second: tuple[str, ...], failback: bool, division: str
) -> PropagationPolicy:
    return PropagationPolicy(
        f"g{g}",
        "default",
        0,
        (ResourceSelector(kind="Deployment", label_selector=LabelSelector({"group": str(g)})),),
        Placement(
            affinity_groups=(
                ClusterAffinity(cluster_names=first),
                ClusterAffinity(cluster_names=second),
            ),
            replicas=ReplicaScheduling("Divided", division),  # type: ignore[arg-type]
        ),
        FailoverPolicy(failback=Failback(failback, stabilization_seconds=6)),
    )


@settings(max_examples=40, deadline=None)
@given(
    split=st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True),
    cpu=st.lists(st.integers(1, 6), min_size=4, max_size=4),
    groups=st.lists(st.integers(0, 1), min_size=1, max_size=5),
    failback=st.booleans(),
    division=st.sampled_from(["DynamicWeight", "Aggregated", "StaticWeight"]),
    outages=st.lists(
        st.tuples(st.sampled_from(NAMES), st.integers(0, 40), st.integers(1, 16)), max_size=3
    ),
)
def test_incremental_equals_full_with_ordered_groups_and_little_room(
    split: list[str],
    cpu: list[int],
    groups: list[int],
    failback: bool,
    division: str,
    outages: list[tuple[str, int, int]],
) -> None:
    # the group a workload is scheduled with depends on room and on the group it last used:
    # looking only at what changed must still choose the same one
    first = tuple(split)
    second = tuple(n for n in NAMES if n not in split) or NAMES
    policies = [two_group_policy(g, first, second, failback, division) for g in (0, 1)]
    wl = [grouped(f"w{i}", g, 1 + i % 4) for i, g in enumerate(groups)]
    small = [
        replace(c, capacity=replace(c.capacity, cpu=n))
        for c, n in zip(clusters(*NAMES), cpu, strict=True)
    ]
    d = DesiredState.build(small, policies, [], wl)
    full, inc = World(d), IncrementalWorld(d, room=True)
    for t in range(0, 60):
        now = float(t)
        for w in (full, inc):
            w.down = {c for c, start, length in outages if start <= t < start + length}
        probes = t % 2 == 0
        a = full.probe_all(now) if probes else full.step(now)
        b = inc.probe_all(now) if probes else inc.step(now)
        assert b.actions == a.actions, f"t={t}"
        assert b.events == a.events, f"t={t}"
        assert b.state.workloads == a.state.workloads, f"t={t}"
        for k, s in b.workloads.items():
            assert a.workloads[k] == s
