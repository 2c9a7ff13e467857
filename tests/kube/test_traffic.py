"""Federated services on real members: the ServiceExport and the Service propagate with the
workload, the EndpointSlices each member's controller keeps are collected and imported into every
member with the MCS labels, the steering answer comes from those imported slices, and the drain
after a member's outage matches the sim's (kwok pods serve no HTTP: requests stay modelled)."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client

from federation.api import load_text
from federation.api.scenario import Scenario
from federation.compare import compare
from federation.kube.cleanup import delete_managed
from federation.kube.driver import run
from federation.kube.mcs import MCS_SERVICE_LABEL, MCS_SOURCE_LABEL, ready_endpoints
from federation.report.summary import summarize

from .conftest import KubeMembers
from .test_backend import CLUSTERS, members_of

pytestmark = pytest.mark.kube

DURATION = 34.0
TEXT = f"""
apiVersion: kfed.io/v1alpha1
kind: Scenario
metadata: {{name: traffic}}
spec:
  seed: 2
  duration: {DURATION:g}
  health: {{probeTimeout: 3}}
  timeline:
    - {{name: m1-down, at: 12, fault: outage, cluster: m1, duration: 16}}
  traffic:
    clients:
      - {{service: web, region: eu-west, rps: 100}}
      - {{service: web, region: us-east, rps: 40}}
---
{CLUSTERS}
---
apiVersion: kfed.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {{name: shop}}
spec:
  resourceSelectors: [{{kind: Namespace, name: shop}}, {{namespace: shop}}]
  placement:
    clusterAffinity: {{clusterNames: [m1, m2, m3]}}
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
spec:
  steering: {{profile: lighthouse}}
  capacity: {{requestsPerSecond: 100}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: 6
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: nginx, resources: {{requests: {{cpu: 100m}}}}}}]
"""


def scenario() -> Scenario:
    (s,) = load_text(TEXT, "traffic.yaml").scenarios
    return s


def imported_slices(kube_members: KubeMembers, member: str) -> list[Any]:
    with kube_members.client(member, direct=True) as api:
        return list(
            client.DiscoveryV1Api(api)
            .list_namespaced_endpoint_slice("shop", label_selector=MCS_SERVICE_LABEL)
            .to_dict()["items"]
        )


def test_services_propagate_and_the_drain_matches_the_sim(kube_members: KubeMembers) -> None:
    s = scenario()
    real = run(s, members=members_of(kube_members), duration=DURATION, keep=True)
    try:
        for m in ("m2", "m3"):  # m1 restarted from its outage moments ago
            with kube_members.client(m, direct=True) as api:
                exports = client.CustomObjectsApi(api).list_namespaced_custom_object(
                    "multicluster.x-k8s.io", "v1alpha1", "shop", "serviceexports"
                )
                services = client.CoreV1Api(api).list_namespaced_service("shop").items
            # the export goes wherever the Service goes
            assert [e["metadata"]["name"] for e in exports["items"]] == ["web"], m
            assert [x.metadata.name for x in services] == ["web"], m
            # every member imports every member's endpoints, one slice per source cluster
            slices = imported_slices(kube_members, m)
            sources = {sl["metadata"]["labels"][MCS_SOURCE_LABEL] for sl in slices}
            assert sources == {"m1", "m2", "m3"}, m  # m1's copy kept from before its outage
            assert all(sl["metadata"]["labels"][MCS_SERVICE_LABEL] == "web" for sl in slices)
        ready = {
            sl["metadata"]["labels"][MCS_SOURCE_LABEL]: ready_endpoints(sl)
            for sl in imported_slices(kube_members, "m2")
        }
        assert ready["m2"] + ready["m3"] == 6 and ready["m3"] >= 1  # all six, failed over
    finally:
        delete_managed(kube_members.handles.values())
    rows = real.recorder.rows
    summary = summarize(
        s, rows, backend="kube", wall_seconds=DURATION, events=0, simulated_seconds=DURATION
    )
    traffic = summary["traffic"]
    assert "EndpointSlices" in traffic["model"] and "kwok pods serve no HTTP" in traffic["model"]
    (drain,) = traffic["faults"]
    assert drain["clusters"] == ["m1"] and drain["drain_seconds"] is not None
    # what the answerer knew came from the imported slices: m1 stayed listed while it was down
    answers = [r for r in rows if r.kind == "answer" and r.fields["region"] == "eu-west"]
    assert any("m1" not in r.fields["clusters"] for r in answers if r.t > 12)
    result = compare(s, real=lambda sc: (rows, summary))
    (metric,) = [m for m in result.metrics if m.name.endswith("drain")]
    assert metric.within, metric.as_dict()
