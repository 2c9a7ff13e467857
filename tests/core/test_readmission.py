"""Readmission of a cluster a workload was evicted from: never while its replicas there still
drain (Karmada never re-selects a cluster with a graceful eviction task), never before the
stabilization window, and then a fresh division only when failback is enabled."""

from __future__ import annotations

from federation.core.actions import EvictionTask, FederationState, WorkloadState
from federation.core.desired import DesiredState
from federation.core.health import ClusterHealth
from federation.core.model import (
    Cluster,
    ClusterObservation,
    Failback,
    FailoverPolicy,
    Health,
    Observation,
    ObservedObject,
    Placement,
    PropagationPolicy,
    Resources,
    ResourceSelector,
    Workload,
)
from federation.core.planner import reconcile

KEY = "Deployment/default/web"


def _web(replicas: int = 6) -> Workload:
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": replicas},
    }
    return Workload(
        "apps/v1", "Deployment", "web", "default", {}, manifest, replicas, Resources(0.1, 0, 1)
    )


def _desired(failback: bool, window: float = 10.0) -> DesiredState:
    policy = PropagationPolicy(
        "all",
        "default",
        0,
        (ResourceSelector(kind="Deployment"),),
        Placement(),
        FailoverPolicy(failback=Failback(failback, window)),
    )
    clusters = [Cluster(n, capacity=Resources(64, 2**40, 500)) for n in "abc"]
    return DesiredState.build(clusters, [policy], [], [_web()])


def _observed(ready: dict[str, int], hashes: dict[str, str] | None = None) -> Observation:
    clusters = {}
    for c in "abc":
        objs = {}
        if c in ready:
            objs[KEY] = ObservedObject(
                KEY, (hashes or {}).get(c, "x"), ready[c], ready[c], ready[c]
            )
        clusters[c] = ClusterObservation(c, objects=objs, free=Resources(60, 2**40, 400))
    return Observation(clusters=clusters)


def _state(task: bool, evicted_at: float = 50.0) -> FederationState:
    health = {c: ClusterHealth(Health.READY, since=0.0) for c in "abc"}
    evictions = {}
    if task:
        evictions = {
            "c": EvictionTask(
                "c",
                6,
                "taint kfed.io/unreachable:NoExecute",
                "Graceful",
                evicted_at,
                evicted_at + 600,
            )
        }
    ws = WorkloadState({"a": 3, "b": 3}, evictions, {"c": evicted_at})
    return FederationState(health, {KEY: ws})


def test_a_cluster_still_draining_is_not_selected_again() -> None:
    # c has been Ready long past the window, but its 6 old replicas still drain there (the
    # replacements on a and b are not Ready): c must not become a target again
    plan = reconcile(
        _desired(failback=True),
        _observed({"a": 0, "b": 0, "c": 6}),
        _state(task=True),
        100.0,
        dirty={KEY},
    )
    st = plan.workloads[KEY]
    assert "c" not in st.assignment
    assert "still draining" in st.excluded["c"]
    assert plan.state.workloads[KEY].evictions["c"].replicas == 6  # kept until replaced
    assert not [e for e in plan.events if e.kind in ("failback", "readmit")]


def test_readmitted_after_the_window_with_a_fresh_division_when_failback_is_on() -> None:
    plan = reconcile(
        _desired(failback=True), _observed({"a": 3, "b": 3}), _state(task=False), 100.0, dirty={KEY}
    )
    assert plan.workloads[KEY].assignment == {"a": 2, "b": 2, "c": 2}
    assert [e.kind for e in plan.events if e.cluster == "c"] == ["failback"]
    assert "c" not in plan.state.workloads[KEY].evicted_from


def test_before_the_window_it_waits_and_asks_to_be_woken() -> None:
    plan = reconcile(
        _desired(failback=True, window=60.0),
        _observed({"a": 3, "b": 3}),
        _state(task=False),
        100.0,
        dirty={KEY},
    )
    assert plan.workloads[KEY].assignment == {"a": 3, "b": 3}
    assert "readmitted at 110s" in plan.workloads[KEY].excluded["c"]
    assert plan.wakeups[KEY] == 110.0


def test_without_failback_it_is_only_a_candidate_again() -> None:
    plan = reconcile(
        _desired(failback=False),
        _observed({"a": 3, "b": 3}),
        _state(task=False),
        100.0,
        dirty={KEY},
    )
    assert plan.workloads[KEY].assignment == {"a": 3, "b": 3}  # kfed keeps running replicas
    assert [e.kind for e in plan.events if e.cluster == "c"] == ["readmit"]
