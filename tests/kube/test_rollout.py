"""A changed pod template applied mid-run, on real members and in the sim: the member's own
Deployment controller rolls the pods (kube) or the sim's model of it does, and both keep the
same bounds: Ready never below replicas - maxUnavailable, every pod on the new template at the
end, and the figures (max unavailable) within the same limit."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client

from federation.kube.cleanup import delete_managed
from federation.kube.driver import run
from federation.report.summary import summarize
from federation.runner import execute

from .conftest import KubeMembers
from .test_backend import members_of, read
from .test_parity_semantics import scenario

pytestmark = pytest.mark.kube

KEY = "Deployment/shop/web"
REPLICAS, SURGE, UNAVAILABLE = 8, 2, 2  # 25 % / 25 % of 8: surge 2 (up), unavailable 2 (down)


def web(image: str) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: {REPLICAS}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "{image}", resources: {{requests: {{cpu: 100m}}}}}}]
"""


POLICY = """\
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {kind: Deployment, namespace: shop}]
  placement:
    clusterAffinity: {clusterNames: [m2]}
"""


def test_a_template_apply_rolls_within_the_same_bounds_on_both_backends(
    kube_members: KubeMembers,
) -> None:
    doc = "\n".join("        " + line for line in web("nginx:1.28").splitlines())
    s = scenario(
        f"  timeline:\n    - name: roll\n      at: 8\n      operation: apply\n"
        f"      document:\n{doc}",
        POLICY + "---\n" + web("nginx:1.27"),
    )
    real = run(s, members=members_of(kube_members), duration=25, keep=True)
    try:
        d = read(kube_members, "m2", "Deployment", "web")
        assert d.spec.template.spec.containers[0].image == "nginx:1.28"
        assert d.status.updated_replicas == REPLICAS and d.status.ready_replicas == REPLICAS
        with kube_members.client("m2", direct=True) as api:
            sets = client.AppsV1Api(api).list_namespaced_replica_set("shop").items
        live: list[Any] = [r for r in sets if r.spec.replicas]
        assert len(sets) == 2 and len(live) == 1  # the old ReplicaSet scaled to 0
        assert live[0].spec.template.spec.containers[0].image == "nginx:1.28"
        # the controller's own surge bound, as the sim resolves it
        ann = live[0].metadata.annotations["deployment.kubernetes.io/max-replicas"]
        assert int(ann) == REPLICAS + SURGE
    finally:
        delete_managed(kube_members.handles.values())
    sim = execute(s, "sim", plots=False)
    kube_summary = summarize(
        s, real.recorder.rows, backend="kube", wall_seconds=25, events=0, simulated_seconds=25
    )
    for name, summary, rows in (
        ("kube", kube_summary, real.recorder.rows),
        ("sim", sim.summary, sim.rows),
    ):
        (op,) = [r for r in rows if r.kind == "operation"]
        assert op.t == pytest.approx(8, abs=0.5), name
        ready = [r for r in rows if r.kind == "ready" and r.workload == KEY and r.cluster == "m2"]
        before = [r for r in ready if r.t < op.t]
        after = [r for r in ready if r.t >= op.t]
        assert before and before[-1].fields["ready"] == REPLICAS, (name, before)
        # Ready dips at most by maxUnavailable, on both
        assert all(r.fields["ready"] >= REPLICAS - UNAVAILABLE for r in after), (name, after)
        assert (after or before)[-1].fields["ready"] == REPLICAS, (name, after)
        w = summary["workloads"][KEY]
        assert w["max_unavailable"] <= UNAVAILABLE, (name, w)
        assert w["desired"] == REPLICAS, name
