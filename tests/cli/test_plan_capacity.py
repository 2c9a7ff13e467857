"""`kfed plan` places workloads against shared capacity, in schedulePriority order then by name,
and shows what it requests of each cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from federation.cli import main

DOCS = """\
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: only}
spec: {region: us, capacity: {cpu: 15, memory: 64Gi}, nodes: 3}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: batch}
spec:
  resourceSelectors: [{kind: Deployment, name: batch}]
  placement: {replicaScheduling: {replicaDivisionPreference: StaticWeight}}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: web}
spec:
  schedulePriority: {priority: PRIO}
  resourceSelectors: [{kind: Deployment, name: web}]
  placement: {replicaScheduling: {replicaDivisionPreference: StaticWeight}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  template: {spec: {containers: [{name: c, resources: {requests: {cpu: "2"}}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  replicas: 4
  template: {spec: {containers: [{name: c, resources: {requests: {cpu: "2"}}}]}}
"""


def _plan(tmp_path: Path, capsys: pytest.CaptureFixture[str], prio: int) -> dict:
    path = tmp_path / "docs.yaml"
    path.write_text(DOCS.replace("PRIO", str(prio)))
    assert main(["plan", str(path), "-o", "json"]) == 0
    (fed,) = json.loads(capsys.readouterr().out)["federations"]
    return fed


def test_workloads_compete_for_capacity_in_name_order(tmp_path, capsys):
    # 16 CPUs of requests on a 15-CPU cluster: the first by name takes 4 x 2, the second the
    # 7 CPUs left (3 replicas) and 1 replica is unschedulable
    fed = _plan(tmp_path, capsys, 0)
    by = {w["workload"]: w for w in fed["workloads"]}
    batch, web = by["Deployment/shop/batch"], by["Deployment/shop/web"]
    assert (batch["order"], batch["assignment"], batch["unschedulable"]) == (0, {"only": 4}, 0)
    assert (web["order"], web["assignment"], web["unschedulable"]) == (1, {"only": 3}, 1)
    assert web["fits"] == {"only": 3} and batch["fits"] == {"only": 7}
    assert fed["capacity"]["only"]["requested"]["cpu"] == 14
    assert fed["capacity"]["only"]["allocatable"]["cpu"] == 15


def test_schedule_priority_goes_first(tmp_path, capsys):
    fed = _plan(tmp_path, capsys, 100)
    by = {w["workload"]: w for w in fed["workloads"]}
    web, batch = by["Deployment/shop/web"], by["Deployment/shop/batch"]
    assert (web["order"], web["schedule_priority"], web["assignment"]) == (0, 100, {"only": 4})
    assert (batch["assignment"], batch["unschedulable"]) == ({"only": 3}, 1)
    assert "room for 3 left (capacity)" in batch["why"]["only"]


def test_the_text_shows_the_order_and_the_requested_capacity(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("docs.yaml").write_text(DOCS.replace("PRIO", "5"))
    assert main(["plan", "docs.yaml", "-o", "wide"]) == 0
    out = capsys.readouterr().out
    assert "Deployment/shop/web: 4 replicas" in out
    assert "takes capacity 1st (schedulePriority 5)" in out
    assert "takes capacity 2nd" in out
    assert "only      14 / 15 (93%)" in out
