"""Room reserved for replicas not on a node yet: it holds while they are on their way, and the
observation that shows them placed releases it before anything reads the room (their room is
then out of the cluster's observed free room: counting it again would take it twice).
Every number is computed by hand: one replica takes 1 CPU, a cluster's CPUs are its room."""

from __future__ import annotations

from dataclasses import replace

from federation.core.actions import Plan
from federation.core.desired import DesiredState
from federation.core.model import (
    Cluster,
    ClusterAffinity,
    ClusterWeight,
    FailoverPolicy,
    Placement,
    ProbeResult,
    PropagationPolicy,
    Resources,
    ResourceSelector,
)
from federation.core.planner import reconcile
from tests.core.test_planner import TH, World, deployment, policy

WEB, API = "Deployment/default/web", "Deployment/default/api"


def fleet(**cpu: int) -> list[Cluster]:
    return [Cluster(n, capacity=Resources(c, 1e12, 1000)) for n, c in sorted(cpu.items())]


def nine_to_one() -> PropagationPolicy:
    """kfed (StaticWeight) with weights a 9, b 1: capacity caps a cluster's share."""
    return policy(
        weights=(
            ClusterWeight(ClusterAffinity(cluster_names=("a",)), 9),
            ClusterWeight(ClusterAffinity(cluster_names=("b",)), 1),
        )
    )


class LateWorld(World):
    """Members that take one cycle to act: a plan's writes land after the next observation, so
    the reconcile after a plan still sees nothing of them (replicas on their way)."""

    def __init__(self, desired: DesiredState) -> None:
        super().__init__(desired)
        self.queued: list[Plan] = []

    def step(self, now: float, probes: tuple[ProbeResult, ...] = ()) -> Plan:
        plan = reconcile(self.desired, self.observation(probes), self.state, now, thresholds=TH)
        self.state = plan.state
        self.plans.append(plan)
        for earlier in self.queued:
            self.apply(earlier)
        self.queued = [plan]
        return plan


def layout(w: World, key: str = WEB) -> dict[str, int]:
    return {c: o[key].replicas or 0 for c, o in w.objects.items() if key in o}


def test_a_scale_up_observed_with_the_placement_counts_the_room_once() -> None:
    # 3 on a (4 CPUs): 9:1 of 3 -> a 3, b 0; a's room is reserved for them (3 CPUs) until
    # they are seen on nodes. The next reconcile sees them placed (a: 1 CPU free) and a scale
    # to 5: a holds its 3 + 1 room = 4, b takes 1 (9:1 of 5 would put 4.5 on a)
    w = World(DesiredState.build(fleet(a=4, b=100), [nine_to_one()], [], [deployment("web", 3)]))
    w.step(0.0)
    assert layout(w) == {"a": 3}
    assert w.state.reserved["a"] == Resources(3, 0, 3)
    w.desired = w.desired.with_workloads([deployment("web", 5)])
    w.step(1.0)
    assert layout(w) == {"a": 4, "b": 1}  # counting a's 3 twice left it no room: a 3, b 2
    # the new reservation is what this plan leaves in flight: 1 on a, 1 on b
    assert dict(w.state.reserved) == {"a": Resources(1, 0, 1), "b": Resources(1, 0, 1)}


def test_a_room_reading_scale_up_fits_in_the_room_left() -> None:
    # DynamicWeight on one cluster of 4 CPUs: 3 placed, a scale to 4 adds 1 and a has room
    # for exactly 1 (4 - 3 placed); read twice, the scale-up fails (1 unschedulable)
    p = policy(division="DynamicWeight")
    w = World(DesiredState.build(fleet(a=4), [p], [], [deployment("web", 3)]))
    w.step(0.0)
    w.desired = w.desired.with_workloads([deployment("web", 4)])
    st = w.step(1.0).workloads[WEB]
    assert (dict(st.assignment), st.unschedulable) == ({"a": 4}, 0)


