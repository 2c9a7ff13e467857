"""The kube backend against three real local clusters: propagation of every kind, divided
replicas and overrides on the members, failover and failback, cleanup, and each real fault
mechanism seen by the engine's own gateway."""

from __future__ import annotations

import time
from typing import Any

import pytest
from kubernetes import client

from federation.api import load_text
from federation.api.scenario import Scenario
from federation.kube.cleanup import delete_managed, managed_objects
from federation.kube.driver import run
from federation.kube.faults import FaultInjector
from federation.kube.fleet import Members
from federation.kube.gateway import KubeGateway
from federation.report.summary import summarize

from .conftest import KubeMembers, eventually

pytestmark = pytest.mark.kube

CLUSTERS = """
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: m1, labels: {tier: gold}}
spec: {region: eu-west, provider: kwok, capacity: {cpu: "16", memory: 64Gi, pods: 220}, nodes: 2}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: m2}
spec: {region: eu-west, provider: kwok, capacity: {cpu: "48", memory: 192Gi, pods: 150}, nodes: 3}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: m3}
spec: {region: us-east, provider: kwok, capacity: {cpu: "4", memory: 16Gi, pods: 30}, nodes: 1}
"""

WORKLOADS = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {GREETING: hello}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret, namespace: shop}
stringData: {token: s3cr3t}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 6
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27, resources: {requests: {cpu: 100m, memory: 64Mi}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: report, namespace: shop}
spec:
  completions: 3
  template:
    spec:
      restartPolicy: Never
      containers: [{name: report, image: busybox:1.36, resources: {requests: {cpu: 50m}}}]
"""


def scenario(body: str, policy: str, extra: str = "") -> Scenario:
    text = f"""
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {{name: kube-test}}
spec:
  seed: 1
  duration: 60
  # generous probe timeout: these tests share two cores with three control planes
  health: {{probeTimeout: 3}}
{body}
---
{CLUSTERS}
---
{policy}
---
{WORKLOADS}
{extra}
"""
    (s,) = load_text(text, "kube-test.yaml").scenarios
    return s


POLICY = """
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: StaticWeight   # kfed's division
      weights:
        - {targetCluster: {clusterNames: [m1]}, weight: 2}
        - {targetCluster: {clusterNames: [m2, m3]}, weight: 1}
  failover:
    purgeMode: Graceful
    failback: {enabled: true, stabilizationWindowSeconds: 4}
"""

OVERRIDE = """
---
apiVersion: kfed.io/v1alpha1
kind: ClusterOverridePolicy
metadata: {name: regional}
spec:
  resourceSelectors: [{kind: Deployment, name: web, namespace: shop}]
  overrideRules:
    - targetCluster:
        fieldSelector: {matchExpressions: [{key: region, operator: In, values: [us-east]}]}
      overriders:
        imageOverrider: [{component: Registry, operator: replace, value: us.registry.example}]
        labelsOverrider: {region: us-east}
