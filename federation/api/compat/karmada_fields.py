"""Karmada's document kinds, field by field: the rows of `federation.api.compat.fields` for
PropagationPolicy, ClusterPropagationPolicy, OverridePolicy, ClusterOverridePolicy, Cluster,
ClusterTaintPolicy and WorkloadRebalancer, and the Karmada kinds kfed accepts but does not
model."""

from __future__ import annotations

from typing import Any

from federation.api.compat.fields import ANY, Field, Kind, Status
from federation.api.schema_parts import (
    BOOL,
    COUNT,
    INT,
    NAME,
    SECONDS,
    STR,
    array,
    ref,
)

POLICY = "policy.karmada.io/v1alpha1"
CLUSTER = "cluster.karmada.io/v1alpha1"
APPS = "apps.karmada.io/v1alpha1"
OBJECT: dict[str, Any] = {"type": "object"}
META = Field(
    "metadata",
    "exact",
    "name, namespace, labels, annotations; the rest is the API server's bookkeeping",
    OBJECT,
    required=True,
)
OPERATOR = {"enum": ["add", "remove", "replace"]}
VACUOUS = "kfed's documents all exist from the start of a run and never change during it"


def affinity(prefix: str, status: Status = "exact", note: str = "") -> list[Field]:
    """The four parts of a Karmada ClusterAffinity under `prefix`."""
    n = note or "the same filter in kfed"
    return [
        Field(f"{prefix}.clusterNames", status, n, array(NAME)),
        Field(f"{prefix}.exclude", status, n, array(NAME)),
        Field(f"{prefix}.labelSelector", status, n, ref("LabelSelector")),
        Field(f"{prefix}.fieldSelector", status, n, ref("FieldSelector")),
    ]


def selectors(prefix: str, *, required: bool) -> list[Field]:
    s = f"{prefix}[]"
    return [
        Field(f"{s}.apiVersion", "exact", "selects templates of this apiVersion", NAME, required),
        Field(f"{s}.kind", "exact", "any kind, a custom resource's included", NAME, required),
        Field(f"{s}.namespace", "exact", "default: the policy's namespace", STR),
        Field(f"{s}.name", "exact", "", STR),
        Field(
            f"{s}.labelSelector",
            "exact",
            "ignored when name is set, as Karmada ignores it",
            ref("LabelSelector"),
        ),
    ]


_FAILOVER_APP = (
    "kfed does not judge an application's health on a reachable cluster; "
    "only cluster failover is simulated"
)
_CONVERGED = "kfed starts every member Ready"


