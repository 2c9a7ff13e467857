"""A drained member in the core: left out of placement, its replicas held without a deadline
until every replacement is Ready, then purged; and a cluster forgotten keeps nothing of it."""

from __future__ import annotations

import math
from dataclasses import replace

from federation.core.actions import EvictionTask, FederationState, WorkloadState
from federation.core.desired import DesiredState
from federation.core.health import ClusterHealth
from federation.core.model import Health, Resources
from federation.core.planner import reconcile
from tests.core.test_readmission import KEY, _desired, _observed


def _drained() -> tuple[DesiredState, FederationState]:
    d = _desired(failback=False)
    clusters = [replace(c, draining="drain") if c.name == "c" else c for c in d.clusters]
    health = {c: ClusterHealth(Health.READY, since=0.0) for c in "abc"}
    ws = WorkloadState({"a": 2, "b": 2, "c": 2})
    return d.changed(clusters=clusters), FederationState(health, {KEY: ws})


def test_drained_cluster_is_held_until_replacements_are_ready() -> None:
    desired, state = _drained()
    plan = reconcile(desired, _observed({"a": 2, "b": 2, "c": 2}), state, 10.0, dirty={KEY})
    st = plan.workloads[KEY]
    assert st.assignment == {"a": 3, "b": 3}
    assert st.excluded["c"] == "cluster drained for maintenance"
    task = plan.state.workloads[KEY].evictions["c"]
    assert (task.reason, task.replicas, task.deadline) == ("drain", 2, math.inf)
    assert not [e for e in plan.events if e.kind == "evict"]
    # c is asked to keep its 2 while a and b grow to 3
    assert {a.cluster: getattr(a, "replicas", None) for a in plan.actions} == {
        "a": 3,
        "b": 3,
        "c": 2,
    }
    # a thousand seconds later, replacements still starting: still held (no grace period)
    later = reconcile(
        desired,
        _observed({"a": 2, "b": 2, "c": 2}, {c: "x" for c in "abc"}),
        plan.state,
        1010.0,
        dirty={KEY},
    )
    assert "c" in later.state.workloads[KEY].evictions


def test_forget_drops_every_trace_of_a_cluster() -> None:
    task = EvictionTask("c", 2, "drain", "Graceful", 0.0, math.inf)
    ws = WorkloadState(
        {"a": 1, "c": 2}, {"c": task}, {"c": 1.0}, {"c": 2.0}, {}, 0, {"c": Resources(1, 0, 1)}
    )
    state = FederationState({}, {KEY: ws}, {"c": Resources(1, 0, 1), "a": Resources(2, 0, 2)})
    out = state.forget("c")
    w = out.workloads[KEY]
    assert (w.assignment, w.evictions, w.evicted_from, w.pending_since, w.reserved) == (
        {"a": 1},
        {},
        {},
        {},
        {},
    )
    assert out.reserved == {"a": Resources(2, 0, 2)}
