"""Karmada documents read by the loader: each kind becomes the kfed records it should, every
field present gets its status (exact, approximated, not simulated), the approximated and not
simulated ones are warnings, and mistakes are errors at the path and line of the user's own
document."""

from __future__ import annotations

import textwrap

import pytest

from federation.api import LoadError, load_text
from federation.api.errors import format_path
from federation.core.model import (
    ArgsOverride,
    ClusterAffinity,
    ImageOverride,
    MapOverride,
    PatchOp,
    Resources,
    Taint,
    Toleration,
)

POLICY = "apiVersion: policy.karmada.io/v1alpha1\n"
CLUSTERS = """\
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: member1, labels: {location: us}}
spec: {syncMode: Push, apiEndpoint: https://m1.example:6443, region: us-east, zone: us-east-1a,
       provider: aws, taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
---
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: member2}
spec: {syncMode: Push, region: eu-west}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx}
spec: {replicas: 4, template: {spec: {containers: [{name: nginx, image: nginx:1.27}]}}}
"""


def pp(body: str, kind: str = "PropagationPolicy") -> str:
    head = POLICY + f"kind: {kind}\nmetadata: {{name: nginx-propagation}}\nspec:\n"
    sel = "  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: nginx}]\n"
    return head + sel + textwrap.indent(textwrap.dedent(body).strip() + "\n", "  ")


def load(*docs: str):  # type: ignore[no-untyped-def]
    return load_text("---\n".join([CLUSTERS, *docs]), "k.yaml")


def status_of(loaded, path: str) -> str:  # type: ignore[no-untyped-def]
    found = {format_path(f.path): f.status for r in loaded.compat for f in r.fields if f.path}
    return found[path]


def test_a_cluster_becomes_a_kfed_cluster() -> None:
    d = load()
    m1 = next(c for c in d.clusters if c.name == "member1")
    assert (m1.region, m1.zone, m1.provider, m1.labels) == (
        "us-east",
        "us-east-1a",
        "aws",
        {"location": "us"},
    )
    assert m1.taints == (Taint("dedicated", "gpu", "NoSchedule"),)
    assert m1.capacity == Resources()  # no status: unknown
    assert status_of(d, "spec.apiEndpoint") == "not simulated"
    assert status_of(d, "spec.region") == "exact"
    assert any("spec.apiEndpoint" in w and "not simulated" in w for w in d.warnings)


def test_a_cluster_status_is_its_capacity() -> None:
    cluster = """\
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: member3}
spec: {syncMode: Pull, zones: [z1, z2]}
status:
  nodeSummary: {totalNum: 3, readyNum: 3}
  resourceSummary:
    allocatable: {cpu: "12", memory: 48Gi, pods: "330"}
    allocated: {cpu: 2500m, memory: 8Gi, pods: "30"}
    allocating: {cpu: 500m}
  conditions: [{type: Ready, status: "True"}]
"""
    d = load(cluster)
    m3 = next(c for c in d.clusters if c.name == "member3")
    assert m3.capacity == Resources(9.0, 40 * 2**30, 300)
    assert (m3.nodes, m3.zone) == (3, "z1")
    assert status_of(d, "spec.syncMode") == "approximated"
    assert status_of(d, "spec.zones") == "approximated"
    assert status_of(d, "status.resourceSummary.allocatable") == "approximated"
    assert status_of(d, "status.nodeSummary.totalNum") == "exact"
    assert status_of(d, "status.conditions") == "not simulated"


def test_propagation_policy_without_replica_scheduling_is_duplicated() -> None:
    d = load(pp("placement: {clusterAffinity: {clusterNames: [member1, member2]}}"))
    (p,) = d.policies
    assert p.placement.replicas.type == "Duplicated"
    assert p.placement.affinity == ClusterAffinity(cluster_names=("member1", "member2"))
    # Karmada evicts only on NoExecute taints: kfed's own eviction is off
    assert not p.failover.enabled and p.failover.failback.stabilization_seconds == 0


