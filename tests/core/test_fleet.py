"""The per-cluster maps a reconcile carries over from the previous one (effective taints, Ready
conditions) equal a derivation from scratch, through probes, health changes and observations
that come and go, and a reconcile that does not continue the previous one derives afresh."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core import fleet
from federation.core.conditions import cluster_condition
from federation.core.health import HealthThresholds, health_taints, observe_probe
from federation.core.model import Cluster, ClusterObservation, ProbeResult, Taint

CLUSTERS = (
    Cluster("a"),
    Cluster("b", taints=(Taint("gpu", "", "NoSchedule"),)),
    Cluster("c", not_ready_taints=(Taint("down", "", "NoExecute"),)),
)
TH = HealthThresholds()

steps = st.lists(
    st.tuples(
        st.lists(st.tuples(st.sampled_from("abc"), st.booleans()), max_size=4),  # probes
        st.dictionaries(st.sampled_from("abcz"), st.booleans()),  # reachability changes
        st.booleans(),  # continue from the previous reconcile's health, or a copy of it
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_carried_maps_equal_a_derivation_from_scratch(seq: list) -> None:  # type: ignore[type-arg]
    health: dict = {}  # type: ignore[type-arg]
    observed = {c.name: ClusterObservation(c.name) for c in CLUSTERS}
    t = 0.0
    for probes, reach, same in seq:
        before = health if same else dict(health)
        now = fleet.health_before(CLUSTERS, before)
        assert list(now) == [c.name for c in CLUSTERS]
        for name, ok in probes:
            t += 0.7
            now[name] = observe_probe(now[name], ProbeResult(name, t, ok, 0.1), TH)
        observed = dict(observed)
        for name, ok in reach.items():
            if name in observed:
                observed[name] = replace(observed[name], reachable=ok)
            else:
                observed[name] = ClusterObservation(name, reachable=ok)
        taints, conditions = fleet.derive(CLUSTERS, before, now, {n for n, _ in probes}, observed)
        assert taints == {
            c.name: c.taints + health_taints(now[c.name], c.not_ready_taints) for c in CLUSTERS
        }
        assert conditions == {
            n: cluster_condition(h, observed[n].reachable if n in observed else True)
            for n, h in now.items()
        }
        assert list(conditions) == list(now)
        health = now
