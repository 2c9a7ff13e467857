"""reconcile(): level-triggered and idempotent; failover, graceful eviction, failback, capacity."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from federation.core.actions import Apply, Delete, FederationState, Plan
from federation.core.desired import DesiredState
from federation.core.health import HealthThresholds
from federation.core.model import (
    Cluster,
    ClusterAffinity,
    ClusterObservation,
    ClusterWeight,
    Failback,
    FailoverPolicy,
    Observation,
    ObservedObject,
    Placement,
    ProbeResult,
    PropagationPolicy,
    ReplicaBounds,
    ReplicaScheduling,
    Resources,
    ResourceSelector,
    Workload,
)
from federation.core.planner import reconcile

TH = HealthThresholds(
    probe_period=2, failure_count=3, failure_seconds=4, success_count=2, success_seconds=2
)


def deployment(name: str = "web", replicas: int = 6, cpu: float = 1.0) -> Workload:
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}},
        },
    }
    return Workload(
        "apps/v1", "Deployment", name, "default", {}, manifest, replicas, Resources(cpu, 0, 1)
    )


def policy(failover: FailoverPolicy | None = None, **rs: object) -> PropagationPolicy:
    return PropagationPolicy(
        "all",
        "default",
        0,
        (ResourceSelector(kind="Deployment"),),
        Placement(replicas=ReplicaScheduling(**rs)),  # type: ignore[arg-type]
        failover or FailoverPolicy(),
    )


def clusters(*names: str, cpu: float = 100) -> list[Cluster]:
    return [Cluster(n, capacity=Resources(cpu, 1e12, 1000)) for n in names]


class World:
    """A perfect member: applies every action at once; everything applied becomes Ready."""

    def __init__(self, desired: DesiredState) -> None:
        self.desired = desired
        self.objects: dict[str, dict[str, ObservedObject]] = {c.name: {} for c in desired.clusters}
        self.down: set[str] = set()
        self.state = FederationState()
        self.plans: list[Plan] = []

    def observation(self, probes: tuple[ProbeResult, ...] = ()) -> Observation:
        obs = {}
        for c in self.desired.clusters:
            used = sum((o.scheduled or 0) for o in self.objects[c.name].values())
            free = Resources(c.capacity.cpu - used, c.capacity.memory, c.capacity.pods - used)
            obs[c.name] = ClusterObservation(
                c.name, c.name not in self.down, dict(self.objects[c.name]), free
            )
        return Observation(obs, probes)

    def apply(self, plan: Plan) -> None:
        for a in plan.actions:
            assert a.cluster not in self.down, "actions must not target unreachable clusters"
            if isinstance(a, Apply):
                n = a.replicas
                fits = n
                if n is not None:
                    c = self.desired.cluster(a.cluster)
                    assert c is not None
                    others = sum(
                        (o.scheduled or 0) for k, o in self.objects[a.cluster].items() if k != a.key
                    )
                    fits = max(0, min(n, int(c.capacity.cpu) - others))
                self.objects[a.cluster][a.key] = ObservedObject(a.key, a.hash, n, fits, fits)
            else:
                self.objects[a.cluster].pop(a.key, None)

    def step(self, now: float, probes: tuple[ProbeResult, ...] = ()) -> Plan:
        plan = reconcile(self.desired, self.observation(probes), self.state, now, thresholds=TH)
        self.state = plan.state
        self.plans.append(plan)
        self.apply(plan)
        return plan

    def probe_all(self, now: float) -> Plan:
        probes = tuple(
            ProbeResult(c.name, now, c.name not in self.down) for c in self.desired.clusters
        )
        return self.step(now, probes)

    def replicas(self) -> dict[str, int]:
        return {
            c: o["Deployment/default/web"].replicas or 0
            for c, o in self.objects.items()
            if "Deployment/default/web" in o
        }


def test_first_reconcile_divides_and_second_does_nothing() -> None:
    d = DesiredState.build(clusters("a", "b", "c"), [policy()], [], [deployment(replicas=7)])
    w = World(d)
    plan = w.step(0.0)
    assert sorted(w.replicas().values()) == [2, 2, 3]
    assert all(isinstance(a, Apply) for a in plan.actions)
    again = w.step(1.0)
    assert again.actions == ()
    assert again.workloads["Deployment/default/web"].ready == 7


def test_static_weights_and_bounds_reach_the_members() -> None:
    p = policy(
        weights=(
            ClusterWeight(ClusterAffinity(("a",)), 2),
            ClusterWeight(ClusterAffinity(("b", "c")), 1),
        ),
        bounds=(ReplicaBounds(ClusterAffinity(("c",)), min=3),),
    )
    w = World(DesiredState.build(clusters("a", "b", "c"), [p], [], [deployment(replicas=8)]))
    w.step(0.0)
    assert w.replicas() == {"a": 3, "b": 2, "c": 3}


def fail_cluster(w: World, name: str, t0: float, until: float) -> None:
    w.down.add(name)
    t = t0
    while t <= until:
        w.probe_all(t)
        t += 2.0


def test_outage_evicts_gracefully_then_deletes_when_cluster_returns() -> None:
    d = DesiredState.build(clusters("a", "b", "c"), [policy()], [], [deployment(replicas=6)])
    w = World(d)
    w.probe_all(0.0)
    fail_cluster(w, "a", 2.0, 8.0)  # failures at 2, 4, 6 -> Offline at 6
    evicts = [e for p in w.plans for e in p.events if e.kind == "evict"]
    assert [(e.cluster, e.t) for e in evicts] == [("a", 6.0)]
    st_ = w.state.workloads["Deployment/default/web"]
    assert st_.assignment == {"b": 3, "c": 3}
    # replacements became Ready on b and c, so the graceful task was purged ...
    assert any(e.kind == "purge" for p in w.plans for e in p.events)
    # ... but a is unreachable: its stale copy stays until it answers again
    assert w.objects["a"]["Deployment/default/web"].replicas == 2
    w.down.discard("a")
    plan = w.probe_all(10.0)  # Offline -> Recovering: reachable again
    assert any(isinstance(x, Delete) and x.cluster == "a" for x in plan.actions)
    assert "Deployment/default/web" not in w.objects["a"]


def test_single_lost_probe_moves_nothing() -> None:
    d = DesiredState.build(clusters("a", "b"), [policy()], [], [deployment(replicas=4)])
    w = World(d)
    w.probe_all(0.0)
    w.down.add("a")
    w.probe_all(2.0)
    w.down.discard("a")
    for t in (4.0, 6.0, 8.0):
        w.probe_all(t)
    assert not [e for p in w.plans for e in p.events if e.kind == "evict"]
    assert w.replicas() == {"a": 2, "b": 2}


def test_failback_returns_replicas_after_the_stabilization_window() -> None:
    fo = FailoverPolicy(failback=Failback(True, stabilization_seconds=10))
    d = DesiredState.build(clusters("a", "b"), [policy(fo)], [], [deployment(replicas=4)])
    w = World(d)
    w.probe_all(0.0)
    fail_cluster(w, "a", 2.0, 6.0)
    assert w.state.workloads["Deployment/default/web"].assignment == {"b": 4}
    w.down.discard("a")
    for t in range(8, 40, 2):
        plan = w.probe_all(float(t))
        if any(e.kind == "failback" for e in plan.events):
            # b keeps 4 until a's returning replicas are Ready: never below desired
            break
    else:
        raise AssertionError("no failback")
    assert w.state.workloads["Deployment/default/web"].assignment == {"a": 2, "b": 2}
    w.probe_all(float(t + 2))
    assert w.replicas() == {"a": 2, "b": 2}


def test_directly_purges_without_waiting() -> None:
    fo = FailoverPolicy(purge_mode="Directly")
    d = DesiredState.build(clusters("a", "b"), [policy(fo)], [], [deployment(replicas=4)])
    w = World(d)
    w.probe_all(0.0)
    fail_cluster(w, "a", 2.0, 6.0)
    assert w.state.workloads["Deployment/default/web"].evictions == {}


def test_capacity_shortfall_is_reported_not_raised() -> None:
    d = DesiredState.build(clusters("a", "b", cpu=2), [policy()], [], [deployment(replicas=9)])
    w = World(d)
    w.step(0.0)
    plan = w.step(1.0)
    status = plan.workloads["Deployment/default/web"]
    assert status.unschedulable == 5
    assert any(c.reason == "Unschedulable" for c in status.conditions)


def test_removed_workload_is_deleted_everywhere() -> None:
    d = DesiredState.build(clusters("a", "b"), [policy()], [], [deployment()])
    w = World(d)
    w.step(0.0)
    w.desired = replace(d, workloads={})
    plan = w.step(1.0)
    assert sorted(a.cluster for a in plan.actions if isinstance(a, Delete)) == ["a", "b"]
    w.step(2.0)
    assert "Deployment/default/web" not in w.state.workloads


@settings(max_examples=60, deadline=None)
@given(
    n_clusters=st.integers(1, 5),
    replicas=st.integers(0, 40),
    cpu=st.integers(1, 20),
    method=st.sampled_from(["kfed", "webster", "kubefed", "webster-dynamic", "webster-aggregated"]),
    stype=st.sampled_from(["Divided", "Duplicated"]),
)
def test_applying_a_plan_then_reconciling_yields_no_actions(
    n_clusters: int, replicas: int, cpu: int, method: str, stype: str
) -> None:
    names = [f"m{i}" for i in range(n_clusters)]
    d = DesiredState.build(
        clusters(*names, cpu=cpu),
        [policy(method=method, type=stype)],
        [],
        [deployment(replicas=replicas)],
    )
    w = World(d)
    w.step(0.0)
    w.step(1.0)  # capacity is only known after the first observation
    assert w.step(2.0).actions == ()


def test_losing_clusters_below_min_groups_keeps_a_running_workload_degraded() -> None:
    from federation.core.model import SpreadConstraint

    p = replace(policy(), placement=Placement(spread=(SpreadConstraint("cluster", 3),)))
    d = DesiredState.build(clusters("a", "b", "c"), [p], [], [deployment(replicas=6)])
    w = World(d)
    w.probe_all(0.0)
    assert w.replicas() == {"a": 2, "b": 2, "c": 2}
    fail_cluster(w, "a", 2.0, 8.0)
    st_ = w.state.workloads["Deployment/default/web"]
    assert st_.assignment == {"b": 3, "c": 3}  # not evicted from the healthy clusters
    status = w.plans[-1].workloads["Deployment/default/web"]
    assert any(c.type == "SpreadSatisfied" and c.reason == "Degraded" for c in status.conditions)


def test_a_new_workload_is_not_placed_when_min_groups_cannot_be_met() -> None:
    from federation.core.model import SpreadConstraint

    p = replace(policy(), placement=Placement(spread=(SpreadConstraint("cluster", 3),)))
    d = DesiredState.build(clusters("a", "b"), [p], [], [deployment(replicas=6)])
    plan = World(d).step(0.0)
    assert plan.actions == ()
    assert "minGroups is 3" in plan.workloads["Deployment/default/web"].excluded["a"]


def test_failover_never_deletes_a_namespace_but_removal_does() -> None:
    ns = Workload(
        "v1",
        "Namespace",
        "shop",
        "",
        {},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    )
    p = replace(
        policy(),
        selectors=(ResourceSelector(kind="Deployment"), ResourceSelector(kind="Namespace")),
    )
    d = DesiredState.build(clusters("a", "b"), [p], [], [deployment(replicas=4), ns])
    w = World(d)
    w.probe_all(0.0)
    assert "Namespace/shop" in w.objects["a"]
    fail_cluster(w, "a", 2.0, 6.0)
    w.down.discard("a")
    plan = w.probe_all(8.0)  # a answers again: stale copies go, the namespace stays
    deleted = {(x.cluster, x.key) for x in plan.actions if isinstance(x, Delete)}
    assert ("a", "Deployment/default/web") in deleted
    assert ("a", "Namespace/shop") not in deleted
    assert plan.workloads["Namespace/shop"].clusters["a"].reason == "Retained"
    w.desired = replace(d, workloads={k: v for k, v in d.workloads.items() if k != ns.key})
    plan = w.step(9.0)
    assert {(x.cluster, x.key) for x in plan.actions if isinstance(x, Delete)} >= {
        ("a", "Namespace/shop"),
        ("b", "Namespace/shop"),
    }


class LostProbesNeverEvict(RuleBasedStateMachine):
    """Through the whole reconcile: probes arrive at random gaps; no cluster ever loses two in
    a row. Whatever the sequence, nothing is evicted and the layout never changes."""

    def __init__(self) -> None:
        super().__init__()
        d = DesiredState.build(clusters("a", "b", "c"), [policy()], [], [deployment(replicas=7)])
        self.world = World(d)
        self.world.step(0.0)
        self.layout = self.world.replicas()
        self.t = 0.0
        self.failed_last: dict[str, bool] = {"a": False, "b": False, "c": False}

    @rule(gap=st.floats(0.05, 10.0), fails=st.sets(st.sampled_from(["a", "b", "c"])))
    def probe_round(self, gap: float, fails: set[str]) -> None:
        # a cluster that failed its previous probe answers this one
        fails = {c for c in fails if not self.failed_last[c]}
        self.t += gap
        probes = tuple(
            ProbeResult(c, self.t, c not in fails, reason="" if c not in fails else "timeout")
            for c in ("a", "b", "c")
        )
        self.world.step(self.t, probes)
        self.failed_last = {c: c in fails for c in self.failed_last}

    @invariant()
    def nothing_moves(self) -> None:
        assert not [e for p in self.world.plans for e in p.events if e.kind == "evict"]
        assert self.world.replicas() == self.layout


TestLostProbesNeverEvict = LostProbesNeverEvict.TestCase
TestLostProbesNeverEvict.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
