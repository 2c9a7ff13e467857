"""KubeFed v2 documents read by the loader: a Federated<Kind> becomes its template, a Duplicated
policy and an override policy; a ReplicaSchedulingPreference turns that policy into KubeFed's
planner; KubeFedCluster and KubeFedConfig become a Cluster and health and failover timing."""

from __future__ import annotations

import textwrap

import pytest

from federation.api import LoadError, load_text
from federation.api.compat.health import KUBEFED
from federation.api.errors import format_path
from federation.core.model import ClusterAffinity, LabelSelector, PatchOp

CLUSTERS = """\
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: cluster1, namespace: kube-federation-system, labels: {env: prod}}
spec: {apiEndpoint: https://c1.example:6443, secretRef: {name: c1}}
status: {region: us-east, zones: [us-east-1a, us-east-1b]}
---
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: cluster2, namespace: kube-federation-system}
spec: {apiEndpoint: https://c2.example:6443, secretRef: {name: c2}}
"""

FD = """\
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: test-deployment, namespace: test-namespace}
spec:
  template:
    metadata: {labels: {app: nginx}}
    spec:
      replicas: 3
      selector: {matchLabels: {app: nginx}}
      template:
        metadata: {labels: {app: nginx}}
        spec: {containers: [{name: nginx, image: nginx}]}
  placement:
    PLACEMENT
  overrides:
    - clusterName: cluster2
      clusterOverrides:
        - {path: /spec/replicas, value: 5}
        - {path: /spec/template/spec/containers/0/image, value: "nginx:1.17.0-alpine"}
        - {path: /metadata/annotations, op: add, value: {foo: bar}}
"""

KEY = "Deployment/test-namespace/test-deployment"


def load(*docs: str):  # type: ignore[no-untyped-def]
    return load_text("---\n".join([CLUSTERS, *docs]), "kf.yaml")


def fd(placement: str = "clusters: [{name: cluster1}, {name: cluster2}]") -> str:
    return FD.replace("PLACEMENT", placement)


def test_kubefed_clusters() -> None:
    d = load()
    c1 = next(c for c in d.clusters if c.name == "cluster1")
    assert (c1.region, c1.zone, c1.labels) == ("us-east", "us-east-1a", {"env": "prod"})
    statuses = {format_path(f.path): f.status for r in d.compat for f in r.fields}
    assert statuses["spec.apiEndpoint"] == "not simulated"
    assert statuses["status.zones"] == "approximated"  # two zones, kfed keeps the first


def test_a_federated_deployment_is_a_template_a_duplicated_policy_and_overrides() -> None:
    d = load(fd())
    (w,) = d.workloads
    assert (w.key, w.replicas, w.labels) == (KEY, 3, {"app": "nginx"})
    (p,) = d.policies
    assert p.placement.replicas.type == "Duplicated"
    assert p.placement.affinity == ClusterAffinity(cluster_names=("cluster1", "cluster2"))
    assert not p.failover.enabled  # KubeFed never moves what no RSP schedules
    (o,) = d.overrides
    (rule,) = o.rules
    assert rule.target == ClusterAffinity(cluster_names=("cluster2",))
    assert rule.patches == (
        PatchOp("replace", "/spec/replicas", 5),
        PatchOp("replace", "/spec/template/spec/containers/0/image", "nginx:1.17.0-alpine"),
        PatchOp("add", "/metadata/annotations", {"foo": "bar"}),
    )


@pytest.mark.parametrize(
    ("placement", "affinity"),
    [
        ("clusterSelector: {matchLabels: {env: prod}}", LabelSelector({"env": "prod"})),
        ("clusterSelector: {}", LabelSelector()),
    ],
)
def test_a_cluster_selector(placement: str, affinity: LabelSelector) -> None:
    (p,) = load(fd(placement)).policies
    assert p.placement.affinity.label_selector == affinity


def test_an_empty_clusters_list_places_nothing() -> None:
    d = load(fd("clusters: []\n    clusterSelector: {}"))
    assert d.policies == () and len(d.workloads) == 1
    notes = {format_path(f.path): f.note for r in d.compat for f in r.fields}
    assert notes["spec.placement.clusters"] == "an empty list: placed nowhere"
    assert notes["spec.placement.clusterSelector"] == "ignored: a clusters list wins, as in KubeFed"


RSP = """\
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: test-deployment, namespace: test-namespace}
spec:
  targetKind: FederatedDeployment
  totalReplicas: 9
  rebalance: true
  clusters:
    "*": {weight: 1}
    cluster1: {minReplicas: 4, maxReplicas: 6, weight: 2}
"""


