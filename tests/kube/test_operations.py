"""Operations on real members: a deleted workload leaves nothing behind (its ReplicaSets and
pods go with it, by cascading deletion), and a migration between clusters never leaves a
replica missing."""

from __future__ import annotations

import pytest
from kubernetes import client

from federation.kube.cleanup import delete_managed
from federation.kube.driver import run
from federation.report.summary import summarize

from .conftest import KubeMembers, eventually
from .test_backend import members_of
from .test_parity_semantics import scenario

pytestmark = pytest.mark.kube

WEB = """
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: namespace}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}]
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop}
spec:
  resourceSelectors: [{kind: Deployment, namespace: shop}]
  placement:
    clusterAffinities:
      - {affinityName: first, clusterNames: [m1]}
      - {affinityName: then, clusterNames: [m2]}
    replicaScheduling: {replicaDivisionPreference: StaticWeight}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m}}}]
"""
KEY = "Deployment/shop/web"


def _left(kube_members: KubeMembers, name: str) -> list[str]:
    """Deployments, ReplicaSets and pods of app=web still on member `name`."""
    with kube_members.client(name, direct=True) as api:
        apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
        sel = "app=web"
        return [
            *(
                f"deployment/{d.metadata.name}"
                for d in apps.list_namespaced_deployment("shop", label_selector=sel).items
            ),
            *(
                f"replicaset/{r.metadata.name}"
                for r in apps.list_namespaced_replica_set("shop", label_selector=sel).items
            ),
            *(
                f"pod/{p.metadata.name}"
                for p in core.list_namespaced_pod("shop", label_selector=sel).items
            ),
        ]


def test_delete_cascades_on_every_member(kube_members: KubeMembers) -> None:
    s = scenario("  timeline:\n    - {at: 6, operation: delete, workload: web}", WEB)
    real = run(s, members=members_of(kube_members), duration=10, keep=True)
    try:
        ops = [r for r in real.recorder.rows if r.kind == "operation"]
        assert [(r.fields["op"], r.workload) for r in ops] == [("delete", KEY)]
        deletes = [r for r in real.recorder.rows if r.kind == "delete" and r.workload == KEY]
        assert {r.cluster for r in deletes} == {"m1"}
        for name in ("m1", "m2", "m3"):
            # the garbage collector takes the ReplicaSet and the pods after the Deployment
            eventually(lambda n=name: not _left(kube_members, n), timeout=30)
        summary = summarize(
            s, real.recorder.rows, backend="kube", wall_seconds=10, events=0, simulated_seconds=10
        )
        assert summary["workloads"][KEY]["deleted_at"] == pytest.approx(6, abs=0.5)
        assert summary["workloads"][KEY]["desired"] == 0
    finally:
        delete_managed(kube_members.handles.values())


def test_migration_keeps_every_replica(kube_members: KubeMembers) -> None:
    s = scenario(
        "  timeline:\n"
        "    - {name: move, at: 5, operation: migrate, workload: web, from: [m1], to: [m2],"
        " maxSurge: 1}",
        WEB,
    )
    real = run(s, members=members_of(kube_members), duration=20, keep=True)
    try:
        summary = summarize(
            s, real.recorder.rows, backend="kube", wall_seconds=20, events=0, simulated_seconds=20
        )
        (op,) = summary["operations"]
        trail = [r for r in real.recorder.rows if r.workload == KEY and r.kind != "desired"]
        assert op["op"] == "migrate" and op["finished_at"] is not None, "\n".join(
            [str(r) for r in trail] + [str(real.stats)]
        )
        assert op["unavailable_replica_seconds"] == 0 and op["max_unavailable"] == 0, op
        assert op["surge_peak"] == 1
        assert real.loop.statuses[KEY].assignment == {"m2": 4}
        eventually(lambda: not _left(kube_members, "m1"), timeout=30)
        with kube_members.client("m2", direct=True) as api:
            d = client.AppsV1Api(api).read_namespaced_deployment("web", "shop")
            assert d.status.ready_replicas == 4
    finally:
        delete_managed(kube_members.handles.values())
