"""Every kind of bad value -> the exact message a user sees: file, YAML path, what is wrong,
the bad value, then the line and the document."""

from __future__ import annotations

import pytest

from tests.api.helpers import CLUSTERS, errors_of

PP = "apiVersion: kfed.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: web}\nspec:\n"
SEL = "  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]\n"
WHERE_PP = "PropagationPolicy default/web"


def pp(placement: str) -> str:
    """A PropagationPolicy whose spec.placement is `placement` (line 6 = first placement line)."""
    return PP + SEL + "  placement:\n" + placement


SCEN = "apiVersion: kfed.io/v1alpha1\nkind: Scenario\nmetadata: {name: demo}\nspec:\n"


def scen(spec: str) -> str:
    """A Scenario (line 5 = first spec line) followed by CLUSTERS (east, west, Deployment web)."""
    return SCEN + spec + "---\n" + CLUSTERS


CASES = [
    # ------------------------------------------------------------ JSON Schema, reworded
    (
        "minimum",
        pp(
            "    replicaScheduling:\n"
            "      weights:\n"
            "        - {targetCluster: {clusterNames: [east]}, weight: 2}\n"
            "        - {targetCluster: {clusterNames: [west]}, weight: 1}\n"
            "        - {targetCluster: {clusterNames: [north]}, weight: -1}\n"
        ),
        "t.yaml: spec.placement.replicaScheduling.weights[2].weight: must be >= 0, got -1 "
        f"(line 11, {WHERE_PP})",
    ),
    (
        "enum",
        pp("    replicaScheduling: {replicaDivisionPreference: Weight}\n"),
        "t.yaml: spec.placement.replicaScheduling.replicaDivisionPreference: must be one of "
        f"Weighted, Aggregated, StaticWeight, DynamicWeight, got 'Weight' (line 7, {WHERE_PP})",
    ),
    (
        "unknown field",
        pp("    clusterAfinity: {}\n"),
        "t.yaml: spec.placement.clusterAfinity: unknown field 'clusterAfinity' "
        f"(line 7, {WHERE_PP})",
    ),
    (
        "unknown top-level field",
        PP + SEL + "status: {}\n",
        f"t.yaml: status: unknown field 'status' (line 6, {WHERE_PP})",
    ),
    (
        "type integer",
        PP + SEL + "  priority: high\n",
        f"t.yaml: spec.priority: must be an integer, got 'high' (line 6, {WHERE_PP})",
    ),
    (
        "a float is not an integer",
        PP + SEL + "  priority: 1.0\n",
        f"t.yaml: spec.priority: must be an integer, got 1.0 (line 6, {WHERE_PP})",
    ),
    (
        "type boolean",
        pp("    replicaScheduling: {rebalance: 'yes'}\n"),
        "t.yaml: spec.placement.replicaScheduling.rebalance: must be true or false, got 'yes' "
        f"(line 7, {WHERE_PP})",
    ),
    (
        "required",
        "apiVersion: kfed.io/v1alpha1\nkind: Cluster\nmetadata: {labels: {a: b}}\n",
        "t.yaml: metadata: missing required field 'name' (line 3, Cluster)",
    ),
    (
        "required spec field",
        PP + "  priority: 1\n",
        f"t.yaml: spec: missing required field 'resourceSelectors' (line 4, {WHERE_PP})",
    ),
    (
        "min items",
        PP + "  resourceSelectors: []\n",
        f"t.yaml: spec.resourceSelectors: must not be empty (line 5, {WHERE_PP})",
    ),
    (
        "const apiVersion",
        "apiVersion: kfed.io/v1beta1\nkind: Cluster\nmetadata: {name: east}\n",
        "t.yaml: apiVersion: must be 'kfed.io/v1alpha1', got 'kfed.io/v1beta1' "
        "(line 1, Cluster east)",
    ),
    (
        "a Karmada kind in another Karmada group",
        "apiVersion: policy.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: east}\n",
        "t.yaml: apiVersion: must be 'cluster.karmada.io/v1alpha1' for Karmada's Cluster, got "
        "'policy.karmada.io/v1alpha1' (line 1, Cluster east)",
    ),
    (
        "unknown kind",
        "apiVersion: v1\nkind: Pood\nmetadata: {name: p}\n",
        "t.yaml: kind: must be one of ConfigMap, Endpoints, LimitRange, List, Namespace, Node, "
        "PersistentVolume, PersistentVolumeClaim, Pod, ReplicationController, ResourceQuota, "
        "Secret, Service, ServiceAccount, got 'Pood' (line 2, Pood default/p)",
    ),
    (
        "unknown kfed kind",
        "apiVersion: kfed.io/v1alpha1\nkind: Clustr\nmetadata: {name: p}\n",
        "t.yaml: kind: must be one of Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, "
        "ClusterTaintPolicy, CronFederatedHPA, FederatedHPA, MultiClusterService, OverridePolicy, "
        "PropagationPolicy, Scenario, "
        "got 'Clustr' (line 2, Clustr p)",
    ),
    (
        "cluster name pattern",
        "apiVersion: kfed.io/v1alpha1\nkind: Cluster\nmetadata: {name: East_1}\n",
        "t.yaml: metadata.name: must be a DNS label (lowercase letters, digits and '-', "
        "at most 63), got 'East_1' (line 3, Cluster East_1)",
    ),
    (
        "label values are strings",
        "apiVersion: kfed.io/v1alpha1\nkind: Cluster\nmetadata: {name: e, labels: {gpu: true}}\n",
        "t.yaml: metadata.labels.gpu: must be a string, got true (line 3, Cluster e)",
    ),
    (
        "odd keys in brackets",
        "apiVersion: kfed.io/v1alpha1\nkind: Cluster\n"
        "metadata: {name: e, labels: {kfed.io/tier: 1}}\n",
        "t.yaml: metadata.labels['kfed.io/tier']: must be a string, got 1 (line 3, Cluster e)",
    ),
    (
        "native top-level field",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspecs: {}\n",
        "t.yaml: specs: unknown field 'specs' (line 4, Deployment default/web)",
    ),
    (
        "deployment replicas",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: -2}\n",
        "t.yaml: spec.replicas: must be >= 0, got -2 (line 4, Deployment default/web)",
    ),
    (
        "job completions",
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {completions: '3'}\n",
        "t.yaml: spec.completions: must be an integer, got '3' (line 4, Job default/j)",
    ),
    (
        "config map data",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {PORT: 8080}\n",
        "t.yaml: data.PORT: must be a string, got 8080 (line 4, ConfigMap default/c)",
    ),
    (
        "wrong apiVersion for a native kind",
        "apiVersion: v1\nkind: Deployment\nmetadata: {name: web}\n",
        "t.yaml: apiVersion: must be 'apps/v1', got 'v1' (line 1, Deployment default/web)",
    ),
    # ------------------------------------------------------------ semantic checks
    (
        "max below min",
        pp(
            "    replicaScheduling:\n"
            "      clusterReplicas:\n"
            "        - {targetCluster: {}, minReplicas: 3, maxReplicas: 1}\n"
        ),
        "t.yaml: spec.placement.replicaScheduling.clusterReplicas[0].maxReplicas: "
        f"must be >= minReplicas (3), got 1 (line 9, {WHERE_PP})",
    ),
    (
        "affinity exclusive",
        pp("    clusterAffinity: {}\n    clusterAffinities: [{clusterNames: [east]}]\n"),
        "t.yaml: spec.placement.clusterAffinities: clusterAffinity and clusterAffinities are "
        f"exclusive (line 8, {WHERE_PP})",
    ),
    (
        "spread max below min",
        pp("    spreadConstraints: [{spreadByField: region, minGroups: 2, maxGroups: 1}]\n"),
        "t.yaml: spec.placement.spreadConstraints[0].maxGroups: must be >= minGroups (2), "
        f"got 1 (line 7, {WHERE_PP})",
    ),
    (
        "In needs values",
        pp(
            "    clusterAffinity:\n      labelSelector:\n"
            "        matchExpressions: [{key: a, operator: In}]\n"
        ),
        "t.yaml: spec.placement.clusterAffinity.labelSelector.matchExpressions[0].values: "
        f"must not be empty for operator In (line 9, {WHERE_PP})",
    ),
    (
        "Exists takes no value",
        pp("    clusterTolerations: [{key: a, operator: Exists, value: b}]\n"),
        "t.yaml: spec.placement.clusterTolerations[0].value: must be empty when operator is "
        f"Exists, got 'b' (line 7, {WHERE_PP})",
    ),
    (
        "tolerationSeconds needs NoExecute",
        pp("    clusterTolerations: [{key: a, effect: NoSchedule, tolerationSeconds: 5}]\n"),
        "t.yaml: spec.placement.clusterTolerations[0].tolerationSeconds: only applies with "
        f"effect NoExecute, got effect 'NoSchedule' (line 7, {WHERE_PP})",
    ),
    (
        "weights with Duplicated",
        pp(
            "    replicaScheduling:\n"
            "      replicaSchedulingType: Duplicated\n"
            "      weights: [{targetCluster: {}, weight: 1}]\n"
        ),
        "t.yaml: spec.placement.replicaScheduling.weights: only applies to "
        f"replicaSchedulingType Divided (line 9, {WHERE_PP})",
    ),
    (
        "selector in another namespace",
        PP + "  resourceSelectors: [{kind: Deployment, namespace: prod}]\n",
        "t.yaml: spec.resourceSelectors[0].namespace: must be the policy's namespace "
        f"'default', got 'prod' (line 5, {WHERE_PP})",
    ),
    (
        "selector kind",
        PP + "  resourceSelectors: [{apiVersion: kfed.io/v1alpha1, kind: Cluster}]\n",
        "t.yaml: spec.resourceSelectors[0].kind: must be a template's kind, got 'Cluster' "
        f"(line 5, {WHERE_PP})",
    ),
    (
        "selector apiVersion",
        PP + "  resourceSelectors: [{apiVersion: v1, kind: Deployment}]\n",
        "t.yaml: spec.resourceSelectors[0].apiVersion: must be 'apps/v1' for Deployment, "
        f"got 'v1' (line 5, {WHERE_PP})",
    ),
    (
        "bad JSON pointer",
        "apiVersion: kfed.io/v1alpha1\nkind: OverridePolicy\nmetadata: {name: o}\nspec:\n"
        "  resourceSelectors: [{kind: Deployment}]\n"
        "  overrideRules:\n"
        "    - overriders:\n"
        "        plaintext: [{path: spec/replicas, operator: replace, value: 1}]\n",
        "t.yaml: spec.overrideRules[0].overriders.plaintext[0].path: must be a JSON pointer "
        "like '/spec/replicas', got 'spec/replicas' (line 8, OverridePolicy default/o)",
    ),
    (
        "patch value",
        "apiVersion: kfed.io/v1alpha1\nkind: ClusterOverridePolicy\nmetadata: {name: o}\nspec:\n"
        "  resourceSelectors: [{kind: Deployment}]\n"
        "  overrideRules:\n"
        "    - overriders:\n"
        "        plaintext:\n"
        "          - {path: /spec/replicas, operator: add}\n",
        "t.yaml: spec.overrideRules[0].overriders.plaintext[0]: missing required field 'value' "
        "(operator add) (line 9, ClusterOverridePolicy o)",
    ),
    (
        "bad quantity",
        "apiVersion: kfed.io/v1alpha1\nkind: Cluster\nmetadata: {name: e}\n"
        "spec: {capacity: {cpu: 4 cores, memory: 1Gi}}\n",
        "t.yaml: spec.capacity.cpu: must be a Kubernetes quantity like '500m' or '1Gi', "
        "got '4 cores' (line 4, Cluster e)",
    ),
    (
        "negative quantity",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - resources: {limits: {memory: -1Mi}}\n",
        "t.yaml: spec.template.spec.containers[0].resources.limits.memory: must be >= 0, "
        "got '-1Mi' (line 8, Deployment default/web)",
    ),
    (
        "namespace on a Namespace",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, namespace: x}\n",
        "t.yaml: metadata.namespace: must not be set: Namespace is cluster-scoped "
        "(line 3, Namespace shop)",
    ),
    (
        "duplicate taint",
        "apiVersion: kfed.io/v1alpha1\nkind: Cluster\nmetadata: {name: e}\nspec:\n  taints:\n"
        "    - {key: a, effect: NoSchedule}\n    - {key: a, value: b, effect: NoSchedule}\n",
        "t.yaml: spec.taints[1]: duplicate taint a:NoSchedule (also taints[0]) (line 7, Cluster e)",
    ),
    # ------------------------------------------------------------ scenarios
    (
        "bad duration",
        scen("  duration: 10 minutes\n"),
        "t.yaml: spec.duration: must be a duration like '90s', '10m' or a number of seconds, "
        "got '10 minutes' (line 5, Scenario demo)",
    ),
    (
        "zero duration",
        scen("  duration: 0s\n"),
        "t.yaml: spec.duration: must be > 0, got '0s' (line 5, Scenario demo)",
    ),
    (
        "unknown cluster in the timeline",
        scen("  timeline:\n    - {at: 10s, fault: outage, cluster: esat}\n"),
        "t.yaml: spec.timeline[0].cluster: unknown cluster 'esat' (known: east, west) "
        "(line 6, Scenario demo)",
    ),
    (
        "region matching no cluster",
        scen("  timeline:\n    - {at: 10s, fault: partition, region: mars}\n"),
        "t.yaml: spec.timeline[0].region: no cluster has region 'mars' (known: eu, us) "
        "(line 6, Scenario demo)",
    ),
    (
        "fault without target",
        scen("  timeline:\n    - {at: 10s, fault: outage}\n"),
        "t.yaml: spec.timeline[0]: needs one of cluster, clusters, region, zone (fault outage) "
        "(line 6, Scenario demo)",
    ),
    (
        "fault with two targets",
        scen("  timeline:\n    - {at: 10s, fault: outage, cluster: east, zone: eu-a}\n"),
        "t.yaml: spec.timeline[0].zone: give only one of cluster, zone (line 6, Scenario demo)",
    ),
    (
        "parameter of another fault",
        scen("  timeline:\n    - {at: 10s, fault: outage, cluster: east, period: 5s}\n"),
        "t.yaml: spec.timeline[0].period: does not apply to fault outage (line 6, Scenario demo)",
    ),
    (
        "missing fault parameter",
        scen("  timeline:\n    - {at: 10s, fault: latency, cluster: east}\n"),
        "t.yaml: spec.timeline[0]: missing required field 'latency' (fault latency) "
        "(line 6, Scenario demo)",
    ),
    (
        "flapping down >= period",
        scen(
            "  timeline:\n    - {at: 1m, fault: flapping, cluster: east, period: 10s, down: 10s}\n"
        ),
        "t.yaml: spec.timeline[0].down: must be < period (10s), got '10s' (line 6, Scenario demo)",
    ),
    (
        "fault after the end",
        scen("  duration: 60\n  timeline:\n    - {at: 2m, fault: outage, cluster: east}\n"),
        "t.yaml: spec.timeline[0].at: must be < the scenario duration (60s), got '2m' "
        "(line 7, Scenario demo)",
    ),
    (
        "node loss beyond the nodes",
        scen("  timeline:\n    - {at: 1m, fault: node-loss, cluster: east, nodes: 3}\n"),
        "t.yaml: spec.timeline[0].nodes: must be <= the nodes of cluster east (2), got 3 "
        "(line 6, Scenario demo)",
    ),
    (
        "load surge aims at a workload",
        scen(
            "  timeline:\n"
            "    - {at: 1m, fault: load-surge, cluster: east, workload: web, replicas: 2}\n"
        ),
        "t.yaml: spec.timeline[0].cluster: does not apply to fault load-surge (it targets a "
        "workload) (line 6, Scenario demo)",
    ),
    (
        "unknown workload",
        scen("  expectations:\n    - availability: {workload: wbe, min: 0.9}\n"),
        "t.yaml: spec.expectations[0].availability.workload: unknown workload 'wbe' "
        "(known: Deployment/default/web) (line 6, Scenario demo)",
    ),
    (
        "availability above 1",
        scen("  expectations:\n    - availability: {workload: web, min: 99}\n"),
        "t.yaml: spec.expectations[0].availability.min: must be <= 1, got 99 "
        "(line 6, Scenario demo)",
    ),
    (
        "expectation with two keys",
        scen("  expectations:\n    - {noEviction: {}, availability: {workload: web, min: 1}}\n"),
        "t.yaml: spec.expectations[0]: must have exactly one key, got 2 (noEviction, "
        "availability) (line 6, Scenario demo)",
    ),
    (
        "unknown expectation",
        scen("  expectations:\n    - eventually: {}\n"),
        "t.yaml: spec.expectations[0].eventually: unknown field 'eventually' "
        "(line 6, Scenario demo)",
    ),
    (
        "replicasOn needs a bound",
        scen("  expectations:\n    - replicasOn: {workload: web, cluster: east, at: 30s}\n"),
        "t.yaml: spec.expectations[0].replicasOn: needs min or max (line 6, Scenario demo)",
    ),
    (
        "distribution parameters",
        scen("  sim:\n    podStartup: {distribution: uniform, min: 1s}\n"),
        "t.yaml: spec.sim.podStartup: missing required field 'max' (distribution uniform) "
        "(line 6, Scenario demo)",
    ),
    (
        "distribution parameter that does not apply",
        scen("  sim:\n    apiLatency: {distribution: exponential, mean: 10ms, sigma: 1}\n"),
        "t.yaml: spec.sim.apiLatency.sigma: does not apply to distribution exponential "
        "(line 6, Scenario demo)",
    ),
    (
        "link loss",
        scen("  sim:\n    link: {loss: 1.5}\n"),
        "t.yaml: spec.sim.link.loss: must be <= 1, got 1.5 (line 6, Scenario demo)",
    ),
    (
        "link of an unknown cluster",
        scen("  sim:\n    links: {north: {latency: 10ms}}\n"),
        "t.yaml: spec.sim.links.north: unknown cluster 'north' (known: east, west) "
        "(line 6, Scenario demo)",
    ),
    (
        "contexts provider needs every context",
        scen("  kube:\n    provider: contexts\n    contexts: {east: kind-east}\n"),
        "t.yaml: spec.kube.provider: provider contexts needs a context for cluster 'west' "
        "(kube.contexts.west or the Cluster's spec.context) (line 6, Scenario demo)",
    ),
    (
        "missing resources file",
        scen("  resources: [no-such-file.yaml]\n"),
        "t.yaml: spec.resources[0]: file 'no-such-file.yaml' not found (looked for "
        "no-such-file.yaml) (line 5, Scenario demo)",
    ),
    (
        "health threshold",
        scen("  health: {failureThreshold: 0}\n"),
        "t.yaml: spec.health.failureThreshold: must be >= 1, got 0 (line 5, Scenario demo)",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_message(text: str, message: str) -> None:
    assert errors_of(text) == [message]
