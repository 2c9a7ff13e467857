"""The core pieces Karmada's and KubeFed's documents needed: Kubernetes' toleration matching,
taints while not Ready, overflow tiers, dependencies that follow their workload, suspended
dispatching, Karmada's overriders and KubeFed's tie-break key. Table-driven, with hypothesis
properties for the tiered division."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from federation.api.codecs import CODECS
from federation.core.actions import Apply, FederationState
from federation.core.dependencies import references
from federation.core.desired import DesiredState
from federation.core.health import ClusterHealth, HealthThresholds, health_taints, observe_probe
from federation.core.model import (
    ArgsOverride,
    Cluster,
    ClusterAffinity,
    FieldOverride,
    Health,
    ImageOverride,
    MapOverride,
    Observation,
    OverridePolicy,
    OverrideRule,
    PatchOp,
    Placement,
    ProbeResult,
    PropagationPolicy,
    ReplicaScheduling,
    ResourceSelector,
    Taint,
    Toleration,
    Workload,
)
from federation.core.placement import place
from federation.core.planner import reconcile
from federation.core.propagation import render
from federation.core.targets import tiered

# ---------------------------------------------------------------- tolerations


@pytest.mark.parametrize(
    ("toleration", "taint", "tolerated"),
    [
        (Toleration(effect="NoExecute"), Taint("any", "", "NoExecute"), True),  # empty key
        (Toleration(effect="NoExecute"), Taint("any", "v", "NoExecute"), False),  # Equal ""
        (Toleration(effect="NoExecute"), Taint("any", "", "NoSchedule"), False),
        (Toleration(operator="Exists"), Taint("k", "v", "NoSchedule"), True),
        (Toleration("k", "Equal", "v"), Taint("k", "v", "NoExecute"), True),
        (Toleration("k", "Equal", "v"), Taint("k", "w", "NoExecute"), False),
        (Toleration("k", "Exists", effect="NoSchedule"), Taint("k", "x", "NoSchedule"), True),
        (Toleration("k", "Exists"), Taint("j", "", "NoSchedule"), False),
    ],
)
def test_tolerations_match_as_kubernetes_does(
    toleration: Toleration, taint: Taint, tolerated: bool
) -> None:
    assert toleration.tolerates(taint) is tolerated


# ---------------------------------------------------------------- taints while not Ready

TH = HealthThresholds(
    probe_period=1, failure_count=2, failure_seconds=0.5, success_count=2, success_seconds=0.5
)
NOT_READY = (Taint("cluster.karmada.io/not-ready", "", "NoExecute"),)


def test_not_ready_taints_are_stamped_with_the_time_the_cluster_went_down() -> None:
    h = ClusterHealth()
    states = []
    for t, ok in [(1, False), (2, False), (3, False), (4, True), (5, True), (6, True)]:
        h = observe_probe(h, ProbeResult("c", t, ok), TH)
        own = [x for x in health_taints(h, NOT_READY) if x.key.startswith("cluster.")]
        states.append((h.state, h.down_since, [x.time_added for x in own]))
    assert states == [
        (Health.SUSPECT, None, []),
        (Health.OFFLINE, 2, [2]),
        (Health.OFFLINE, 2, [2]),
        (Health.RECOVERING, 2, [2]),  # still not Ready: the countdown goes on from 2
        (Health.READY, None, []),
        (Health.READY, None, []),
    ]


# ---------------------------------------------------------------- overflow tiers


def rows(*spec: tuple[str, int | None, int]) -> list[dict[str, Any]]:
    return [{"name": n, "capacity": cap, "current": cur} for n, cap, cur in spec]


@pytest.mark.parametrize(
    ("total", "spec", "tiers", "expected", "left"),
    [
        # the group first, up to what it holds; then the first overflow tier, then the next
        (6, [("a", 4, 0), ("b", 4, 0), ("c", 10, 0)], {"c": 1}, {"a": 3, "b": 3, "c": 0}, 0),
        (12, [("a", 4, 0), ("b", 4, 0), ("c", 10, 0)], {"c": 1}, {"a": 4, "b": 4, "c": 4}, 0),
        (20, [("a", 4, 0), ("b", 4, 0), ("c", 10, 0)], {"c": 1}, {"a": 4, "b": 4, "c": 10}, 2),
        (9, [("a", 4, 0), ("c", 3, 0), ("d", 9, 0)], {"c": 1, "d": 2}, {"a": 4, "c": 3, "d": 2}, 0),
        # unknown room takes everything that reaches its tier
        (9, [("a", None, 0), ("c", 5, 0)], {"c": 1}, {"a": 9, "c": 0}, 0),
        # scale-down leaves the last tier first (from 4/4/4 to 9)
        (9, [("a", 4, 4), ("b", 4, 4), ("c", 10, 4)], {"c": 1}, {"a": 4, "b": 4, "c": 1}, 0),
    ],
)
def test_tiers_fill_in_order(
    total: int,
    spec: list[tuple[str, int | None, int]],
    tiers: dict[str, int],
    expected: dict[str, int],
    left: int,
) -> None:
    got, unschedulable, _ = tiered(total, rows(*spec), tiers, "webster-dynamic", "", False)
    assert (got, unschedulable) == (expected, left)


@given(
    total=st.integers(0, 60),
    caps=st.lists(st.integers(0, 15), min_size=1, max_size=6),
    tier_of=st.lists(st.integers(0, 2), min_size=6, max_size=6),
)
def test_a_tier_gets_replicas_only_when_the_tiers_before_it_are_full(
    total: int, caps: list[int], tier_of: list[int]
) -> None:
    names = [f"c{i}" for i in range(len(caps))]
    tiers = {n: tier_of[i] for i, n in enumerate(names) if tier_of[i]}
    got, left, _ = tiered(
        total,
        rows(*((n, c, 0) for n, c in zip(names, caps, strict=True))),
        tiers,
        "webster-dynamic",
        "",
        False,
    )
    assert sum(got.values()) + left == total
    assert all(got[n] <= c for n, c in zip(names, caps, strict=True))
    for k in (1, 2):
        if any(got[n] for n in names if tiers.get(n, 0) == k):
            earlier = [n for n, c in zip(names, caps, strict=True) if tiers.get(n, 0) < k]
            assert all(got[n] == c for n, c in zip(names, caps, strict=True) if n in earlier)


def test_placement_ranks_the_group_before_its_overflow_tiers() -> None:
    clusters = [Cluster("idc"), Cluster("cloud-a"), Cluster("cloud-b"), Cluster("other")]
    placement = Placement(
        affinity_groups=(ClusterAffinity(cluster_names=("idc",)),),
        overflow=((ClusterAffinity(cluster_names=("cloud-a", "cloud-b")),),),
    )
    res = place(
        placement,
        PropagationPolicy("p").failover,
        clusters,
        {},
        (),
        0.0,
        {"idc": 1, "cloud-a": 50, "cloud-b": 40},
    )
    assert res.selected == ("idc", "cloud-a", "cloud-b")
    assert res.tiers == {"cloud-a": 1, "cloud-b": 1}
    assert "other" in res.excluded


# ---------------------------------------------------------------- dependencies


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        (
            {"volumes": [{"configMap": {"name": "cfg"}}, {"secret": {"secretName": "tls"}}]},
            {("ConfigMap", "cfg"), ("Secret", "tls")},
        ),
        (
            {
                "volumes": [
                    {
                        "projected": {
                            "sources": [{"configMap": {"name": "a"}}, {"secret": {"name": "b"}}]
                        }
                    }
                ]
            },
            {("ConfigMap", "a"), ("Secret", "b")},
        ),
        (
            {
                "containers": [
                    {
                        "envFrom": [{"configMapRef": {"name": "env"}}],
                        "env": [{"valueFrom": {"secretKeyRef": {"name": "pw"}}}],
                    }
                ]
            },
            {("ConfigMap", "env"), ("Secret", "pw")},
        ),
        (
            {
                "imagePullSecrets": [{"name": "reg"}],
                "serviceAccountName": "robot",
                "volumes": [{"persistentVolumeClaim": {"claimName": "data"}}],
            },
            {("Secret", "reg"), ("ServiceAccount", "robot"), ("PersistentVolumeClaim", "data")},
        ),
        ({"serviceAccountName": "default"}, set()),
    ],
)
def test_references_of_a_pod_template(pod: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    manifest = {"kind": "Deployment", "spec": {"template": {"spec": pod}}}
    assert references(manifest) == expected


def _web(replicas: int = 4) -> Workload:
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "reg.example/web:1",
                            "envFrom": [{"configMapRef": {"name": "cfg"}}],
                            "command": ["serve"],
                            "args": ["--debug", "--port=80"],
                        }
                    ]
                }
            }
        },
    }
    return Workload("apps/v1", "Deployment", "web", "shop", manifest=manifest, replicas=replicas)


CFG = Workload(
    "v1",
    "ConfigMap",
    "cfg",
    "shop",
    manifest={
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "shop"},
        "data": {"app.json": '{"level": "info"}', "app.yaml": "level: info\n"},
    },
)


def _plan(policy: PropagationPolicy, *workloads: Workload) -> dict[str, set[str]]:
    clusters = [Cluster("a"), Cluster("b"), Cluster("c")]
    desired = DesiredState.build(clusters, [policy], [], workloads)
    plan = reconcile(desired, Observation(), FederationState(), 0.0)
    out: dict[str, set[str]] = {}
    for act in plan.actions:
        if isinstance(act, Apply):
            out.setdefault(act.key, set()).add(act.cluster)
    return out


def test_dependencies_follow_their_workload() -> None:
    policy = PropagationPolicy(
        "web",
        "shop",
        selectors=(ResourceSelector(kind="Deployment"),),
        placement=Placement(
            affinity=ClusterAffinity(cluster_names=("a", "b")),
            replicas=ReplicaScheduling(type="Duplicated"),
        ),
        propagate_deps=True,
    )
    out = _plan(policy, _web(), CFG)
    assert out == {"Deployment/shop/web": {"a", "b"}, "ConfigMap/shop/cfg": {"a", "b"}}
    from dataclasses import replace

    assert _plan(replace(policy, propagate_deps=False), _web(), CFG) == {
        "Deployment/shop/web": {"a", "b"}
    }


def test_suspended_clusters_get_nothing_written() -> None:
    base = PropagationPolicy(
        "web",
        "shop",
        selectors=(ResourceSelector(kind="Deployment"),),
        placement=Placement(replicas=ReplicaScheduling(type="Duplicated")),
    )
    from dataclasses import replace

    assert _plan(replace(base, suspended=("b",)), _web()) == {"Deployment/shop/web": {"a", "c"}}
    assert _plan(replace(base, suspend_all=True), _web()) == {}


# ---------------------------------------------------------------- overriders


def _render(rule: OverrideRule, w: Workload) -> dict[str, Any]:
    policy = OverridePolicy("o", "shop", (ResourceSelector(),), (rule,))
    manifest, _ = render(w, Cluster("a"), w.replicas, [policy])
    return manifest


def test_karmadas_overriders() -> None:
    load_j, dump_j = CODECS["json"]
    load_y, dump_y = CODECS["yaml"]
    rule = OverrideRule(
        ClusterAffinity(),
        images=(
            ImageOverride(
                "Registry", "replace", "eu.example", "/spec/template/spec/containers/0/image"
            ),
        ),
        commands=(ArgsOverride("web", "add", ("--v=2",)),),
        args=(ArgsOverride("web", "remove", ("--debug",)),),
        labels=(
            MapOverride("add", {"region": "eu", "x": "1"}),
            MapOverride("remove", {"x": ""}),
            MapOverride("replace", {"region": "us", "absent": "no"}),
        ),
    )
    m = _render(rule, _web())
    (c,) = m["spec"]["template"]["spec"]["containers"]
    assert c["image"] == "eu.example/web:1"
    assert (c["command"], c["args"]) == (["serve", "--v=2"], ["--port=80"])
    labels = {k: v for k, v in m["metadata"]["labels"].items() if not k.startswith("kfed.io")}
    assert labels == {"region": "us"}
    fields = OverrideRule(
        ClusterAffinity(),
        fields=(
            FieldOverride(
                "/data/app.json", "json", (PatchOp("replace", "/level", "debug"),), load_j, dump_j
            ),
            FieldOverride(
                "/data/app.yaml", "yaml", (PatchOp("add", "/trace", True),), load_y, dump_y
            ),
        ),
    )
    data = _render(fields, CFG)["data"]
    assert data == {"app.json": '{"level":"debug"}', "app.yaml": "level: info\ntrace: true\n"}


def test_kubefeds_planner_breaks_ties_by_namespace_and_name() -> None:
    w = _web()
    assert w.tie_key("kubefed") == "shop/web"
    assert w.tie_key("webster") == "Deployment/shop/web"
