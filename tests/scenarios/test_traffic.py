"""Traffic on whole simulated runs, written as a user would write them: the TTL moves failed
requests the way the model says, runs replay byte for byte, a partition leaves clients served,
and the summary's figures add up."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from itertools import pairwise

import pytest

from federation.api.scenario import Scenario
from federation.runner import execute
from tests.scenarios.federations import cluster, deployment, load

SPEC = """
seed: 4
duration: 600
timeline:
  - {name: eu-down, at: 120, fault: outage, cluster: eu-1, duration: 400}
traffic:
  clients:
    - {service: web, region: eu-west, rps: 200}
    - {service: web, region: us-east, rps: 100}
"""
POLICY = textwrap.dedent(
    """\
    apiVersion: kfed.io/v1alpha1
    kind: ClusterPropagationPolicy
    metadata: {name: shop}
    spec:
      resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
      placement: {replicaScheduling: {replicaSchedulingType: Divided}}
    """
)
SERVICE = textwrap.dedent(
    """\
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec: {selector: {app: web}}
    ---
    apiVersion: kfed.io/v1alpha1
    kind: MultiClusterService
    metadata: {name: web, namespace: shop}
    spec:
      steering:
        {policy: local-first, ttlSeconds: 5, healthCheckIntervalSeconds: 2, failureThreshold: 3}
      capacity: {requestsPerSecond: 100}
    """
)


def labelled(name: str, replicas: int) -> str:
    return deployment(name, replicas).replace(
        "  template:\n", "  template:\n    metadata: {labels: {app: web}}\n"
    )


def scenario() -> Scenario:
    docs = [
        cluster("eu-1", "eu-west", "eu-west-1a", cpu=32),
        cluster("us-1", "us-east", "us-east-1a", cpu=32),
        POLICY,
        SERVICE,
        labelled("web", 8),
    ]
    return load(SPEC, docs)


def with_ttl(s: Scenario, ttl: float) -> Scenario:
    (svc,) = s.traffic.services
    svc = replace(svc, steering=replace(svc.steering, ttl=ttl))
    return replace(s, traffic=replace(s.traffic, services=(svc,)))


def eu_failed(s: Scenario) -> float:
    summary = execute(s, "sim", plots=False).summary
    (d,) = summary["traffic"]["faults"]
    assert d["clusters"] == ["eu-1"]
    return float(d["failed"])


def test_a_longer_ttl_fails_more_requests_as_the_model_says() -> None:
    """After the answer changes, a slice of clients moves when its cache expires: the clients
    of eu-west (200 req/s) keep hitting the dead cluster for half a TTL on average, so each extra
    second of TTL costs 200 x 1/2 = 100 failed requests (to within one slice of 20)."""
    base = scenario()
    ttls = [5.0, 30.0, 120.0]
    failed = [eu_failed(with_ttl(base, t)) for t in ttls]
    assert failed[0] < failed[1] < failed[2]
    for (t1, f1), (t2, f2) in pairwise(zip(ttls, failed, strict=True)):
        slack = 200.0 * (t1 + t2) / 20  # a slice's share of a cache period, either side
        assert f2 - f1 == pytest.approx(100.0 * (t2 - t1), abs=slack)


def test_the_same_seed_replays_every_traffic_row() -> None:
    s = scenario()
    a = [r for r in execute(s, "sim", plots=False).rows if r.kind in ("traffic", "serving")]
    b = [r for r in execute(s, "sim", plots=False).rows if r.kind in ("traffic", "serving")]
    assert a == b and a


def test_figures_add_up_across_regions() -> None:
    summary = execute(scenario(), "sim", plots=False).summary
    web = summary["traffic"]["services"]["shop/web"]
    regions = web["regions"].values()
    assert web["all"]["requests"] == pytest.approx(sum(r["requests"] for r in regions), rel=1e-6)
    assert web["all"]["failed"] == pytest.approx(sum(r["failed"] for r in regions), rel=1e-6)
    assert web["all"]["egress_cost"] == pytest.approx(
        sum(r["egress_cost"] for r in regions), rel=1e-6
    )
    hours = summary["simulated_seconds"] / 3600.0
    assert summary["cost"]["egress_per_hour"] == pytest.approx(
        summary["traffic"]["egress_cost"] / hours, rel=1e-5
    )
    # the federation's price per hour: its provisioned capacity plus the egress
    c = summary["cost"]
    assert c["total_per_hour"] == pytest.approx(
        c["capacity_per_hour"] + c["egress_per_hour"], abs=1e-6
    )


def test_a_partition_leaves_the_clients_served() -> None:
    s = load(
        SPEC.replace("fault: outage", "fault: partition"),
        [
            cluster("eu-1", "eu-west", "eu-west-1a", cpu=32),
            cluster("us-1", "us-east", "us-east-1a", cpu=32),
            POLICY,
            SERVICE,
            labelled("web", 8),
        ],
    )
    summary = execute(s, "sim", plots=False).summary
    (d,) = summary["traffic"]["faults"]
    assert d["drain_seconds"] is None and d["failed"] == 0.0  # the pods kept serving
    assert summary["evictions"] >= 1  # while the federation moved replicas away


def test_no_clients_no_traffic_section() -> None:
    s = scenario()
    s = replace(s, traffic=replace(s.traffic, clients=()))
    summary = execute(s, "sim", plots=False).summary
    assert "traffic" not in summary and "egress_per_hour" not in summary["cost"]
