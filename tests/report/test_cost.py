"""summary.json `cost`, worked out by hand (docs/semantics.md, "Cost")."""

from __future__ import annotations

import pytest

from federation.api import load_text
from federation.recorder import Row
from federation.report.cost import cost
from federation.report.table import render_summary

DOCS = """\
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: x}
spec: {capacity: {cpu: 8, memory: 16Gi}, costPerCpuHour: 0.5, costPerGiBHour: 0.01}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: y}
spec: {capacity: {cpu: 4, memory: 8Gi}, costPerCpuHour: 0.25, costPerGiBHour: 0.02}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: z}
spec: {costPerCpuHour: 1.0}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  template:
    spec:
      containers: [{name: web, image: nginx, resources: {requests: {cpu: "1", memory: 2Gi}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: shop}
data: {a: b}
"""
WEB, CONF = "Deployment/shop/web", "ConfigMap/shop/conf"


def schedule(t: float, key: str, asked: dict[str, int]) -> Row:
    return Row(t, "schedule", "", key, {"assignment": asked, "desired": asked, "unschedulable": 0})


def test_cost_by_hand() -> None:
    desired = load_text(DOCS).desired()
    rows = [
        schedule(0.0, WEB, {"x": 2, "y": 2}),
        schedule(0.0, CONF, {"x": 0, "y": 0}),  # copied whole: requests nothing
        schedule(60.0, WEB, {"x": 4}),  # y lost for 30 s
        schedule(90.0, WEB, {"x": 2, "y": 2}),
        Row(100.0, "ready", "x", WEB, {"ready": 2, "desired": 2}),  # not a schedule row
    ]
    c = cost(desired, rows, 120.0)
    # provisioned: x 8 x 0.5 + 16 x 0.01 = 4.16; y 4 x 0.25 + 8 x 0.02 = 1.16; z none declared
    assert c["clusters"]["x"]["capacity_per_hour"] == pytest.approx(4.16)
    assert c["clusters"]["y"]["capacity_per_hour"] == pytest.approx(1.16)
    assert c["clusters"]["z"] == {
        "cpu": None,
        "memory_gib": None,
        "cost_per_cpu_hour": 1.0,
        "cost_per_gib_hour": 0.0,
        "capacity_per_hour": 0.0,
        "requested_cpu": 0.0,
        "requested_memory_gib": 0.0,
        "used_per_hour": 0.0,
    }
    # asked of x, averaged over 120 s: (2 x 60 + 4 x 30 + 2 x 30) / 120 = 2.5 replicas
    # = 2.5 CPUs and 5 GiB -> 2.5 x 0.5 + 5 x 0.01 = 1.30 per hour
    x = c["clusters"]["x"]
    assert (x["cpu"], x["memory_gib"]) == (8.0, 16.0)
    assert (x["requested_cpu"], x["requested_memory_gib"]) == (2.5, 5.0)
    assert x["used_per_hour"] == pytest.approx(1.30)
    # y: (2 x 60 + 0 x 30 + 2 x 30) / 120 = 1.5 -> 1.5 x 0.25 + 3 x 0.02 = 0.435
    y = c["clusters"]["y"]
    assert (y["requested_cpu"], y["requested_memory_gib"]) == (1.5, 3.0)
    assert y["used_per_hour"] == pytest.approx(0.435)
    assert c["capacity_per_hour"] == pytest.approx(5.32)
    assert c["used_per_hour"] == pytest.approx(1.735)
    assert c["total_per_hour"] == pytest.approx(5.32)  # capacity (no egress section yet)


def test_a_run_summary_has_cost_and_the_table_prints_it() -> None:
    from pathlib import Path

    from federation.api import load_scenario
    from federation.runner import execute

    root = Path(__file__).resolve().parents[2]
    summary = execute(load_scenario(root / "scenarios/region-outage.yaml"), plots=False).summary
    # 2 x 24 CPUs at 0.045 + 2 x 32 at 0.04 (no memory price)
    assert summary["cost"]["capacity_per_hour"] == pytest.approx(2 * 24 * 0.045 + 2 * 32 * 0.04)
    # the shop always asks for 24 CPUs somewhere, so what is used lies between the cheapest
    # and the dearest price of 24 CPUs
    assert 24 * 0.04 <= summary["cost"]["used_per_hour"] <= 24 * 0.045
    text = render_summary(summary)
    assert "cost: 4.7200 per hour" in text and "│ us-1    │   32 │" in text


def test_an_unpriced_run_prints_no_cost_table() -> None:
    from pathlib import Path

    from federation.api import load_scenario
    from federation.runner import execute

    root = Path(__file__).resolve().parents[2]
    summary = execute(load_scenario(root / "scenarios/cluster-outage.yaml"), plots=False).summary
    assert summary["cost"]["total_per_hour"] == 0.0
    assert "cost" not in render_summary(summary).split("expectations")[-1]


def test_egress_adds_to_the_total_and_the_table_shows_both() -> None:
    from federation.report.cost import with_egress

    capacity = {
        "clusters": {
            "x": {
                "cpu": 8,
                "memory_gib": 16.0,
                "cost_per_cpu_hour": 0.5,
                "cost_per_gib_hour": 0.01,
                "capacity_per_hour": 4.16,
                "requested_cpu": 2.5,
                "requested_memory_gib": 5.0,
                "used_per_hour": 1.3,
            }
        },
        "capacity_per_hour": 4.16,
        "used_per_hour": 1.3,
        "total_per_hour": 4.16,
    }
    assert with_egress(capacity, None) == capacity  # no traffic modelled: nothing added
    c = with_egress(capacity, 0.25)
    assert c["total_per_hour"] == pytest.approx(4.41) and c["egress_per_hour"] == 0.25
    from federation.report.table import _cost

    text = _cost(c)
    assert "cost: 4.4100 per hour = capacity 4.1600 + egress 0.2500" in text
    # egress is paid for what was used: used 1.30 + 0.25
    assert "│ network egress │" in text and "1.5500" in text
