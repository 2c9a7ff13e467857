"""The placements Karmada's and KubeFed's own documentation states for its examples, each
written here as a user of that project would (documents in their shape, our own names) and
planned or run by kfed: a user pointing kfed at such documents gets that project's answer."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import pytest

from federation.api import load_text
from federation.runner import execute
from federation.whatif import plan
from tests.scenarios.federations import rows, value_at

KARMADA_POLICY = "apiVersion: policy.karmada.io/v1alpha1"


def karmada_cluster(
    name: str, region: str = "", cpu: int | None = None, labels: str = "{}", taints: str = ""
) -> str:
    status = ""
    if cpu is not None:
        status = (
            f"status:\n  resourceSummary:\n    allocatable: {{cpu: '{cpu}', memory: 256Gi, "
            "pods: '110'}\n"
        )
    region_part = f", region: {region}" if region else ""
    taint_part = f", taints: [{taints}]" if taints else ""
    return (
        "apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\n"
        f"metadata: {{name: {name}, labels: {labels}}}\n"
        f"spec: {{syncMode: Push, apiEndpoint: 'https://{name}.example:6443'{region_part}"
        f"{taint_part}}}\n" + status
    )


def deployment(name: str, replicas: int, cpu: str = "1", namespace: str = "default") -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: {name}, namespace: {namespace}, labels: {{app: {name}}}}}
        spec:
          replicas: {replicas}
          selector: {{matchLabels: {{app: {name}}}}}
          template:
            metadata: {{labels: {{app: {name}}}}}
            spec:
              containers:
                - {{name: {name}, image: nginx, resources: {{requests: {{cpu: "{cpu}"}}}}}}
        """
    )


def policy(placement: str, name: str = "nginx-propagation") -> str:
    """A Karmada PropagationPolicy of the nginx Deployment with this `placement` text."""
    head = f"{KARMADA_POLICY}\nkind: PropagationPolicy\nmetadata: {{name: {name}}}\nspec:\n"
    body = NGINX_ONLY + textwrap.dedent(placement).strip() + "\n"
    return head + textwrap.indent(body, "  ")


def placed(docs: list[str], workload: str = "Deployment/default/nginx") -> Mapping[str, int]:
    loaded = load_text("---\n".join(docs), "upstream.yaml")
    (w,) = [w for w in plan(loaded.desired()).workloads if w.key == workload]
    return {c: n for c, n in w.assignment.items()}


NGINX_ONLY = "resourceSelectors:\n  - {apiVersion: apps/v1, kind: Deployment, name: nginx}\n"


def test_static_weights_one_to_two_over_three_replicas() -> None:
    # Karmada "Propagation Policy" guide, Weighted division with a staticWeightList: "With 3
    # replicas: member1 gets 1 replica (weight 1), member2 gets 2 replicas (weight 2)"
    docs = [
        karmada_cluster("member1"),
        karmada_cluster("member2"),
        policy(
            """
            placement:
              replicaScheduling:
                replicaDivisionPreference: Weighted
                replicaSchedulingType: Divided
                weightPreference:
                  staticWeightList:
                    - targetCluster: {clusterNames: [member1]}
                      weight: 1
                    - targetCluster: {clusterNames: [member2]}
                      weight: 2
            """
        ),
        deployment("nginx", 3),
    ]
    assert placed(docs) == {"member1": 1, "member2": 2}


def test_dynamic_weight_over_available_replicas() -> None:
    # Karmada API (DynamicWeightByAvailableReplicas): A, B, C can hold 6, 12, 18 more replicas;
    # "the assignment would be 'A: 2, B: 4, C: 6'" for 12 replicas
    docs = [
        karmada_cluster("a", cpu=6),
        karmada_cluster("b", cpu=12),
        karmada_cluster("c", cpu=18),
        policy(
            """
            placement:
              replicaScheduling:
                replicaDivisionPreference: Weighted
                replicaSchedulingType: Divided
                weightPreference: {dynamicWeight: AvailableReplicas}
            """
        ),
        deployment("nginx", 12),
    ]
    assert placed(docs) == {"a": 2, "b": 4, "c": 6}


def test_no_replica_scheduling_is_duplicated() -> None:
    # Karmada's ReplicaSchedulingType(): no replicaScheduling means Duplicated, so 2 replicas
    # over member1 and member2 is 2 and 2 (the issue this file answers)
    docs = [
        karmada_cluster("member1"),
        karmada_cluster("member2"),
        policy("placement: {clusterAffinity: {clusterNames: [member1, member2]}}"),
        deployment("nginx", 2),
    ]
    assert placed(docs) == {"member1": 2, "member2": 2}