def test_policy_fields_map_to_the_records() -> None:
    d = load(
        pp(
            """
            priority: 5
            propagateDeps: true
            preemption: Never
            conflictResolution: Overwrite
            suspension: {dispatchingOnClusters: {clusterNames: [member2]}}
            placement:
              clusterAffinities:
                - affinityName: primary
                  clusterNames: [member1]
                  overflowAffinities:
                    - {affinityName: burst, clusterNames: [member2]}
              clusterTolerations:
                - {effect: NoExecute}
                - {key: dedicated, operator: Exists, effect: NoSchedule}
              replicaScheduling:
                replicaSchedulingType: Divided
                replicaDivisionPreference: Weighted
                weightPreference: {dynamicWeight: AvailableReplicas}
            failover:
              cluster: {purgeMode: Directly}
              application:
                decisionConditions: {tolerationSeconds: 120}
                purgeMode: Gracefully
            """
        )
    )
    (p,) = d.policies
    assert (p.priority, p.propagate_deps, p.suspended) == (5, True, ("member2",))
    assert p.placement.affinity_groups == (ClusterAffinity(cluster_names=("member1",)),)
    assert p.placement.overflow == ((ClusterAffinity(cluster_names=("member2",)),),)
    assert p.placement.tolerations == (
        Toleration(effect="NoExecute"),
        Toleration("dedicated", "Exists", "", "NoSchedule"),
    )
    assert p.placement.replicas.method_name() == "webster-dynamic"
    assert p.failover.purge_mode == "Directly" and not p.failover.enabled
    expected = {
        "spec.priority": "exact",
        "spec.propagateDeps": "exact",
        "spec.preemption": "exact",
        "spec.conflictResolution": "exact",
        "spec.suspension.dispatchingOnClusters.clusterNames": "exact",
        "spec.placement.clusterAffinities[0].clusterNames": "exact",
        "spec.placement.clusterAffinities[0].overflowAffinities[0].clusterNames": "approximated",
        "spec.placement.clusterTolerations[0].effect": "exact",
        "spec.placement.replicaScheduling.weightPreference.dynamicWeight": "exact",
        "spec.failover.cluster.purgeMode": "exact",
        "spec.failover.application.purgeMode": "not simulated",
        "spec.failover.application.decisionConditions.tolerationSeconds": "not simulated",
    }
    assert {k: status_of(d, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("spread", "kept", "status"),
    [
        # Karmada ignores spread constraints under static weights
        (
            "replicaScheduling: {replicaSchedulingType: Divided}\n"
            "spreadConstraints: [{spreadByField: region, maxGroups: 1}]",
            (),
            "exact",
        ),
        ("spreadConstraints: [{spreadByField: region, maxGroups: 1}]", ("region",), "exact"),
        # zone next to a cluster constraint: Karmada's selection ignores it
        (
            "spreadConstraints: [{spreadByField: zone, maxGroups: 1}, {spreadByField: cluster,"
            " maxGroups: 1}]",
            ("cluster",),
            "approximated",
        ),
        # zone alone: Karmada refuses to schedule; kfed spreads by zone and says so
        ("spreadConstraints: [{spreadByField: zone, maxGroups: 1}]", ("zone",), "approximated"),
        ("spreadConstraints: [{spreadByLabel: tier, maxGroups: 1}]", (), "not simulated"),
    ],
)
def test_spread_constraints_are_what_karmadas_scheduler_does(
    spread: str, kept: tuple[str, ...], status: str
) -> None:
    d = load(pp("placement:\n" + textwrap.indent(spread, "  ")))
    (p,) = d.policies
    assert tuple(s.spread_by for s in p.placement.spread) == kept
    notes = [
        f.status for r in d.compat for f in r.fields if "spreadConstraints" in format_path(f.path)
    ]
    assert status in notes


def test_schedule_priority_reads_the_priority_class() -> None:
    pc = (
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n"
        "metadata: {name: high}\nvalue: 1000\n"
    )
    d = load(
        pc,
        pp("schedulePriority: {priorityClassSource: KubePriorityClass, priorityClassName: high}"),
    )
    (p,) = d.policies
    assert p.schedule_priority == 1000
    assert status_of(d, "spec.schedulePriority.priorityClassName") == "approximated"
    missing = load(
        pp("schedulePriority: {priorityClassSource: KubePriorityClass, priorityClassName: low}")
    )
    assert missing.policies[0].schedule_priority == 0
    assert any("no PriorityClass 'low'" in w for w in missing.warnings)


def test_a_custom_scheduler_is_not_simulated() -> None:
    d = load(pp("schedulerName: my-scheduler"))
    assert status_of(d, "spec.schedulerName") == "not simulated"
    assert status_of(load(pp("schedulerName: default-scheduler")), "spec.schedulerName") == "exact"


def test_override_policy_overriders() -> None:
    op = POLICY + textwrap.dedent(
        """\
        kind: OverridePolicy
        metadata: {name: eu}
        spec:
          resourceSelectors:
            - {apiVersion: apps/v1, kind: Deployment, name: nginx,
               labelSelector: {matchLabels: {x: y}}}
          overrideRules:
            - targetCluster: {clusterNames: [member2]}
              overriders:
                imageOverrider:
                  - predicate: {path: /spec/template/spec/containers/0/image}
                    component: Registry
                    operator: replace
                    value: eu.example
                commandOverrider: [{containerName: nginx, operator: add, value: [--v=2]}]
                argsOverrider: [{containerName: nginx, operator: remove, value: [--debug]}]
                labelsOverrider:
                  - {operator: add, value: {region: eu}}
                  - {operator: remove, value: {old: ""}}
                annotationsOverrider: [{operator: replace, value: {owner: team-eu}}]
                plaintext: [{path: /spec/paused, operator: add, value: true}]
        """
    )
    d = load(op)
    (o,) = d.overrides
    (sel,) = o.selectors
    assert sel.label_selector is None  # ignored when name is set, as in Karmada
    (r,) = o.rules
    assert r.images == (
        ImageOverride(
            "Registry", "replace", "eu.example", "/spec/template/spec/containers/0/image"
        ),
    )
    assert r.commands == (ArgsOverride("nginx", "add", ("--v=2",)),)
    assert r.args == (ArgsOverride("nginx", "remove", ("--debug",)),)
    assert r.labels == (MapOverride("add", {"region": "eu"}), MapOverride("remove", {"old": ""}))
    assert r.annotations == (MapOverride("replace", {"owner": "team-eu"}),)
    assert r.patches == (PatchOp("add", "/spec/paused", True),)
    assert all(
        f.status == "exact" for rep in d.compat if rep.kind == "OverridePolicy" for f in rep.fields
    )


def test_override_policy_without_selectors_applies_to_every_template() -> None:
    op = POLICY + (
        "kind: ClusterOverridePolicy\nmetadata: {name: all}\nspec:\n"
        "  overriders: {plaintext: [{path: /metadata/labels/x, operator: add, value: y}]}\n"
    )
    (o,) = load(op).overrides
    (r,) = o.rules
    assert r.target == ClusterAffinity() and o.matches(load().workloads[0])


def test_cluster_taint_policy_gives_taints_while_not_ready() -> None:
    ctp = POLICY + textwrap.dedent(
        """\
        kind: ClusterTaintPolicy
        metadata: {name: evict}
        spec:
          targetClusters: {clusterNames: [member1]}
          addOnConditions: [{conditionType: Ready, operator: NotIn, statusValues: ["True"]}]
          removeOnConditions: [{conditionType: Ready, operator: In, statusValues: ["True"]}]
          taints: [{key: cluster.karmada.io/not-ready, effect: NoExecute}]
        """
    )
    d = load(ctp)
    by = {c.name: c for c in d.clusters}
    assert by["member1"].not_ready_taints == (
        Taint("cluster.karmada.io/not-ready", "", "NoExecute"),
    )
    assert by["member2"].not_ready_taints == ()
    odd = ctp.replace(
        "conditionType: Ready, operator: NotIn", "conditionType: NetworkAvailable, operator: NotIn"
    )
    d = load(odd)
    assert all(c.not_ready_taints == () for c in d.clusters)
    assert any("not simulated" in w and "addOnConditions" in w for w in d.warnings)


def test_workload_rebalancer_enables_failback() -> None:
    wr = (
        "apiVersion: apps.karmada.io/v1alpha1\nkind: WorkloadRebalancer\n"
        "metadata: {name: demo}\nspec:\n"
        "  workloads: [{apiVersion: apps/v1, kind: Deployment, name: nginx, namespace: default}]\n"
    )
    d = load(pp("placement: {replicaScheduling: {replicaSchedulingType: Divided}}"), wr)
    assert d.policies[0].failover.failback.enabled
    assert status_of(d, "spec.workloads[0].name") == "approximated"


def test_an_unmodelled_kind_is_accepted_and_reported() -> None:
    hpa = (
        "apiVersion: autoscaling.karmada.io/v1alpha1\nkind: FederatedHPA\n"
        "metadata: {name: h}\nspec: {minReplicas: 1}\n"
    )
    d = load(hpa)
    assert any("FederatedHPA" in w and "not simulated" in w for w in d.warnings)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            pp("placement: {clusterAfinity: {}}"),
            "k.yaml: spec.placement.clusterAfinity: unknown field 'clusterAfinity' (line 22, "
            "PropagationPolicy default/nginx-propagation)",
        ),
        (
            pp("placement: {replicaScheduling: {replicaDivisionPreference: StaticWeight}}"),
            "k.yaml: spec.placement.replicaScheduling.replicaDivisionPreference: must be one of "
            "Aggregated, Weighted, got 'StaticWeight' (line 22, PropagationPolicy "
            "default/nginx-propagation)",
        ),
        (
            POLICY + "kind: PropagationPolicyy\nmetadata: {name: x}\n",
            "k.yaml: kind: Karmada's policy.karmada.io/v1alpha1: must be one of "
            "ClusterOverridePolicy, ClusterPropagationPolicy, ClusterTaintPolicy, "
            "FederatedResourceQuota, OverridePolicy, PropagationPolicy, got 'PropagationPolicyy' "
            "(line 18, PropagationPolicyy default/x)",
        ),
        (
            pp(
                "placement: {spreadConstraints: "
                "[{spreadByField: region, minGroups: 3, maxGroups: 2}]}"
            ),
            "k.yaml: spec.placement.spreadConstraints[0].maxGroups: must be >= minGroups (3), "
            "got 2 (line 22, PropagationPolicy default/nginx-propagation)",
        ),
        (
            pp("placement: {clusterAffinity: {clusterNames: [member9]}}"),
            "k.yaml: spec.placement.clusterAffinity.clusterNames[0]: unknown cluster 'member9' "
            "(known: member1, member2) (line 22, PropagationPolicy default/nginx-propagation)",
        ),
    ],
)
def test_errors_name_the_users_own_path_and_line(doc: str, message: str) -> None:
    with pytest.raises(LoadError) as info:
        load(doc)
    assert message in info.value.errors


def test_a_list_is_read_item_by_item() -> None:
    items = textwrap.indent(pp("placement: {}"), "    ").replace(
        "    apiVersion", "  - apiVersion", 1
    )
    listed = "apiVersion: v1\nkind: List\nitems:\n" + items
    (p,) = load(listed).policies
    assert p.name == "nginx-propagation"