def test_a_replica_scheduling_preference_divides_by_kubefeds_planner() -> None:
    d = load(fd(), RSP)
    (w,) = d.workloads
    assert w.replicas == 9  # totalReplicas wins over the template's replicas
    (p,) = d.policies
    rs = p.placement.replicas
    assert (rs.type, rs.method_name(), rs.rebalance) == ("Divided", "kubefed", True)
    assert p.placement.affinity == ClusterAffinity()  # every Ready cluster is a candidate
    weights = {w.target: w.weight for w in rs.weights}
    assert weights == {
        ClusterAffinity(cluster_names=("cluster1",)): 2,
        ClusterAffinity(exclude=("cluster1",)): 1,
    }
    (bound,) = rs.bounds
    assert (bound.min, bound.max) == (4, 6)
    # KubeFed's timing: re-planned 60 s after Offline, a candidate 20 s after Ready, and
    # rebalance fails back
    fo = p.failover
    assert (fo.enabled, fo.toleration_seconds, fo.purge_mode) == (True, 60.0, "Directly")
    assert fo.failback.enabled and fo.failback.stabilization_seconds == 20.0
    # the RSP rewrites the replicas override, as KubeFed does
    (o,) = d.overrides
    assert all(op.path != "/spec/replicas" for r in o.rules for op in r.patches)


def test_kubefed_config_sets_the_delays_and_the_scenario_health() -> None:
    config = textwrap.dedent(
        """\
        apiVersion: core.kubefed.io/v1beta1
        kind: KubeFedConfig
        metadata: {name: kubefed, namespace: kube-federation-system}
        spec:
          scope: Cluster
          controllerDuration: {availableDelay: 30s, unavailableDelay: 1m30s}
          leaderElect: {leaseDuration: 15s}
          clusterHealthCheck: {period: 5s, timeout: 2s, failureThreshold: 2, successThreshold: 2}
        """
    )
    scenario = "apiVersion: kfed.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
    d = load_text("---\n".join([scenario, CLUSTERS, fd(), RSP, config]), "kf.yaml")
    (s,) = d.scenarios
    (p,) = s.desired.policies
    assert (p.failover.toleration_seconds, p.failover.failback.stabilization_seconds) == (90, 30)
    h = s.health
    assert (h.probe_period, h.probe_timeout, h.failure_count, h.success_count) == (5, 2, 2, 2)
    assert h.failure_seconds == 3.75  # (2 - 1) * 5 s less a quarter period
    without = load_text("---\n".join([scenario, CLUSTERS, fd()]), "kf.yaml").scenarios[0]
    assert without.health == KUBEFED
    statuses = {format_path(f.path): f.status for r in d.compat for f in r.fields}
    assert statuses["spec.clusterHealthCheck.period"] == "approximated"
    assert statuses["spec.leaderElect"] == "not simulated"


def test_scenario_health_wins_over_the_projects_defaults() -> None:
    scenario = (
        "apiVersion: kfed.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
        "spec: {health: {probePeriod: 1s}}\n"
    )
    (s,) = load_text("---\n".join([scenario, CLUSTERS]), "kf.yaml").scenarios
    assert s.health.probe_period == 1 and s.health.probe_timeout == KUBEFED.probe_timeout


def test_federated_type_config_names_the_targets_api_version() -> None:
    ftc = textwrap.dedent(
        """\
        apiVersion: core.kubefed.io/v1beta1
        kind: FederatedTypeConfig
        metadata: {name: widgets.example.com, namespace: kube-federation-system}
        spec:
          targetType: {group: example.com, version: v1, kind: Widget, scope: Namespaced}
          federatedType: {group: types.kubefed.io, version: v1beta1, kind: FederatedWidget}
          propagation: Enabled
        """
    )
    widget = textwrap.dedent(
        """\
        apiVersion: types.kubefed.io/v1beta1
        kind: FederatedWidget
        metadata: {name: w, namespace: apps}
        spec:
          template: {spec: {size: 3}}
          placement: {clusterSelector: {}}
        """
    )
    (w,) = load(ftc, widget).workloads
    assert (w.api_version, w.kind, w.divisible) == ("example.com/v1", "Widget", False)
    with pytest.raises(LoadError) as info:
        load(widget)
    assert any("no FederatedTypeConfig" in e for e in info.value.errors)


def test_errors_name_the_users_own_path_and_line() -> None:
    bad = fd().replace("{path: /spec/replicas, value: 5}", "{path: spec/replicas, value: 5}")
    with pytest.raises(LoadError) as info:
        load(bad)
    (e,) = info.value.errors
    assert e.startswith("kf.yaml: spec.overrides[0].clusterOverrides[0].path: must be a JSON")
    assert "(line 29, FederatedDeployment test-namespace/test-deployment)" in e
    with pytest.raises(LoadError) as info:
        load(fd().replace("placement:", "placment:"))
    assert "unknown field 'placment'" in info.value.errors[0]