def test_duplicated_spread_over_two_regions_one_cluster_each() -> None:
    # Karmada guide, SpreadConstraints: regions 2/2 and clusters 2/2 with Duplicated "spreads
    # workloads across exactly two regions with one cluster per region (two clusters total)"
    docs = [
        karmada_cluster("m1", "us-east"),
        karmada_cluster("m2", "us-east"),
        karmada_cluster("m3", "eu-west"),
        karmada_cluster("m4", "ap-south"),
        policy(
            """
            placement:
              replicaScheduling: {replicaSchedulingType: Duplicated}
              spreadConstraints:
                - {spreadByField: region, maxGroups: 2, minGroups: 2}
                - {spreadByField: cluster, maxGroups: 2, minGroups: 2}
            """
        ),
        deployment("nginx", 3),
    ]
    got = placed(docs)
    regions = {"m1": "us-east", "m2": "us-east", "m3": "eu-west", "m4": "ap-south"}
    assert len(got) == 2 and set(got.values()) == {3}
    assert len({regions[c] for c in got}) == 2


GROUPS = """
placement:
  clusterAffinities:
    - affinityName: local-clusters
      clusterNames: [local-member1, local-member2]
    - affinityName: cloud-clusters
      clusterNames: [public-cloud-member1, public-cloud-member2]
  replicaScheduling: {replicaSchedulingType: Divided}
"""


@pytest.mark.parametrize(
    ("taint", "where"),
    [
        ("", {"local-member1", "local-member2"}),
        # the local group cannot take the workload: the scheduler falls back to the next group
        (
            "{key: maintenance, effect: NoSchedule}",
            {"public-cloud-member1", "public-cloud-member2"},
        ),
    ],
)
def test_ordered_cluster_affinities_fall_back_to_the_second_group(
    taint: str, where: set[str]
) -> None:
    # Karmada guide, ClusterAffinities use case 1: local clusters first, cloud clusters "only
    # if the main group lacks resources"
    docs = [
        karmada_cluster("local-member1", taints=taint),
        karmada_cluster("local-member2", taints=taint),
        karmada_cluster("public-cloud-member1"),
        karmada_cluster("public-cloud-member2"),
        policy(GROUPS),
        deployment("nginx", 4),
    ]
    got = placed(docs)
    assert set(got) == where and sum(got.values()) == 4


# ---------------------------------------------------------------- failover (run on the sim)

EVICT = """\
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterTaintPolicy
metadata: {name: evict-not-ready}
spec:
  targetClusters: {}
  addOnConditions: [{conditionType: Ready, operator: NotIn, statusValues: ["True"]}]
  removeOnConditions: [{conditionType: Ready, operator: In, statusValues: ["True"]}]
  taints: [{key: cluster.karmada.io/not-ready, effect: NoExecute}]
"""


def run(spec: str, docs: list[str], seed: int = 1) -> object:
    head = "apiVersion: kfed.io/v1alpha1\nkind: Scenario\nmetadata: {name: upstream}\nspec:\n"
    text = head + textwrap.indent(textwrap.dedent(spec).strip() + "\n", "  ")
    (scenario,) = load_text("---\n".join([text, *docs]), "upstream.yaml").scenarios
    return execute(scenario, "sim", seed=seed, plots=False)


def ready(out: object, cluster: str, t: float, workload: str = "Deployment/default/nginx") -> int:
    from federation.report.figures import series

    s = series(out.rows).get(workload)  # type: ignore[attr-defined]
    return 0 if s is None else value_at(s.ready.get(cluster, []), t)


@pytest.mark.parametrize("seed", [1, 7])
def test_divided_one_to_two_moves_to_the_survivor(seed: int) -> None:
    # Karmada "Cluster Failover Internals", Divided: 1 on member1 and 2 on member2; "When
    # member1 fails ... The final result will be member2 with 3 replicas"
    docs = [
        karmada_cluster("member1"),
        karmada_cluster("member2"),
        EVICT,
        policy(
            """
            placement:
              clusterAffinity: {clusterNames: [member1, member2]}
              replicaScheduling:
                replicaDivisionPreference: Weighted
                replicaSchedulingType: Divided
                weightPreference:
                  staticWeightList:
                    - {targetCluster: {clusterNames: [member1]}, weight: 1}
                    - {targetCluster: {clusterNames: [member2]}, weight: 2}
            """
        ),
        deployment("nginx", 3),
    ]
    out = run("duration: 4m\ntimeline: [{at: 60s, fault: outage, cluster: member1}]", docs, seed)
    assert (ready(out, "member1", 50), ready(out, "member2", 50)) == (1, 2)
    assert ready(out, "member2", 230) == 3


def test_duplicated_keeps_the_healthy_copy_and_adds_one_within_affinity() -> None:
    # Karmada "Cluster Failover Internals", Duplicated with spreadConstraints maxGroups 2:
    # scheduled to member1 and member2; member2 fails; member1 keeps its copy and "the final
    # result can be [member1, member3] or [member1, member5]" (member4 is outside the affinity)
    names = ["member1", "member2", "member3", "member4", "member5"]
    docs = [
        *(karmada_cluster(n) for n in names),
        EVICT,
        policy(
            """
            placement:
              clusterAffinity: {clusterNames: [member1, member2, member3, member5]}
              spreadConstraints: [{maxGroups: 2, minGroups: 2}]
              replicaScheduling: {replicaSchedulingType: Duplicated}
            """
        ),
        deployment("nginx", 2),
    ]
    out = run("duration: 4m\ntimeline: [{at: 60s, fault: outage, cluster: member2}]", docs)
    before = {n for n in names if ready(out, n, 50)}
    assert before == {"member1", "member2"}
    after = {n for n in names if ready(out, n, 230)}
    assert "member1" in after and "member4" not in after and "member2" not in after
    assert after in ({"member1", "member3"}, {"member1", "member5"})
    assert all(ready(out, n, 230) == 2 for n in after)
    # member1's copy never went away
    assert not rows(out, "evict", cluster="member1")


