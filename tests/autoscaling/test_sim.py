"""Autoscaling on the sim through the shared control loop: the metric pipeline's delay, Karmada's
calibration during a cluster outage, evaluations that change nothing reconcile nothing, cron
rules, the per-cluster mode's fight with the federation, determinism."""

from __future__ import annotations

from federation.api import load_text
from federation.runner import execute
from sim.driver import run

BASE = """\
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {name: as}
spec:
  seed: 4
  duration: DURATION
  autoscaling: {metrics: {scrapeInterval: 60s, window: 10s, firstScrape: 5s}}
  timeline: TIMELINE
  traffic:
    clients:
      - {service: web, region: eu-west, rate: RATE}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: a}
spec: {region: eu-west, provider: aws, capacity: {cpu: "64", memory: 256Gi}, nodes: 2}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: b}
spec: {region: eu-west, provider: aws, capacity: {cpu: "64", memory: 256Gi}, nodes: 2}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: p}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      weights: [{targetCluster: {clusterNames: [a, b]}, weight: 1}]
  failover: {tolerationSeconds: 600}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
---
apiVersion: kfed.io/v1alpha1
kind: MultiClusterService
metadata: {name: web, namespace: shop}
spec: {steering: {profile: lighthouse}, capacity: {requestsPerSecond: 100}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 10
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: w, resources: {requests: {cpu: 500m}}}]}
"""
HPA = """\
---
apiVersion: kfed.io/v1alpha1
kind: FederatedHPA
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: MIN
  maxReplicas: MAX
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
"""
KEY = "Deployment/shop/web"


def scenario(
    rate: str = "{pattern: constant, rps: 500}",
    timeline: str = "[]",
    duration: str = "900",
    hpa: str | None = HPA,
    lo: int = 2,
    hi: int = 40,
    extra: str = "",
    mode: str = "federated",
):
    text = BASE.replace("DURATION", duration).replace("TIMELINE", timeline).replace("RATE", rate)
    text = text.replace("autoscaling: {", f"autoscaling: {{mode: {mode}, ")
    if hpa:
        text += hpa.replace("MIN", str(lo)).replace("MAX", str(hi))
    return load_text(text + extra).scenarios[0]


def rows_of(out, kind, cluster=None):
    return [r for r in out.rows if r.kind == kind and (cluster is None or r.cluster == cluster)]


def test_steady_load_settles_at_the_target() -> None:
    # 500 rps over replicas of 100 rps at a 50 % target: 10 replicas is exactly right
    out = execute(scenario(), "sim", plots=False)
    decided = rows_of(out, "autoscale")
    assert decided and all(r.fields["desired"] == 10 for r in decided)
    assert all(r.fields["utilization"] == 50 for r in decided if r.fields["utilization"])


def test_evaluations_that_change_nothing_reconcile_nothing() -> None:
    pinned = run(scenario(lo=10, hi=10))
    plain = run(scenario(hpa=None))
    assert pinned.loop.autoscaler is not None and pinned.loop.autoscaler.evaluations >= 55
    assert pinned.loop.reconciled == plain.loop.reconciled


def test_a_load_step_is_seen_after_the_pipeline_s_delay() -> None:
    # 500 -> 1000 rps at 300 s: the scrapes at 305 s (window 295-305: half the new rate? no,
    # 300 s is inside it) ... the first scrape whose window shows it is at 305 s (5 s of the new
    # rate of 10 s: utilization 75 %); the next HPA evaluation after it, at 315 s, scales up
    out = execute(
        scenario(rate="{pattern: step, steps: [{at: 0, rps: 500}, {at: 300, rps: 1000}]}"),
        "sim",
        plots=False,
    )
    ups = [r for r in rows_of(out, "autoscale") if r.fields["desired"] > r.fields["current"]]
    assert ups[0].t == 315.0
    assert ups[0].fields["utilization"] == 75
    # ceil(10 x 75 / 50) = 15, then 20 once the next scrape shows the full rate
    assert ups[0].fields["desired"] == 15
    assert max(r.fields["desired"] for r in rows_of(out, "autoscale")) == 20


def test_calibration_scales_the_survivor_up_during_an_outage() -> None:
    # b goes down at 300 s; its 5 replicas stay assigned (toleration 600 s): calibration 0.5,
    # and all 500 rps go to a: a's 5 pods run at 100 % of a 50 % target: ceil(2 x 5 / 0.5) =
    # 20 (the scrape at 365 s shows it, the evaluation at 375 s acts); then a's 10 pods at 50 %
    # keep it there
    out = execute(
        scenario(timeline="[{at: 300, fault: outage, cluster: b, duration: 300}]"),
        "sim",
        plots=False,
    )
    during = [r for r in rows_of(out, "autoscale") if 300 < r.t < 600]
    assert any(r.fields["calibration"] == 0.5 for r in during)
    assert max(r.fields["desired"] for r in during) == 20
    s = out.summary["autoscaling"][KEY]["federation"]
    assert s["after_faults"][0]["scale_up_after_s"] == 75.0
    assert s["peak_replicas"] == 20


def test_cron_sets_the_workload_s_replicas() -> None:
    cron = """\
---
apiVersion: kfed.io/v1alpha1
kind: CronFederatedHPA
metadata: {name: c, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  rules: [{name: up, schedule: "5 0 * * *", targetReplicas: 14}]
"""
    out = execute(scenario(hpa=None, extra=cron), "sim", plots=False)
    (fired,) = rows_of(out, "cron")
    assert fired.t == 300.0 and fired.fields["replicas"] == 14
    desired = [r for r in rows_of(out, "desired") if r.t == 300.0]
    assert desired and desired[0].fields["replicas"] == 14


def test_per_cluster_hpas_fight_the_federation() -> None:
    out = execute(
        scenario(rate="{pattern: constant, rps: 1000}", mode="per-cluster"), "sim", plots=False
    )
    # each member's 5 pods get 500 rps: 100 % of a 50 % target; every 15 s from the first
    # scrape with a full window (65 s) each member's HPA writes 10 and the federation writes 5
    # back: the template stays at 10, the members never grow
    writes = [r for r in rows_of(out, "autoscale") if r.fields["desired"] > r.fields["current"]]
    assert {r.cluster for r in writes} == {"a", "b"}
    assert all(r.fields["current"] == 5 and r.fields["desired"] == 10 for r in writes)
    assert len(writes) == 2 * len(range(75, 900, 15))
    assert {r.fields["replicas"] for r in rows_of(out, "desired")} == {10}
    reverts = [r for r in rows_of(out, "apply") if r.fields["replicas"] == 5 and r.t > 20]
    assert len(reverts) >= len(writes) - 2
    figures = out.summary["autoscaling"][KEY]
    assert set(figures) == {"a", "b"}


def test_deterministic() -> None:
    s = scenario(timeline="[{at: 300, fault: outage, cluster: b, duration: 300}]")
    a, b = run(s), run(s)
    assert [r.csv() for r in a.recorder.rows] == [r.csv() for r in b.recorder.rows]
