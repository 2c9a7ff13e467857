"""MultiClusterService and a Scenario's traffic: profiles fill the knobs, explicit fields win,
ServiceExports follow their Service, and every mistake is one clear error."""

from __future__ import annotations

import textwrap

import pytest

from federation.api import LoadError, load_text

HEAD = """\
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  duration: 300
"""
FED = """\
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: eu-1}
spec: {region: eu-west}
---
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: us-1}
spec: {region: us-east}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: p}
spec:
  resourceSelectors: [{kind: Namespace, name: shop}, {namespace: shop}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template: {metadata: {labels: {app: web}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
"""


def mcs(spec: str = "{}") -> str:
    return (
        "---\napiVersion: kfed.io/v1alpha1\nkind: MultiClusterService\n"
        f"metadata: {{name: web, namespace: shop}}\nspec: {spec}\n"
    )


def text(spec: str = "", fed: str = FED, extra: str = "") -> str:
    return HEAD + textwrap.indent(textwrap.dedent(spec), "  ") + fed + extra


def errors(t: str) -> list[str]:
    with pytest.raises(LoadError) as e:
        load_text(t, "t.yaml")
    return [str(p) for p in e.value.problems]


def test_a_profile_sets_the_knobs_and_explicit_fields_win() -> None:
    t = text(
        "traffic: {clients: [{service: web, region: eu-west, rps: 10}]}\n",
        extra=mcs("{steering: {profile: route53, ttlSeconds: 60}}"),
    )
    (s,) = load_text(t, "t.yaml").scenarios
    (svc,) = s.traffic.services
    st = svc.steering
    assert (st.policy, st.ttl, st.health_check_interval, st.failure_threshold) == (
        "nearest", 60.0, 30.0, 3)  # fmt: skip
    assert st.fail_open and st.profile == "route53"
    assert svc.backends == ("Deployment/shop/web",)
    assert "ServiceExport/shop/web" in s.desired.workloads
    export = s.desired.workloads["ServiceExport/shop/web"]
    assert s.desired.policy_for(export) is s.desired.policy_for(
        s.desired.workloads["Service/shop/web"]
    )


NO_SERVICE = FED.replace(
    "{name: web, namespace: shop}\nspec: {sel", "{name: www, namespace: shop}\nspec: {sel"
)
CASES = [
    (
        "no Service of that name",
        text(fed=NO_SERVICE, extra=mcs()),
        "t.yaml: metadata.name: needs a Service shop/web in the federation (MCS: the same "
        "namespace and name make the same service) (line 41, MultiClusterService shop/web)",
    ),
    (
        "the Service selects nothing",
        text(fed=FED.replace("{selector: {app: web}}", "{selector: {app: nope}}"), extra=mcs()),
        "t.yaml: metadata.name: the Service shop/web selects no Deployment or Job (its "
        "spec.selector must match a pod template's labels in namespace shop) (line 41, "
        "MultiClusterService shop/web)",
    ),
    (
        "failover without an order",
        text(extra=mcs("{steering: {policy: failover}}")),
        "t.yaml: spec.steering: policy failover needs failoverOrder (clusters or regions) "
        "(line 42, MultiClusterService shop/web)",
    ),
    (
        "failover order naming nothing",
        text(extra=mcs("{steering: {policy: failover, failoverOrder: [mars]}}")),
        "t.yaml: spec.steering.failoverOrder[0]: names no cluster or region (known: eu-1, "
        "eu-west, us-1, us-east), got 'mars' (line 42, MultiClusterService shop/web)",
    ),
    (
        "an unknown profile",
        text(extra=mcs("{steering: {profile: consul}}")),
        "t.yaml: spec.steering.profile: must be one of lighthouse, k8gb, route53, cilium, "
        "istio, got 'consul' (line 42, MultiClusterService shop/web)",
    ),
    (
        "clients of an unknown service",
        text("traffic: {clients: [{service: shop/api, region: eu-west, rps: 1}]}\n", extra=mcs()),
        "t.yaml: spec.traffic.clients[0].service: unknown MultiClusterService 'shop/api' "
        "(known: shop/web) (line 6, Scenario t)",
    ),
    (
        "the same clients twice",
        text(
            "traffic:\n  clients:\n    - {service: web, region: eu-west, rps: 1}\n"
            "    - {service: web, region: eu-west, rps: 2}\n",
            extra=mcs(),
        ),
        "t.yaml: spec.traffic.clients[1]: duplicate clients of shop/web in eu-west (also "
        "clients[0]) (line 9, Scenario t)",
    ),
    (
        "a rate field of another pattern",
        text(
            "traffic: {clients: [{service: web, region: eu-west, rate: {pattern: spike, "
            "rps: 1, peak: 9, at: 10, duration: 5, mean: 3}}]}\n",
            extra=mcs(),
        ),
        "t.yaml: spec.traffic.clients[0].rate.mean: does not apply to pattern spike (line 6, "
        "Scenario t)",
    ),
    (
        "a success rate for a region without clients",
        text(
            "traffic: {clients: [{service: web, region: eu-west, rps: 1}]}\n"
            "expectations: [{successRate: {service: web, region: ap-south, min: 0.9}}]\n",
            extra=mcs(),
        ),
        "t.yaml: spec.expectations[0].successRate.region: no clients in region 'ap-south' "
        "(client regions: eu-west) (line 7, Scenario t)",
    ),
    (
        "a client-partition cutting off nobody",
        text("timeline: [{at: 10, fault: client-partition, cluster: eu-1}]\n"),
        "t.yaml: spec.timeline[0]: needs exactly one of clients (a client region) or "
        "healthChecks: true (line 6, Scenario t)",
    ),
    (
        "a client-partition of the DNS with a cluster",
        text(
            "timeline: [{at: 10, fault: client-partition, clients: eu-west, dns: true, "
            "cluster: eu-1}]\n"
        ),
        "t.yaml: spec.timeline[0].cluster: does not apply with dns: true (the DNS is the "
        "target) (line 6, Scenario t)",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "t", "message"), CASES, ids=[c[0] for c in CASES])
def test_error(name: str, t: str, message: str) -> None:
    assert message in errors(t)


def test_a_client_partition_without_clients_is_a_warning() -> None:
    docs = load_text(
        text("timeline: [{at: 10, fault: client-partition, clients: eu-west, cluster: eu-1}]\n"),
        "t.yaml",
    )
    assert any("changes nothing without spec.traffic.clients" in w for w in docs.warnings)


def test_the_schema_lists_every_policy_and_profile() -> None:
    from federation.api import traffic_schema
    from federation.core.steering import POLICIES
    from federation.traffic.profiles import PROFILES

    assert list(POLICIES) == traffic_schema.POLICIES
    assert list(PROFILES) == traffic_schema.PROFILES