def test_disaster_recovery_moves_to_the_backup_group() -> None:
    # Karmada guide, ClusterAffinities use case 2: "migrate to backup clusters if primary
    # clusters fail"
    docs = [
        *(karmada_cluster(n) for n in ("member1", "member2", "member3", "member4")),
        EVICT,
        policy(
            """
            placement:
              clusterAffinities:
                - affinityName: primary-clusters
                  clusterNames: [member1, member2]
                - affinityName: backup-clusters
                  clusterNames: [member3, member4]
              replicaScheduling: {replicaSchedulingType: Divided}
            """
        ),
        deployment("nginx", 4),
    ]
    spec = """
        duration: 4m
        timeline:
          - {at: 60s, fault: outage, clusters: [member1, member2]}
    """
    out = run(spec, docs)
    assert ready(out, "member1", 50) + ready(out, "member2", 50) == 4
    assert ready(out, "member3", 230) + ready(out, "member4", 230) == 4


# ---------------------------------------------------------------- KubeFed


def kubefed_cluster(name: str) -> str:
    return (
        "apiVersion: core.kubefed.io/v1beta1\nkind: KubeFedCluster\n"
        f"metadata: {{name: {name}, namespace: kube-federation-system}}\n"
        f"spec: {{apiEndpoint: 'https://{name}.example:6443', secretRef: {{name: {name}}}}}\n"
    )


FEDERATED = """\
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: test-deployment, namespace: test-ns}
spec:
  template:
    metadata: {labels: {app: nginx}}
    spec:
      replicas: 3
      selector: {matchLabels: {app: nginx}}
      template:
        metadata: {labels: {app: nginx}}
        spec: {containers: [{name: nginx, image: nginx, resources: {requests: {cpu: 100m}}}]}
  placement:
    clusters: [{name: a}, {name: b}]
"""


def rsp(total: int, clusters: str) -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: scheduling.kubefed.io/v1alpha1
        kind: ReplicaSchedulingPreference
        metadata: {{name: test-deployment, namespace: test-ns}}
        spec:
          targetKind: FederatedDeployment
          totalReplicas: {total}
          clusters:
        """
    ) + textwrap.indent(textwrap.dedent(clusters).strip() + "\n", "    ")


KF_KEY = "Deployment/test-ns/test-deployment"


@pytest.mark.parametrize(
    ("total", "prefs", "expected"),
    [
        # KubeFed user guide: "A gets 4 and B get 5 as weighted distribution is capped by
        # cluster A minReplicas=4"
        (
            9,
            "a: {minReplicas: 4, maxReplicas: 6, weight: 1}\n"
            "b: {minReplicas: 4, maxReplicas: 8, weight: 2}",
            {"a": 4, "b": 5},
        ),
        # "replicas in the proportion of 1:2. C does not get any replica as missing weight
        # preference is considered as weight=0"
        (9, "a: {weight: 1}\nb: {weight: 2}", {"a": 3, "b": 6}),
    ],
)
def test_replica_scheduling_preference_layouts(
    total: int, prefs: str, expected: dict[str, int]
) -> None:
    # (the guide's clusters are A, B, C; Kubernetes names are lowercase)
    docs = [*(kubefed_cluster(n) for n in "abc"), FEDERATED, rsp(total, prefs)]
    assert placed(docs, KF_KEY) == expected


def test_replica_scheduling_preference_with_a_cap_and_clusters_going_offline() -> None:
    # KubeFed user guide, 50 replicas "evenly in all clusters, however not more than 20 in C":
    # all up, 17/17/16 in some order; "B is offline: A=30 B=0 C=20"; "A and B are offline: C=20"
    prefs = '"*": {weight: 1}\n"c": {maxReplicas: 20, weight: 1}'
    docs = [*(kubefed_cluster(n) for n in "abc"), FEDERATED, rsp(50, prefs)]
    assert sorted(placed(docs, KF_KEY).values()) == [16, 17, 17]
    spec = """
        duration: 6m
        timeline:
          - {at: 30s, fault: outage, cluster: b}
          - {at: 180s, fault: outage, cluster: a}
    """
    out = run(spec, docs)
    at = lambda c, t: ready(out, c, t, KF_KEY)  # noqa: E731
    assert sorted(at(c, 25) for c in "abc") == [16, 17, 17]
    assert (at("a", 170), at("b", 170), at("c", 170)) == (30, 0, 20)
    assert (at("a", 350), at("b", 350), at("c", 350)) == (0, 0, 20)