def test_a_workload_planned_earlier_in_the_pass_sees_the_room_released() -> None:
    # web's 3 replicas are placed on a (4 CPUs) when api (1 replica, planned first: its key
    # sorts first) arrives: a has 1 CPU free and nothing on its way, so api goes to a (9:1)
    d = DesiredState.build(fleet(a=4, b=100), [nine_to_one()], [], [deployment("web", 3)])
    w = World(d)
    w.step(0.0)
    w.desired = w.desired.with_workloads([deployment("api", 1), deployment("web", 3)])
    w.step(1.0)
    assert layout(w, API) == {"a": 1}  # with web's room taken twice: b
    assert layout(w) == {"a": 3}


def test_replicas_on_their_way_keep_their_room() -> None:
    # web's 3 replicas are written to a (4 CPUs) but the next observation shows nothing of
    # them yet: a's free room still reads 4, 3 of it reserved, so api (2 replicas, 9:1 wants
    # both on a) gets 1 on a and 1 on b
    d = DesiredState.build(fleet(a=4, b=100), [nine_to_one()], [], [deployment("web", 3)])
    w = LateWorld(d)
    w.step(0.0)
    w.desired = w.desired.with_workloads([deployment("api", 2), deployment("web", 3)])
    w.step(1.0)
    assert w.state.workloads[API].assignment == {"a": 1, "b": 1}
    assert w.state.reserved["a"] == Resources(4, 0, 4)  # web's 3 and api's 1
    w.step(2.0)  # web's placed now (a: 1 CPU free); api's still on their way
    assert w.state.reserved["a"] == Resources(1, 0, 1)
    w.step(3.0)
    assert w.state.reserved == {}
    assert layout(w, API) == {"a": 1, "b": 1} and layout(w) == {"a": 3}


def on_a(name: str) -> PropagationPolicy:
    """Only cluster a for workload `name` (kfed): what does not fit there is unschedulable."""
    return PropagationPolicy(
        f"only-a-{name}",
        "default",
        1,  # taken before the 9:1 policy
        (ResourceSelector(kind="Deployment", name=name),),
        Placement(affinity=ClusterAffinity(cluster_names=("a",))),
        FailoverPolicy(),
    )


def test_a_reservation_released_before_the_pass_reconciles_what_room_decided() -> None:
    # web's 3 on their way to a (4 CPUs) leave room for 1 of api's 2 (api runs on a only):
    # api is a 1, 1 unschedulable, and room decided it. Then a member reports web placed while
    # the free room it reports is still the old 4 (objects and room are watched apart): web's
    # room is released before the pass, a has 4 - 1 (api's 1 on its way) = 3 for api's
    # second replica, and a full pass places it. Looking only at web (what changed), with api
    # among the workloads room decided, must plan api too.
    pols = [nine_to_one(), on_a("api")]
    d = DesiredState.build(fleet(a=4, b=100), pols, [], [deployment("web", 3)])
    w = LateWorld(d)
    w.step(0.0)
    w.desired = w.desired.with_workloads([deployment("api", 2), deployment("web", 3)])
    api = w.step(1.0).workloads[API]
    assert (dict(api.assignment), api.unschedulable, api.capacity_bound) == ({"a": 1}, 1, True)
    w.apply(w.queued.pop())  # web's and api's writes land; web's replicas are placed
    obs = w.observation()
    a = obs.clusters["a"]
    stale = replace(a, objects={WEB: a.objects[WEB]}, free=Resources(4, 1e12, 1000))
    obs = replace(obs, clusters={**obs.clusters, "a": stale})  # api's not seen on a yet
    full = reconcile(w.desired, obs, w.state, 2.0, thresholds=TH)
    assert (dict(full.workloads[API].assignment), full.workloads[API].unschedulable) == (
        {"a": 2},
        0,
    )
    inc = reconcile(w.desired, obs, w.state, 2.0, thresholds=TH, dirty={WEB}, sensitive={API})
    assert inc.workloads[API] == full.workloads[API]
    assert inc.actions == full.actions
