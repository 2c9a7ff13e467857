"""Scenario documents: resources, references, timeline, expectations, settings."""

from __future__ import annotations

import pytest

from federation.api import LoadError, load_documents, load_scenario, load_text
from federation.api.scenario import Distribution, Fault, KubeBinding, Link, SimSettings
from federation.core.health import HealthThresholds
from tests.api.helpers import CLUSTERS, errors_of

HEAD = "apiVersion: kfed.io/v1alpha1\nkind: Scenario\nmetadata: {name: demo}\n"


def one(text: str):
    (s,) = load_text(text).scenarios
    return s


def test_defaults():
    s = one(HEAD + "---\n" + CLUSTERS)
    assert (s.name, s.duration, s.seed, s.description) == ("demo", 600.0, 1, "")
    assert s.faults == () and s.expectations == ()
    assert s.sim == SimSettings() and s.health == HealthThresholds() and s.kube == KubeBinding()
    assert [c.name for c in s.desired.clusters] == ["east", "west"]
    assert list(s.desired.workloads) == ["Deployment/default/web"]


def test_resources_relative_to_the_scenario_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exp").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "clusters.yaml").write_text(CLUSTERS)
    (tmp_path / "exp" / "s.yaml").write_text(
        HEAD + "spec:\n  resources: [../shared/clusters.yaml]\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: inline}\n"
    )
    with pytest.raises(LoadError, match=r"inside the scenario's folder"):
        load_scenario("exp/s.yaml")
    s = load_scenario("exp/s.yaml", allow_outside=True)
    assert s.source == "exp/s.yaml"
    assert [c.name for c in s.desired.clusters] == ["east", "west"]
    assert set(s.desired.workloads) == {"Deployment/default/web", "ConfigMap/default/inline"}


def test_errors_in_resources_name_the_resource_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exp").mkdir()
    (tmp_path / "exp" / "c.yaml").write_text(CLUSTERS.replace("nodes: 2", "nodes: -1"))
    (tmp_path / "exp" / "s.yaml").write_text(HEAD + "spec: {resources: [c.yaml]}\n")
    with pytest.raises(LoadError) as info:
        load_scenario("exp/s.yaml")
    assert info.value.errors == [
        "exp/c.yaml: spec.nodes: must be >= 1, got -1 (line 4, Cluster east)"
    ]


def test_a_resources_file_holds_no_scenario(tmp_path):
    (tmp_path / "c.yaml").write_text(HEAD)
    (tmp_path / "s.yaml").write_text(HEAD.replace("demo", "main") + "spec: {resources: [c.yaml]}\n")
    with pytest.raises(LoadError) as info:
        load_scenario(tmp_path / "s.yaml")
    assert info.value.errors == [
        f"{tmp_path}/s.yaml: spec.resources[0]: 'c.yaml' holds a Scenario (line 1); "
        "a resources file must not (line 4, Scenario main)"
    ]


def test_one_scenario_per_file():
    errs = errors_of(HEAD + "---\n" + HEAD)
    assert errs == [
        "t.yaml: kind: only one Scenario per file (first at line 1) (line 6, Scenario demo)"
    ]


def test_load_scenario_needs_a_scenario(tmp_path):
    (tmp_path / "c.yaml").write_text(CLUSTERS)
    with pytest.raises(LoadError) as info:
        load_scenario(tmp_path / "c.yaml")
    assert info.value.errors == [f"{tmp_path / 'c.yaml'}: no Scenario document in this file"]


def test_each_scenario_file_is_its_own_federation(tmp_path):
    # the same cluster names in two scenarios are not duplicates
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(HEAD.replace("demo", name) + "---\n" + CLUSTERS)
    docs = load_documents([tmp_path / "a.yaml", tmp_path / "b.yaml"])
    assert [s.name for s in docs.scenarios] == ["a", "b"]
    assert docs.clusters == ()


def test_timeline_resolved_and_sorted():
    s = one(
        HEAD
        + """spec:
  duration: 10m
  timeline:
    - {at: 5m, fault: load-surge, workload: web, replicas: 8}
    - {at: 90s, fault: partition, region: eu, duration: 1m}
    - {at: 1m30s, fault: latency, zone: us-a, latency: 200ms}
    - {at: 10, fault: flapping, clusters: [west, east], period: 20s, down: 5s, duration: 2m}
    - {at: 2m, fault: node-loss, cluster: east, nodes: 1}
    - {at: 0, fault: api-hang, cluster: west}
---
"""
        + CLUSTERS
    )
    assert s.duration == 600.0
    assert s.faults == (
        Fault("api-hang", 0.0, None, ("west",)),
        Fault("flapping", 10.0, 120.0, ("east", "west"), {"period": 20.0, "down": 5.0}),
        Fault("partition", 90.0, 60.0, ("west",)),
        Fault("latency", 90.0, None, ("east",), {"latency": 0.2, "jitter": 0.0}),
        Fault("node-loss", 120.0, None, ("east",), {"nodes": 1}),
        Fault("load-surge", 300.0, None, (), {"workload": "Deployment/default/web", "replicas": 8}),
    )


