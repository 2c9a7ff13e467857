"""A changed pod template applied mid-run rolls the pods on each member (the sim's Deployment
controller), and the figures show it: the `ready` rows dip within maxUnavailable, and
availability, unavailable replica-seconds and max unavailable count the dip
(docs/semantics.md, "Rollouts"). Worked out by hand."""

from __future__ import annotations

import textwrap

import pytest

from federation.runner import Outcome
from tests.scenarios.federations import cluster, rows, run

KEY = "Deployment/shop/web"
STARTUP = 2.0  # constant pod start-up: every wave takes exactly this


def web(image: str, replicas: int = 4, strategy: str = "") -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: web, namespace: shop}}
        spec:
          replicas: {replicas}
          {strategy}
          template:
            spec:
              containers:
                - {{name: c, image: "{image}", resources: {{requests: {{cpu: 500m}}}}}}
        """
    )


POLICY = """\
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: shop}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {kind: Deployment, namespace: shop}]
  placement:
    clusterAffinity: {clusterNames: [a]}
"""


def spec(document: str) -> str:
    doc = textwrap.indent(document, "      ")
    return f"""\
duration: 60
sim:
  podStartup: {{distribution: constant, value: {STARTUP}}}
  apiLatency: {{distribution: constant, value: 10ms}}
  link: {{latency: 0, jitter: 0}}
timeline:
  - name: roll
    at: 30
    operation: apply
    document:
{doc}
"""


def ready_steps(out: Outcome) -> list[tuple[float, int]]:
    return [(r.t, r.fields["ready"]) for r in rows(out, "ready", workload=KEY)]


@pytest.mark.parametrize(
    ("strategy", "dip", "waves"),
    [
        ("", 1, 2),  # 25 %/25 % of 4: surge 1, unavailable 1; 2 new per wave
        ("strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 2}}", 2, 2),
        ("strategy: {rollingUpdate: {maxSurge: 2, maxUnavailable: 0}}", 0, 2),
        ("strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}", 0, 4),
        ("strategy: {type: Recreate}", 4, 1),
    ],
)
def test_a_template_apply_dips_by_the_strategy_by_hand(strategy: str, dip: int, waves: int) -> None:
    docs = [cluster("a", "eu"), POLICY, web("app:1", strategy=strategy)]
    out = run(spec(web("app:2", strategy=strategy)), docs)
    (write,) = [r for r in rows(out, "apply", workload=KEY) if r.t >= 30]
    during = [(t, n) for t, n in ready_steps(out) if t >= 30]
    w = out.summary["workloads"][KEY]
    # unavailable replica-seconds = dip x waves x start-up; max unavailable = dip
    assert w["unavailable_replica_seconds"] == pytest.approx(dip * waves * STARTUP, abs=1e-6)
    assert w["max_unavailable"] == dip
    if not dip:  # the surge carries it: Ready never moves, nothing is missing
        assert during == [] and w["availability"] == 1.0
        return
    # Ready: 4 - dip from the member's write on, 4 again `waves` start-ups later
    (t0, low), (t1, back) = during
    assert (low, back) == (4 - dip, 4) and t0 > write.t
    assert t1 - t0 == pytest.approx(waves * STARTUP)
    # counted from the first time all 4 were Ready (one start-up in): 4 x (60 - that) replica-s
    counted = 4 * (60 - w["time_to_available"])
    assert w["availability"] == pytest.approx(1 - dip * waves * STARTUP / counted, abs=1e-6)


def test_a_replica_count_change_rolls_nothing() -> None:
    out = run(spec(web("app:1", replicas=6)), [cluster("a", "eu"), POLICY, web("app:1")])
    assert [n for t, n in ready_steps(out) if t > 30] == [6]  # 4 stay Ready, 2 more start
    # the two new replicas count as missing from the operation until Ready (a scale-up is not
    # start-up): the write's way to the member (the API's 10 ms and a cycle) plus a start-up
    assert out.summary["workloads"][KEY]["unavailable_replica_seconds"] == pytest.approx(
        2 * STARTUP, abs=0.05
    )


def big(replicas: int, cpu: str) -> str:
    return web("big:1", replicas).replace("name: web", "name: big").replace("500m", cpu)


def test_a_workload_an_apply_adds_asks_what_its_template_asks() -> None:
    # one node of 4 cpu; web's 4 pods of 500m leave 2 cpu; at 30 s an apply adds shop/big, 3
    # pods of 1 cpu: 2 fit, the third is Pending with the scheduler's reason (not 3 pods of
    # the default request, which asks no cpu and fits anywhere)
    out = run(spec(big(3, '"1"')), [cluster("a", "eu", cpu=4, nodes=1), POLICY, web("app:1")])
    key = "Deployment/shop/big"
    (write,) = rows(out, "apply", workload=key)
    (pend,) = rows(out, "pending", workload=key)
    assert [(r.t - write.t, r.fields["ready"]) for r in rows(out, "ready", workload=key)] == [
        (pytest.approx(0.01 + STARTUP), 2)  # the API's 10 ms, then a start-up
    ]
    assert (pend.t - write.t, pend.fields["pending"]) == (pytest.approx(0.01), 1)
    assert pend.fields["reason"] == (
        "0/1 nodes are available: 1 Insufficient cpu (no node with 1 CPU free; most free 0)"
    )
    # Pending from the member's write (30.01 s) to the end (60 s)
    summary = out.summary["workloads"][key]
    assert summary["pending_replica_seconds"] == pytest.approx(60 - 30.01, abs=1e-6)


def test_an_override_of_the_request_is_what_that_members_pods_ask() -> None:
    # web (3 replicas of 500m) duplicated on a and b, one node of 4 cpu each; an override makes
    # b's pods ask 1500m: a runs 3 (1.5 cpu), b fits 2 (3 cpu) and keeps 1 Pending
    both = POLICY.replace("clusterNames: [a]", "clusterNames: [a, b]")
    override = textwrap.dedent(
        """\
        apiVersion: kfed.io/v1alpha1
        kind: OverridePolicy
        metadata: {name: big-on-b, namespace: shop}
        spec:
          resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
          overrideRules:
            - targetCluster: {clusterNames: [b]}
              overriders:
                plaintext:
                  - {path: /spec/template/spec/containers/0/resources/requests/cpu,
                     operator: replace, value: 1500m}
        """
    )
    clusters = [cluster(n, "eu", cpu=4, nodes=1) for n in ("a", "b")]
    out = run(spec(web("app:1", 3)), [*clusters, both, override, web("app:1", 3)])
    ready = {
        c: [r.fields["ready"] for r in rows(out, "ready", workload=KEY, cluster=c)] for c in "ab"
    }
    assert ready == {"a": [3], "b": [2]}
    (pend,) = rows(out, "pending", workload=KEY)
    assert (pend.cluster, pend.fields["pending"]) == ("b", 1)
    assert pend.fields["reason"].endswith("(no node with 1.5 CPU free; most free 1)")
