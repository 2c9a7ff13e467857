"""Documents -> model records: every field lands where the model expects it."""

from __future__ import annotations

import pytest

from federation.api import load_text
from federation.core.model import (
    ClusterAffinity,
    ClusterWeight,
    Failback,
    FailoverPolicy,
    ImageOverride,
    LabelSelector,
    MapOverride,
    PatchOp,
    ReplicaBounds,
    Requirement,
    Resources,
    ResourceSelector,
    SpreadConstraint,
    Taint,
    Toleration,
)

GI = 1024**3


def test_cluster_fields():
    (c,) = load_text(
        """
apiVersion: kfed.io/v1alpha1
kind: Cluster
metadata: {name: east, labels: {env: prod}}
spec:
  region: us-east
  zone: us-east-1a
  provider: aws
  capacity: {cpu: 1500m, memory: 2Gi}
  nodes: 3
  taints: [{key: dedicated, value: gpu, effect: NoExecute}, {key: x, effect: NoSchedule}]
  costPerCpuHour: 0.04
  costPerGiBHour: 0.005
  context: kind-east
  kubeconfig: /tmp/kc
"""
    ).clusters
    assert c.name == "east" and c.labels == {"env": "prod"}
    assert (c.region, c.zone, c.provider) == ("us-east", "us-east-1a", "aws")
    assert c.capacity == Resources(1.5, 2 * GI, 330)  # pods: 110 per node
    assert c.nodes == 3
    assert c.taints == (Taint("dedicated", "gpu", "NoExecute"), Taint("x", "", "NoSchedule"))
    assert c.cost_per_cpu_hour == 0.04 and c.cost_per_gib_hour == 0.005
    assert (c.context, c.kubeconfig) == ("kind-east", "/tmp/kc")


def test_cluster_defaults():
    (c,) = load_text("apiVersion: kfed.io/v1alpha1\nkind: Cluster\nmetadata: {name: e}\n").clusters
    assert c.capacity == Resources()  # unknown
    assert c.nodes == 1 and c.taints == () and c.context is None


def test_propagation_policy_fields():
    (p,) = load_text(
        """
apiVersion: kfed.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: shop}
spec:
  priority: 5
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: web}
    - {kind: ConfigMap, labelSelector: {matchLabels: {app: web}}}
  placement:
    clusterAffinity:
      clusterNames: [a, b]
      exclude: [c]
      labelSelector:
        matchLabels: {env: prod}
        matchExpressions: [{key: gpu, operator: DoesNotExist}]
      fieldSelector:
        matchExpressions: [{key: region, operator: In, values: [eu, us]}]
    clusterTolerations:
      - {key: kfed.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
      - {key: dedicated, value: gpu}
    spreadConstraints:
      - {spreadByField: region, maxGroups: 2}
      - {minGroups: 2}
    replicaScheduling:
      replicaDivisionPreference: DynamicWeight
      weights:
        - {targetCluster: {clusterNames: [a]}, weight: 3}
      clusterReplicas:
        - {targetCluster: {clusterNames: [b]}, minReplicas: 1, maxReplicas: 4}
      rebalance: true
  failover:
    tolerationSeconds: 10
    purgeMode: Directly
    gracePeriodSeconds: 30
    failback: {stabilizationWindowSeconds: 45}
"""
    ).policies
    assert (p.name, p.namespace, p.priority) == ("web", "shop", 5)
    assert p.selectors == (
        ResourceSelector("apps/v1", "Deployment", "web", "shop"),
        ResourceSelector("", "ConfigMap", "", "shop", LabelSelector({"app": "web"})),
    )
    pl = p.placement
    assert pl.affinity == ClusterAffinity(
        ("a", "b"),
        ("c",),
        LabelSelector({"env": "prod"}, (Requirement("gpu", "DoesNotExist"),)),
        (Requirement("region", "In", ("eu", "us")),),
    )
    assert pl.affinity_groups == ()
    assert pl.tolerations == (
        Toleration("kfed.io/unreachable", "Exists", "", "NoExecute", 30.0),
        Toleration("dedicated", "Equal", "gpu", ""),
    )
    assert pl.spread == (SpreadConstraint("region", 1, 2), SpreadConstraint("cluster", 2, None))
    rs = pl.replicas
    assert (rs.type, rs.division, rs.method, rs.rebalance) == (
        "Divided",
        "DynamicWeight",
        "webster-dynamic",
        True,
    )
    assert rs.method_name() == "webster-dynamic"
    assert rs.weights == (ClusterWeight(ClusterAffinity(cluster_names=("a",)), 3),)
    assert rs.bounds == (ReplicaBounds(ClusterAffinity(cluster_names=("b",)), 1, 4),)
    assert p.failover == FailoverPolicy(True, 10.0, "Directly", 30.0, Failback(True, 45.0))


def test_policy_defaults_and_cluster_scope():
    (p,) = load_text(
        "apiVersion: kfed.io/v1alpha1\nkind: ClusterPropagationPolicy\nmetadata: {name: all}\n"
        "spec: {resourceSelectors: [{namespace: shop}]}\n"
    ).policies
    assert p.namespace == "" and p.priority == 0
    assert p.selectors == (ResourceSelector(namespace="shop"),)
    # Karmada's default: no replicaScheduling means Duplicated
    assert p.placement.replicas.type == "Duplicated"
    assert p.failover == FailoverPolicy()
    assert (p.propagate_deps, p.suspend_all, p.suspended) == (False, False, ())