def test_expectations():
    s = one(
        HEAD
        + """spec:
  expectations:
    - availability: {workload: web, min: 0.99}
    - failoverWithin: {cluster: east, seconds: 30s}
    - noReplicasOn: {cluster: east, workload: default/web, after: 2m}
    - noReplicasOn: {cluster: west}
    - maxUnavailable: {workload: Deployment/default/web, replicas: 1}
    - noEviction: {cluster: west}
    - noEviction: {}
    - replicasOn: {workload: web, cluster: east, at: 60, min: 2, max: 4}
    - replicasOn: {workload: web, cluster: west, at: 60, max: 0}
---
"""
        + CLUSTERS
    )
    web = "Deployment/default/web"
    run = {"from": 0.0, "to": 600.0}  # a window expectation without one: the whole run
    got = [(e.kind, e.description, dict(e.params)) for e in s.expectations]
    assert got == [
        ("availability", f"availability of {web} >= 0.99", {"workload": web, "min": 0.99, **run}),
        ("failover-within", "failover from east within 30s", {"cluster": "east", "seconds": 30.0}),
        (
            "no-replicas-on",
            f"no replicas of {web} on east after 120s",
            {"workload": web, "cluster": "east", "after": 120.0, "from": 120.0, "to": 600.0},
        ),
        (
            "no-replicas-on",
            "no replicas on west after 0s",
            {"cluster": "west", "after": 0.0, **run},
        ),
        (
            "max-unavailable",
            f"at most 1 unavailable replica(s) of {web}",
            {"workload": web, "replicas": 1, **run},
        ),
        ("no-eviction", "no eviction from west", {"cluster": "west", **run}),
        ("no-eviction", "no eviction from any cluster", run),
        (
            "replicas-on",
            f"{web} has 2..4 ready replicas on east at 60s",
            {"workload": web, "cluster": "east", "at": 60.0, "min": 2, "max": 4},
        ),
        (
            "replicas-on",
            f"{web} has <= 0 ready replicas on west at 60s",
            {"workload": web, "cluster": "west", "at": 60.0, "min": 0, "max": 0},
        ),
    ]


TWO_WEBS = (
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n"
    "---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\n"
    "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: batch}\n"
)


@pytest.mark.parametrize(
    ("ref", "outcome"),
    [
        ("Deployment/default/web", "Deployment/default/web"),
        ("prod/web", "Deployment/prod/web"),
        ("batch", "Job/default/batch"),
        ("default/batch", "Job/default/batch"),
        ("web", "ambiguous workload 'web': matches Deployment/default/web, Deployment/prod/web"),
        (
            "api",
            "unknown workload 'api' (known: Deployment/default/web, Deployment/prod/web, "
            "Job/default/batch)",
        ),
        ("Service/default/api", "must name a workload with replicas, got 'Service/default/api'"),
        (
            "Deployment/nope/web",
            "unknown workload 'Deployment/nope/web' (known: "
            "Deployment/default/web, Deployment/prod/web, Job/default/batch)",
        ),
    ],
)
def test_workload_references(ref, outcome):
    text = (
        HEAD
        + f"spec:\n  expectations:\n    - maxUnavailable: {{workload: {ref}, replicas: 0}}\n---\n"
        + CLUSTERS
        + TWO_WEBS
    )
    if "/" in outcome and " " not in outcome:
        assert one(text).expectations[0].params["workload"] == outcome
    else:
        assert errors_of(text) == [
            f"t.yaml: spec.expectations[0].maxUnavailable.workload: {outcome} "
            "(line 6, Scenario demo)"
        ]


def test_settings():
    s = one(
        HEAD
        + """spec:
  description: d
  seed: 42
  duration: 1h
  health: {probePeriod: 500ms, probeTimeout: 250ms, failureThreshold: 5, failureSeconds: 3s,
           successThreshold: 2, successSeconds: 1}
  sim:
    apiLatency: {distribution: constant, value: 20ms}
    podStartup: {distribution: lognormal, median: 2s, sigma: 0.3, min: 1s, max: 30s}
    link: {latency: 10ms, jitter: 2ms, loss: 0.01}
    links: {west: {latency: 80ms}}
    resyncPeriod: 2m
    samplePeriod: 5s
  kube:
    provider: contexts
    contexts: {east: kind-east}
    kubeconfig: /tmp/kc
    nodesPerCluster: 3
---
"""
        + CLUSTERS.replace("region: eu,", "context: kind-west, region: eu,")
    )
    assert (s.description, s.seed, s.duration) == ("d", 42, 3600.0)
    assert s.health == HealthThresholds(0.5, 0.25, 5, 3.0, 2, 1.0)
    assert s.sim == SimSettings(
        api_latency=Distribution("constant", value=0.02),
        pod_startup=Distribution("lognormal", low=1.0, high=30.0, median=2.0, sigma=0.3),
        link=Link(0.01, 0.002, 0.01),
        links={"west": Link(0.08, Link().jitter, 0.0)},
        resync_period=120.0,
        sample_period=5.0,
    )
    assert s.kube == KubeBinding("contexts", {"east": "kind-east"}, "/tmp/kc", 3)


def test_examples_load():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "scenarios"
    for path in sorted(root.rglob("*.yaml")):
        load_documents([path])