"""


def summary_of(s: Scenario, result: Any) -> dict[str, Any]:
    return summarize(
        s,
        result.recorder.rows,
        backend="kube",
        wall_seconds=result.wall_seconds,
        events=result.events,
        simulated_seconds=result.simulated_seconds,
    )


def members_of(kube_members: KubeMembers) -> Members:
    return Members(
        dict(kube_members.handles), kube_members.provider, FaultInjector(kube_members.provider)
    )


def read(kube_members: KubeMembers, name: str, kind: str, obj: str) -> Any:
    with kube_members.client(name, direct=True) as api:
        if kind == "Deployment":
            return client.AppsV1Api(api).read_namespaced_deployment(obj, "shop")
        if kind == "Job":
            return client.BatchV1Api(api).read_namespaced_job(obj, "shop")
        core = client.CoreV1Api(api)
        return {
            "ConfigMap": core.read_namespaced_config_map,
            "Secret": core.read_namespaced_secret,
            "Service": core.read_namespaced_service,
        }[kind](obj, "shop")


def test_propagates_every_kind_divides_overrides_and_cleans_up(kube_members: KubeMembers) -> None:
    s = scenario("", POLICY, OVERRIDE)
    result = run(s, members=members_of(kube_members), duration=12, keep=True)
    try:
        status = result.loop.statuses["Deployment/shop/web"]
        assert status.assignment == {"m1": 3, "m2": 2, "m3": 1}  # 6 over 2:1:1, Webster
        for name, replicas in status.assignment.items():
            dep = read(kube_members, name, "Deployment", "web")
            assert dep.spec.replicas == replicas
            assert dep.metadata.labels["kfed.io/managed-by"] == "kfed"
            assert dep.metadata.annotations["kfed.io/hash"]
            assert (dep.status.ready_replicas or 0) == replicas  # kwok made the pods Ready
            for kind, obj in (
                ("ConfigMap", "web-config"),
                ("Secret", "web-secret"),
                ("Service", "web"),
                ("Job", "report"),
            ):
                assert read(kube_members, name, kind, obj).metadata.name == obj
        us = read(kube_members, "m3", "Deployment", "web")
        assert us.spec.template.spec.containers[0].image == "us.registry.example/nginx:1.27"
        assert us.metadata.labels["region"] == "us-east"
        eu = read(kube_members, "m1", "Deployment", "web")
        assert eu.spec.template.spec.containers[0].image == "nginx:1.27"
        assert "region" not in (eu.metadata.labels or {})
        # a Job's completions are divided too (3 over 2:1:1)
        assert (
            sum(read(kube_members, n, "Job", "report").spec.completions for n in ("m1", "m2", "m3"))
            == 3
        )
        # nothing the engine did failed
        assert result.stats["failed"] == 0, result.stats["errors"]
    finally:
        delete_managed(kube_members.handles.values())
    for h in kube_members.handles.values():
        assert managed_objects(h) == [], f"orphans on {h.name}"


def test_outage_fails_over_and_fails_back(kube_members: KubeMembers) -> None:
    body = """  timeline:
    - {at: 6, fault: outage, cluster: m2, duration: 12}"""
    s = scenario(body, POLICY)
    result = run(s, members=members_of(kube_members), duration=40)
    summary = summary_of(s, result)
    (f,) = summary["failovers"]
    assert f["cluster"] == "m2"
    assert f["detected_at"] is not None and f["detected_at"] - f["fault_at"] < 10
    assert f["evicted_at"] is not None
    assert f["recovered_at"] is not None and f["recovered_at"] - f["fault_at"] < 15
    kinds = [(r.kind, r.cluster) for r in result.recorder.rows]
    assert ("evict", "m2") in kinds and ("failback", "m2") in kinds
    # back where the weights want the replicas once m2 is stable again
    assert result.loop.statuses["Deployment/shop/web"].assignment == {"m1": 3, "m2": 2, "m3": 1}
    assert summary["workloads"]["Deployment/shop/web"]["availability"] > 0.8


def test_partition_keeps_serving_then_removes_the_stale_copies(kube_members: KubeMembers) -> None:
    body = """  timeline:
    - {at: 5, fault: partition, cluster: m3, duration: 10}"""
    s = scenario(body, POLICY.replace("enabled: true", "enabled: false"))
    result = run(s, members=members_of(kube_members), duration=28)
    summary = summary_of(s, result)
    (f,) = summary["failovers"]
    assert (f["cluster"], f["fault"]) == ("m3", "partition")
    assert f["evicted_at"] is not None and f["recovered_at"] is not None
    web = summary["workloads"]["Deployment/shop/web"]
    assert web["max_unavailable"] == 0  # m3's replicas served right through the partition
    # once the link healed, the federation removed the copy it had evicted: nothing doubled
    ready_m3 = [
        r
        for r in result.recorder.rows
        if r.kind == "ready" and r.cluster == "m3" and r.workload == "Deployment/shop/web"
    ]
    assert ready_m3[-1].fields["ready"] == 0 and ready_m3[-1].t > 15
    assert result.loop.statuses["Deployment/shop/web"].assignment == {"m1": 4, "m2": 2}


class Engine:
    """The engine's gateway to the members, and what it has seen so far."""

    def __init__(self, gw: KubeGateway) -> None:
        self.gw = gw
        self.free_cpu: dict[str, float] = {}

    def _drain(self) -> list[Any]:
        probes, deltas = self.gw.observe(0.0)
        for d in deltas:
            if d.free is not None:
                self.free_cpu[d.cluster] = d.free.cpu
        return list(probes)

    def probe(self, cluster: str, timeout: float = 1.0) -> Any:
        self.gw.probe([cluster], 0.0, timeout)
        deadline = time.monotonic() + timeout + 5
        while time.monotonic() < deadline:
            for p in self._drain():
                if p.cluster == cluster:
                    return p
            time.sleep(0.05)
        raise AssertionError("no probe result")

    def free(self, cluster: str) -> float | None:
        self._drain()
        return self.free_cpu.get(cluster)


@pytest.fixture
def engine(kube_members: KubeMembers) -> Any:
    t0 = time.monotonic()
    gw = KubeGateway(kube_members.handles, lambda: time.monotonic() - t0)
    gw.start()
    try:
        yield Engine(gw)
    finally:
        gw.close()


def test_each_real_fault_changes_what_the_engine_observes(
    kube_members: KubeMembers, kube_faults: FaultInjector, engine: Engine
) -> None:
    for name in ("m1", "m2", "m3"):
        p = engine.probe(name)
        assert p.ok, p
    normal = engine.probe("m1").latency

    h = kube_faults.outage("m1")
    p = engine.probe("m1")
    assert (p.ok, p.reason) == (False, "refused"), p
    kube_faults.revert(h)
    eventually(lambda: engine.probe("m1").ok, timeout=60)

    h = kube_faults.hang("m2")
    p = engine.probe("m2")
    assert (p.ok, p.reason) == (False, "timeout"), p
    kube_faults.revert(h)
    eventually(lambda: engine.probe("m2").ok, timeout=30)

    h = kube_faults.partition("m3", mode="blackhole")
    p = engine.probe("m3")
    assert not p.ok and p.reason == "timeout", p
    kube_faults.revert(h)
    eventually(lambda: engine.probe("m3").ok, timeout=30)

    h = kube_faults.latency("m1", 300)
    p = engine.probe("m1", timeout=3.0)
    assert p.ok and p.latency >= 0.3 > normal, (p, normal)
    kube_faults.revert(h)

    before = eventually(lambda: engine.free("m2"), timeout=30)
    h = kube_faults.lose_nodes("m2", 2)
    eventually(lambda: (engine.free("m2") or 0) < before - 20, timeout=30)
    kube_faults.revert(h)
