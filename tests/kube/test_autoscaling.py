"""The same modelled load scales the real member Deployments as it scales the sim's: a
FederatedHPA on real kwok members, run by the shared control loop, through the same steps."""

from __future__ import annotations

from itertools import pairwise

import pytest

from federation.api import load_text
from federation.kube.cleanup import delete_managed
from federation.kube.driver import run
from federation.runner import execute

from .conftest import KubeMembers
from .test_backend import CLUSTERS, members_of, read

pytestmark = pytest.mark.kube

DURATION = 40.0
TEXT = f"""
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {{name: autoscaling}}
spec:
  seed: 2
  duration: {DURATION:g}
  health: {{probeTimeout: 3}}
  autoscaling: {{metrics: {{scrapeInterval: 4s, window: 1s, firstScrape: 0.5s, syncPeriod: 4s}}}}
  traffic:
    clients:
      - {{service: web, region: eu-west, rate: {{pattern: step, steps: [{{at: 0, rps: 200}},
          {{at: 12, rps: 600}}]}}}}
---
{CLUSTERS}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {{name: shop}}
spec:
  resourceSelectors: [{{kind: Namespace, name: shop}}, {{namespace: shop}}]
  placement:
    clusterAffinity: {{clusterNames: [m1, m2]}}
    replicaScheduling: {{replicaSchedulingType: Divided, replicaDivisionPreference: StaticWeight}}
---
apiVersion: v1
kind: Namespace
metadata: {{name: shop}}
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: shop}}
spec: {{selector: {{app: web}}, ports: [{{port: 80}}]}}
---
apiVersion: kfed.io/v1alpha1
kind: MultiClusterService
metadata: {{name: web, namespace: shop}}
spec: {{steering: {{profile: lighthouse}}, capacity: {{requestsPerSecond: 100}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: 4
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: nginx, resources: {{requests: {{cpu: 100m}}}}}}]
---
apiVersion: kfed.io/v1alpha1
kind: FederatedHPA
metadata: {{name: web, namespace: shop}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  minReplicas: 2
  maxReplicas: 16
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 50}}}}
"""
KEY = "Deployment/shop/web"


def _steps(rows: list) -> list[int]:
    """The distinct desired counts the FederatedHPA went through, in order."""
    out: list[int] = []
    for r in rows:
        if r.kind == "desired" and r.workload == KEY:
            n = r.fields["replicas"]
            if not out or out[-1] != n:
                out.append(n)
    return out


def test_the_same_load_scales_real_members_as_the_sim(kube_members: KubeMembers) -> None:
    # 200 rps over 4 replicas of 100 rps is 50 %: the target, nothing moves; 600 rps from 12 s
    # is 150 %: ceil(3 x 4) = 12 capped at max(2 x 4, 4) = 8; the next step is 11 or 12 (the 4
    # old pods at 137-150 % depending on where the 1 s window falls against the load step, the
    # new ones at 0 %: ceil(1.37 x 8) = 11, ceil(1.5 x 8) = 12), and either is within the
    # tolerance of 600 rps (54 % or 50 %): it stays. The sim goes exactly so. On real members a
    # pod's readiness falls where the kubelet puts it: if some of the 4 new pods are Ready and
    # serving inside the second window, the step is smaller (e.g. 10 at 125 %) and a third
    # sync finishes the climb. Either way the real climb starts 4 -> 8, only goes up, at most
    # doubles per step, settles on 11 or 12, and the member Deployments hold its division.
    (s,) = load_text(TEXT, "autoscaling.yaml").scenarios
    real = run(s, members=members_of(kube_members), duration=DURATION, keep=True)
    try:
        on = [read(kube_members, c, "Deployment", "web").spec.replicas for c in ("m1", "m2")]
    finally:
        delete_managed(kube_members.handles.values())
    sim = execute(s, "sim", plots=False)
    sim_steps = _steps(sim.rows)
    assert sim_steps[:2] == [4, 8] and len(sim_steps) == 3 and sim_steps[2] in (11, 12), sim_steps
    real_steps = _steps(real.recorder.rows)
    assert real_steps[:2] == [4, 8] and real_steps[-1] in (11, 12), real_steps
    assert all(a < b <= 2 * a for a, b in pairwise(real_steps)), real_steps
    for rows, steps in ((sim.rows, sim_steps), (real.recorder.rows, real_steps)):
        last = [r for r in rows if r.kind == "autoscale"][-1]
        assert last.fields["current"] == last.fields["desired"] == steps[-1]
    final = _steps(real.recorder.rows)[-1]
    assert sorted(on) == sorted([final // 2, final - final // 2])
