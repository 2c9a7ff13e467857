"""What a member runs and what stays Pending, the same on real clusters as in the sim: an
override's replica count is what the member runs (and what is desired), and replicas that find no
node are recorded as Pending with the scheduler's reason, then rescheduled elsewhere."""

from __future__ import annotations

from typing import Any

import pytest

from federation.api import load_text
from federation.api.scenario import Scenario
from federation.kube.driver import run
from federation.recorder import Row
from federation.report.figures import series, value_at
from federation.report.summary import summarize
from federation.runner import execute

from .conftest import KubeMembers
from .test_backend import CLUSTERS, members_of, read

pytestmark = pytest.mark.kube


def scenario(spec: str, docs: str) -> Scenario:
    text = f"""
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {{name: parity}}
spec:
  seed: 1
  duration: 30
  health: {{probeTimeout: 3}}
{spec}
---
{CLUSTERS}
---
apiVersion: v1
kind: Namespace
metadata: {{name: shop}}
---
{docs}
"""
    (s,) = load_text(text, "parity.yaml").scenarios
    return s


def ready_at(rows: list[Row], key: str, cluster: str, t: float) -> int:
    s = series(rows).get(key)
    return 0 if s is None else value_at(s.ready.get(cluster, []), t)


OVERRIDE = """
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
  placement:
    replicaScheduling:
      replicaDivisionPreference: StaticWeight   # kfed's division
      weights:
        - {targetCluster: {clusterNames: [m1]}, weight: 2}
        - {targetCluster: {clusterNames: [m2, m3]}, weight: 1}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterOverridePolicy
metadata: {name: more-on-m3}
spec:
  resourceSelectors: [{kind: Deployment, name: web, namespace: shop}]
  overrideRules:
    - targetCluster: {clusterNames: [m3]}
      overriders: {replicas: 4}
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
      containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m}}}]
"""


def test_override_replicas_on_both_backends(kube_members: KubeMembers) -> None:
    s = scenario("", OVERRIDE)
    real = run(s, members=members_of(kube_members), duration=12, keep=True)
    try:
        # division 3/2/1; the override makes m3 run 4, on the member itself
        assert read(kube_members, "m3", "Deployment", "web").spec.replicas == 4
        assert read(kube_members, "m1", "Deployment", "web").spec.replicas == 3
    finally:
        from federation.kube.cleanup import delete_managed

        delete_managed(kube_members.handles.values())
    sim = execute(s, "sim", plots=False)
    key = "Deployment/shop/web"
    kube_summary = summarize(
        s, real.recorder.rows, backend="kube", wall_seconds=12, events=0, simulated_seconds=12
    )
    for summary, rows in ((kube_summary, real.recorder.rows), (sim.summary, sim.rows)):
        assert summary["workloads"][key]["desired"] == 9
        assert [ready_at(rows, key, c, 11.9) for c in ("m1", "m2", "m3")] == [3, 2, 4]
        applies = {
            r.cluster: r.fields["replicas"] for r in rows if r.kind == "apply" and r.workload == key
        }
        assert applies == {"m1": 3, "m2": 2, "m3": 4}


PENDING = """
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
  placement:
    clusterAffinity: {clusterNames: [m1, m2]}
    replicaScheduling:
      replicaDivisionPreference: StaticWeight   # kfed's division
      weights:
        - {targetCluster: {clusterNames: [m2]}, weight: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: big, namespace: shop}
spec:
  replicas: 8
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      containers: [{name: big, image: nginx, resources: {requests: {cpu: "6"}}}]
"""


def _pending(rows: list[Row], key: str, cluster: str) -> list[Row]:
    return [r for r in rows if r.kind == "pending" and r.workload == key and r.cluster == cluster]


def test_pending_replicas_are_recorded_and_rescheduled_on_both_backends(
    kube_members: KubeMembers,
) -> None:
    # m2 declares 48 CPUs, so 8 replicas of 6 CPUs seem to fit; its three 16-CPU nodes hold 6:
    # 2 stay Pending, and after 5 s they move to m1 (weight 0, the overflow tier)
    s = scenario("  rescheduling: {unschedulableSeconds: 5}", PENDING)
    real = run(s, members=members_of(kube_members), duration=25)
    sim = execute(s, "sim", plots=False)
    key = "Deployment/shop/big"
    kube_summary = summarize(
        s, real.recorder.rows, backend="kube", wall_seconds=25, events=0, simulated_seconds=25
    )
    for name, summary, rows, status in (
        ("kube", kube_summary, real.recorder.rows, real.loop.statuses[key]),
        ("sim", sim.summary, sim.rows, None),
    ):
        pend = _pending(rows, key, "m2")
        # the scheduler may mark the two Unschedulable one at a time
        assert pend and max(r.fields["pending"] for r in pend) == 2, (name, pend)
        assert "Insufficient cpu" in pend[0].fields["reason"], (name, pend[0])
        assert pend[-1].fields["pending"] == 0, (name, pend)
        (move,) = [r for r in rows if r.kind == "reschedule" and r.workload == key]
        assert move.cluster == "m2" and move.fields["replicas"] == 2, name
        assert move.t - pend[0].t == pytest.approx(5, abs=1.5), name
        assert [ready_at(rows, key, c, 24.9) for c in ("m1", "m2")] == [2, 6], name
        w: dict[str, Any] = summary["workloads"][key]
        assert w["pending_replica_seconds"] == pytest.approx(2 * 5, abs=3), name
        if status is not None:
            assert status.assignment == {"m1": 2, "m2": 6}