def _propagation() -> tuple[Field, ...]:
    p, rs = "spec.placement", "spec.placement.replicaScheduling"
    group = "spec.placement.clusterAffinities[]"
    fallback = (
        "walked from the group last used (the first after a failback, as after a "
        "WorkloadRebalancer), forward only; a group fails when no cluster is feasible or, "
        "with DynamicWeight or Aggregated, when it lacks room for the replicas to add"
    )
    tier = (
        "tier by tier in order, each taking what its clusters can hold (their room plus what "
        "they run); Karmada counts room for the added replicas only"
    )
    overflow = f"{group}.overflowAffinities[]"
    app = "spec.failover.application"
    return (
        META,
        *selectors("spec.resourceSelectors", required=True),
        Field("spec.association", "not simulated", "deprecated in favour of propagateDeps", BOOL),
        Field(
            "spec.propagateDeps",
            "exact",
            "the ConfigMaps, Secrets, ServiceAccounts and PersistentVolumeClaims a workload "
            "references follow it to every cluster it runs on",
            BOOL,
        ),
        *affinity(f"{p}.clusterAffinity"),
        Field(f"{group}.affinityName", "exact", "", STR, required=True),
        *affinity(group, "exact", fallback),
        Field(f"{overflow}.affinityName", "exact", "", STR, required=True),
        *affinity(overflow, "approximated", tier),
        Field(f"{p}.clusterTolerations[].key", "exact", "", STR),
        Field(f"{p}.clusterTolerations[].operator", "exact", "", {"enum": ["Equal", "Exists"]}),
        Field(f"{p}.clusterTolerations[].value", "exact", "", STR),
        Field(
            f"{p}.clusterTolerations[].effect",
            "exact",
            "",
            {"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
        ),
        Field(f"{p}.clusterTolerations[].tolerationSeconds", "exact", "", SECONDS),
        Field(
            f"{p}.spreadConstraints[].spreadByField",
            "exact",
            "cluster and region; zone and provider are what Karmada does with them (see below)",
            {"enum": ["cluster", "region", "zone", "provider"]},
        ),
        Field(
            f"{p}.spreadConstraints[].spreadByLabel",
            "not simulated",
            "Karmada's scheduler does not implement it (ignored next to a cluster or region "
            "constraint, no placement when alone); kfed ignores it",
            STR,
        ),
        Field(f"{p}.spreadConstraints[].maxGroups", "exact", "", COUNT),
        Field(f"{p}.spreadConstraints[].minGroups", "exact", "0 means 1", COUNT),
        Field(
            f"{rs}.replicaSchedulingType",
            "exact",
            "Duplicated or Divided; no replicaScheduling at all means Duplicated",
            {"enum": ["Duplicated", "Divided"]},
        ),
        Field(
            f"{rs}.replicaDivisionPreference",
            "exact",
            "Weighted (division method webster, or webster-dynamic with dynamicWeight), "
            "Aggregated (webster-aggregated)",
            {"enum": ["Aggregated", "Weighted"]},
        ),
        *affinity(f"{rs}.weightPreference.staticWeightList[].targetCluster"),
        Field(
            f"{rs}.weightPreference.staticWeightList[].weight",
            "exact",
            "a cluster's weight is the largest of the rules matching it; no rule: no replicas",
            {"type": "integer", "minimum": 1},
            required=True,
        ),
        Field(
            f"{rs}.weightPreference.dynamicWeight",
            "exact",
            "division method webster-dynamic (weights: available replicas)",
            {"enum": ["AvailableReplicas"]},
        ),
        Field(
            f"{p}.workloadAffinity",
            "not simulated",
            "alpha (WorkloadAffinity gate); kfed places each workload on its own",
            OBJECT,
        ),
        Field("spec.priority", "exact", "which policy claims a template several select", INT),
        Field("spec.preemption", "exact", VACUOUS, {"enum": ["Always", "Never"]}),
        Field("spec.dependentOverrides", "exact", VACUOUS, array(STR)),
        Field(
            "spec.schedulerName",
            "exact",
            "default-scheduler; any other scheduler is not simulated",
            STR,
        ),
        Field(f"{app}.decisionConditions.tolerationSeconds", "not simulated", _FAILOVER_APP, INT),
        Field(
            f"{app}.purgeMode",
            "not simulated",
            _FAILOVER_APP,
            {"enum": ["Directly", "Gracefully", "Never", "Immediately", "Graciously"]},
        ),
        Field(f"{app}.gracePeriodSeconds", "not simulated", _FAILOVER_APP, INT),
        Field(f"{app}.statePreservation", "not simulated", _FAILOVER_APP, OBJECT),
        Field(
            "spec.failover.cluster.purgeMode",
            "exact",
            "Gracefully (old replicas stay until the new ones are Ready, at most 600 s) or "
            "Directly, when a NoExecute taint evicts",
            {"enum": ["Directly", "Gracefully"]},
        ),
        Field(
            "spec.failover.cluster.statePreservation",
            "not simulated",
            "kfed's replicas carry no state",
            OBJECT,
        ),
        Field(
            "spec.conflictResolution",
            "exact",
            "kfed's members hold nothing it did not put there, so nothing conflicts",
            {"enum": ["Abort", "Overwrite"]},
        ),
        Field("spec.activationPreference", "exact", VACUOUS, {"enum": ["Lazy"]}),
        Field("spec.suspension.dispatching", "exact", "nothing is written to any member", BOOL),
        Field(
            "spec.suspension.dispatchingOnClusters.clusterNames",
            "exact",
            "nothing is written to these members",
            array(NAME),
        ),
        Field(
            "spec.preserveResourcesOnDeletion",
            "exact",
            "kfed never deletes a template during a run",
            BOOL,
        ),
        Field(
            "spec.schedulePriority.priorityClassSource",
            "exact",
            "",
            {"enum": ["KubePriorityClass"]},
        ),
        Field(
            "spec.schedulePriority.priorityClassName",
            "approximated",
            "the PriorityClass's value orders the workloads taking capacity in one pass; "
            "Karmada orders its scheduling queue by it",
            NAME,
        ),
    )


_REAL = "it connects Karmada to a real member; kfed runs its own"


def _cluster() -> tuple[Field, ...]:
    rs = "status.resourceSummary"
    room = (
        "capacity = allocatable - allocated - allocating (cpu, memory, pods): the room "
        "Karmada's general estimator counts, without resource models"
    )
    return (
        META,
        Field("spec.id", "not simulated", _REAL, STR),
        Field(
            "spec.syncMode",
            "exact",
            "Push; Pull is approximated (kfed probes the member's API server, Karmada "
            "watches its agent's lease)",
            {"enum": ["Push", "Pull"]},
        ),
        *[
            Field(f"spec.{name}", "not simulated", _REAL, schema)
            for name, schema in (
                ("apiEndpoint", STR),
                ("secretRef", OBJECT),
                ("impersonatorSecretRef", OBJECT),
                ("insecureSkipTLSVerification", BOOL),
                ("proxyURL", STR),
                ("proxyHeader", OBJECT),
            )
        ],
        Field("spec.provider", "exact", "", STR),
        Field("spec.region", "exact", "", STR),
        Field("spec.zone", "exact", "", STR),
        Field(
            "spec.zones",
            "exact",
            "one zone; several are approximated by the first (kfed's clusters have one)",
            array(STR),
        ),
        Field("spec.taints[].key", "exact", "", NAME, required=True),
        Field("spec.taints[].value", "exact", "", STR),
        Field(
            "spec.taints[].effect",
            "exact",
            "",
            {"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
            required=True,
        ),
        Field("spec.taints[].timeAdded", "exact", "kfed's runs start at time 0", STR),
        Field(
            "spec.resourceModels",
            "not simulated",
            "kfed estimates room from a cluster's totals",
            ANY,
        ),
        Field(f"{rs}.allocatable", "approximated", room, OBJECT),
        Field(f"{rs}.allocated", "approximated", room, OBJECT),
        Field(f"{rs}.allocating", "approximated", room, OBJECT),
        Field(f"{rs}.allocatableModelings", "not simulated", "resource models", ANY),
        Field("status.nodeSummary.totalNum", "exact", "nodes", COUNT),
        Field("status.nodeSummary.readyNum", "not simulated", _CONVERGED, COUNT),
        Field("status.conditions", "not simulated", _CONVERGED, ANY),
        Field(
            "status.apiEnablements",
            "not simulated",
            "kfed assumes every kind is installed on every member",
            ANY,
        ),
        Field("status.kubernetesVersion", "not simulated", "kfed's members have no version", STR),
        Field("status.remedyActions", "not simulated", "kfed models no traffic control", ANY),
    )


def _taint_policy() -> tuple[Field, ...]:
    cond = (
        "Ready only: NotIn [True], or In [False, Unknown] (kfed's clusters are not Ready "
        "while Offline or Recovering); other conditions are not simulated"
    )
    schema: dict[str, Any] = {"enum": ["In", "NotIn"]}
    conditions: tuple[tuple[str, Status, str], ...] = (
        ("addOnConditions", "exact", cond),
        ("removeOnConditions", "exact", "Ready In [True]; anything else is approximated by it"),
    )
    return (
        META,
        *affinity("spec.targetClusters"),
        *[
            Field(f"spec.{which}[].{name}", status, note, sch, required=True)
            for which, status, note in conditions
            for name, sch in (
                ("conditionType", NAME),
                ("operator", schema),
                ("statusValues", array(STR, minItems=1)),
            )
        ],
        Field("spec.taints[].key", "exact", "", NAME, required=True),
        Field("spec.taints[].value", "exact", "", STR),
        Field(
            "spec.taints[].effect",
            "exact",
            "NoExecute evicts (Karmada also needs --allow-no-execute-taint-policy and "
            "--enable-no-execute-taint-eviction, which kfed assumes)",
            {"enum": ["NoSchedule", "NoExecute"]},
            required=True,
        ),
    )


def _rebalancer() -> tuple[Field, ...]:
    how = (
        "kfed cannot rebalance at one moment: the policies claiming these workloads fail back "
        "instead (a fresh division whenever a cluster they left is readmitted)"
    )
    w = "spec.workloads[]"
    return (
        META,
        Field(f"{w}.apiVersion", "approximated", how, NAME, required=True),
        Field(f"{w}.kind", "approximated", how, NAME, required=True),
        Field(f"{w}.name", "approximated", how, NAME, required=True),
        Field(f"{w}.namespace", "approximated", how, STR),
        Field("spec.ttlSecondsAfterFinished", "exact", "bookkeeping", INT),
        Field("status", "not simulated", "written by Karmada", ANY),
    )


_IGNORED = {
    (POLICY, "FederatedResourceQuota"): "kfed does not enforce quotas",
    ("autoscaling.karmada.io/v1alpha1", "FederatedHPA"): "kfed does not autoscale",
    ("autoscaling.karmada.io/v1alpha1", "CronFederatedHPA"): "kfed does not autoscale",
    ("config.karmada.io/v1alpha1", "ResourceInterpreterCustomization"): (
        "kfed runs no Lua; declare a custom kind's replica count with the template annotation "
        "kfed.io/replicas-path"
    ),
    ("config.karmada.io/v1alpha1", "ResourceInterpreterWebhookConfiguration"): (
        "kfed calls no webhooks"
    ),
    ("networking.karmada.io/v1alpha1", "MultiClusterService"): "kfed models no networking",
    ("networking.karmada.io/v1alpha1", "MultiClusterIngress"): "kfed models no networking",
    ("remedy.karmada.io/v1alpha1", "Remedy"): "kfed models no traffic control",
    ("work.karmada.io/v1alpha2", "ResourceBinding"): "written by Karmada; kfed decides itself",
    ("work.karmada.io/v1alpha2", "ClusterResourceBinding"): "written by Karmada",
    ("work.karmada.io/v1alpha1", "Work"): "written by Karmada",
    ("search.karmada.io/v1alpha1", "ResourceRegistry"): "kfed has no search",
}


def kinds() -> tuple[Kind, ...]:
    from federation.api.compat.karmada_override_fields import override

    prop, over = _propagation(), override()
    out = [
        Kind(POLICY, "PropagationPolicy", "Karmada", True, prop, "PropagationPolicy"),
        Kind(POLICY, "ClusterPropagationPolicy", "Karmada", False, prop, "same"),
        Kind(POLICY, "OverridePolicy", "Karmada", True, over, "OverridePolicy"),
        Kind(POLICY, "ClusterOverridePolicy", "Karmada", False, over, "same"),
        Kind(CLUSTER, "Cluster", "Karmada", False, _cluster(), "Cluster"),
        Kind(POLICY, "ClusterTaintPolicy", "Karmada", False, _taint_policy(), "same shape"),
        Kind(APPS, "WorkloadRebalancer", "Karmada", False, _rebalancer(), "failback"),
    ]
    for (api, kind), why in _IGNORED.items():
        out.append(Kind(api, kind, "Karmada", False, (), why, ignored=True))
    return tuple(out)