@pytest.mark.parametrize(
    ("replica_scheduling", "kind", "method"),
    [
        ("{}", "Divided", "webster"),  # Karmada CRD default Divided, webhook default Weighted
        ("{replicaSchedulingType: Divided}", "Divided", "webster"),
        ("{replicaDivisionPreference: Weighted}", "Divided", "webster"),
        (
            "{weightPreference: {dynamicWeight: AvailableReplicas}}",
            "Divided",
            "webster-dynamic",
        ),
        ("{replicaDivisionPreference: Aggregated}", "Divided", "webster-aggregated"),
        ("{replicaDivisionPreference: StaticWeight}", "Divided", "kfed"),
        ("{replicaDivisionPreference: DynamicWeight}", "Divided", "webster-dynamic"),
        ("{method: kubefed}", "Divided", "kubefed"),
        ("{replicaSchedulingType: Duplicated}", "Duplicated", None),
    ],
)
def test_replica_scheduling_defaults_follow_karmada(
    replica_scheduling: str, kind: str, method: str | None
) -> None:
    (p,) = load_text(
        "apiVersion: kfed.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: web}\n"
        "spec:\n  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]\n"
        f"  placement: {{replicaScheduling: {replica_scheduling}}}\n"
    ).policies
    rs = p.placement.replicas
    assert rs.type == kind
    if method is not None:
        assert rs.method_name() == method


def test_ordered_affinity_groups():
    (p,) = load_text(
        "apiVersion: kfed.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: w}\nspec:\n"
        "  resourceSelectors: [{kind: Deployment}]\n"
        "  placement:\n    clusterAffinities:\n"
        "      - {affinityName: a, clusterNames: [x]}\n      - {affinityName: b}\n"
    ).policies
    assert p.placement.affinity_groups == (ClusterAffinity(cluster_names=("x",)), ClusterAffinity())


def test_override_policy_fields():
    (o,) = load_text(
        """
apiVersion: kfed.io/v1alpha1
kind: OverridePolicy
metadata: {name: eu}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
  overrideRules:
    - targetCluster: {clusterNames: [eu-1]}
      overriders:
        imageOverrider:
          - {component: Registry, operator: replace, value: eu.example.com}
          - {component: Tag, operator: remove}
        replicas: 2
        labelsOverrider: {region: eu}
        annotationsOverrider: {owner: team}
        plaintext:
          - {path: /spec/paused, operator: add, value: true}
          - {path: /metadata/labels/a~1b, operator: remove}
"""
    ).overrides
    assert (o.name, o.namespace) == ("eu", "default")
    (r,) = o.rules
    assert r.target == ClusterAffinity(cluster_names=("eu-1",))
    assert r.images == (
        ImageOverride("Registry", "replace", "eu.example.com"),
        ImageOverride("Tag", "remove", ""),
    )
    assert r.replicas == 2
    assert r.labels == (MapOverride("add", {"region": "eu"}),)
    assert r.annotations == (MapOverride("add", {"owner": "team"}),)
    assert r.patches == (
        PatchOp("add", "/spec/paused", True),
        PatchOp("remove", "/metadata/labels/a~1b", None),
    )


def test_deployment_workload():
    (w,) = load_text(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}, uid: 1234-abcd}
spec:
  replicas: 3
  strategy: {type: Recreate}
  template:
    spec:
      initContainers:
        - {name: init, resources: {requests: {cpu: "2", memory: 64Mi}}}
      containers:
        - {name: a, resources: {requests: {cpu: 250m, memory: 128Mi}}}
        - {name: b, resources: {limits: {cpu: 500m, memory: 1Gi}}}
        - {name: c}
"""
    ).workloads
    assert w.key == "Deployment/default/web"
    assert (w.api_version, w.namespace, w.uid, w.replicas) == ("apps/v1", "default", "1234-abcd", 3)
    assert w.labels == {"app": "web"}
    # cpu: the init container's 2 beats 0.25 + 0.5; memory: 128Mi + 1Gi beats 64Mi
    assert w.request == Resources(2.0, 128 * 1024**2 + GI, 1)
    assert w.manifest["metadata"]["namespace"] == "default"
    assert w.manifest["spec"]["strategy"] == {"type": "Recreate"}  # passed through
    assert w.divisible


def test_workload_defaults():
    docs = load_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n"
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j1, namespace: x}\n"
        "spec: {completions: 6, parallelism: 2}\n---\n"
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j2}\nspec: {parallelism: 4}\n---\n"
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\ntype: Opaque\n"
    )
    by = {w.key: w for w in docs.workloads}
    assert by["Deployment/default/d"].replicas == 1
    assert by["Deployment/default/d"].request == Resources(pods=1)
    assert by["Job/x/j1"].replicas == 6
    assert by["Job/default/j2"].replicas == 4
    ns = by["Namespace/shop"]
    assert (ns.namespace, ns.replicas, ns.divisible) == ("", None, False)
    assert "namespace" not in ns.manifest["metadata"]
    assert by["Secret/default/s"].manifest["stringData"] == {"a": "b"}
    assert by["Secret/default/s"].uid == ""
