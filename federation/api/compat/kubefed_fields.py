"""KubeFed v2's document kinds, field by field: Federated<Kind> (types.kubefed.io),
ReplicaSchedulingPreference, KubeFedCluster, KubeFedConfig and FederatedTypeConfig, and the
KubeFed kinds kfed accepts but does not model."""

from __future__ import annotations

from typing import Any

from federation.api.compat.fields import ANY, Field, Kind
from federation.api.compat.karmada_fields import META, OBJECT
from federation.api.schema_parts import BOOL, COUNT, DURATION, NAME, STR, array, obj, ref

TYPES = "types.kubefed.io/v1beta1"
SCHEDULING = "scheduling.kubefed.io/v1alpha1"
CORE = "core.kubefed.io/v1beta1"
_REAL = "it connects KubeFed to a real member; kfed runs its own"
_INT64: dict[str, Any] = {"type": "integer", "minimum": 0}


def federated() -> tuple[Field, ...]:
    return (
        META,
        Field(
            "spec.template",
            "exact",
            "the template: a <Kind> with the federated object's name and namespace",
            OBJECT,
        ),
        Field(
            "spec.placement.clusters[].name",
            "exact",
            "clusterNames; a clusters list (even empty) wins over clusterSelector; no placement "
            "places nothing",
            NAME,
            required=True,
        ),
        Field(
            "spec.placement.clusterSelector",
            "exact",
            "labelSelector over the clusters ({} selects every cluster)",
            ref("LabelSelector"),
        ),
        Field("spec.overrides[].clusterName", "exact", "one override rule", NAME, required=True),
        Field(
            "spec.overrides[].clusterOverrides[].op",
            "exact",
            "plaintext operator (default replace)",
            {"enum": ["add", "remove", "replace"]},
        ),
        Field("spec.overrides[].clusterOverrides[].path", "exact", "", STR, required=True),
        Field("spec.overrides[].clusterOverrides[].value", "exact", "", ANY),
        Field("status", "not simulated", "written by KubeFed", ANY),
    )


def _rsp() -> tuple[Field, ...]:
    pref = obj({"minReplicas": _INT64, "maxReplicas": _INT64, "weight": _INT64})
    return (
        META,
        Field(
            "spec.targetKind",
            "exact",
            "the Federated<Kind> of the same name and namespace",
            {"enum": ["FederatedDeployment", "FederatedReplicaSet"]},
            required=True,
        ),
        Field(
            "spec.totalReplicas",
            "exact",
            "the template's replicas, divided by method kubefed (KubeFed's planner)",
            COUNT,
            required=True,
        ),
        Field(
            "spec.rebalance",
            "exact",
            "rebalance: true also fails back when a cluster is readmitted",
            BOOL,
        ),
        Field(
            "spec.intersectWithClusterSelector",
            "exact",
            "candidates: every Ready cluster, or those the clusterSelector selects",
            BOOL,
        ),
        Field(
            "spec.clusters",
            "exact",
            'weight, minReplicas, maxReplicas per cluster; "*" for the others; no entry: none',
            {"type": "object", "additionalProperties": pref},
        ),
        Field("status", "not simulated", "written by KubeFed", ANY),
    )


def _cluster() -> tuple[Field, ...]:
    return (
        META,
        *[
            Field(f"spec.{name}", "not simulated", _REAL, schema)
            for name, schema in (
                ("apiEndpoint", STR),
                ("caBundle", STR),
                ("secretRef", OBJECT),
                ("disabledTLSValidations", array(STR)),
                ("proxyURL", STR),
            )
        ],
        Field("status.region", "exact", "region", STR),
        Field(
            "status.zones",
            "exact",
            "zone (the first: kfed's clusters have one)",
            array(STR),
        ),
        Field("status.conditions", "not simulated", "kfed starts every member Ready", ANY),
    )


def _config() -> tuple[Field, ...]:
    health = (
        "the Scenario's health defaults when every cluster is a KubeFedCluster (spec.health "
        "wins); kfed counts failureThreshold consecutive failures, KubeFed's code may flip on "
        "the first failure after a long healthy run"
    )
    hc = "spec.clusterHealthCheck"
    cd = "spec.controllerDuration"
    return (
        META,
        Field("spec.scope", "not simulated", "kfed federates every namespace", STR),
        Field(
            f"{cd}.availableDelay",
            "approximated",
            "failback.stabilizationWindowSeconds of ReplicaSchedulingPreference workloads "
            "(how long a cluster back to Ready waits before it gets replicas)",
            DURATION,
        ),
        Field(
            f"{cd}.unavailableDelay",
            "approximated",
            "failover.tolerationSeconds of ReplicaSchedulingPreference workloads (how long "
            "an Offline cluster keeps its share before it is re-planned)",
            DURATION,
        ),
        Field(f"{cd}.cacheSyncTimeout", "not simulated", "kfed has no informer caches", DURATION),
        Field("spec.leaderElect", "not simulated", "kfed runs one controller", OBJECT),
        Field("spec.featureGates", "not simulated", "kfed has SchedulerPreferences on", ANY),
        Field(f"{hc}.period", "approximated", health, DURATION),
        Field(f"{hc}.timeout", "approximated", health, DURATION),
        Field(f"{hc}.failureThreshold", "approximated", health, COUNT),
        Field(f"{hc}.successThreshold", "approximated", health, COUNT),
        Field(
            "spec.syncController",
            "not simulated",
            "concurrency and adoptResources: kfed's members start empty",
            OBJECT,
        ),
        Field("spec.statusController", "not simulated", "kfed reports status itself", OBJECT),
    )


def _type_config() -> tuple[Field, ...]:
    target = "spec.targetType"
    return (
        META,
        Field(f"{target}.group", "exact", "the template's apiVersion", STR),
        Field(f"{target}.version", "exact", "the template's apiVersion", STR, required=True),
        Field(f"{target}.kind", "exact", "the template's kind", NAME, required=True),
        Field(f"{target}.pluralName", "exact", "", STR),
        Field(f"{target}.scope", "exact", "", {"enum": ["Namespaced", "Cluster"]}),
        Field("spec.federatedType", "exact", "the Federated<Kind> it reads", OBJECT),
        Field(
            "spec.propagation",
            "exact",
            "Disabled: the type's federated objects place nothing",
            {"enum": ["Enabled", "Disabled"]},
        ),
        Field("spec.statusType", "not simulated", "kfed reports status itself", OBJECT),
        Field("spec.statusCollection", "not simulated", "kfed reports status itself", STR),
        Field("status", "not simulated", "written by KubeFed", ANY),
    )


_IGNORED = {
    (CORE, "PropagatedVersion"): "written by KubeFed",
    (CORE, "ClusterPropagatedVersion"): "written by KubeFed",
    (CORE, "FederatedServiceStatus"): "written by KubeFed",
    ("multiclusterdns.kubefed.io/v1alpha1", "ServiceDNSRecord"): "kfed models no DNS",
    ("multiclusterdns.kubefed.io/v1alpha1", "IngressDNSRecord"): "kfed models no DNS",
    ("multiclusterdns.kubefed.io/v1alpha1", "DNSEndpoint"): "kfed models no DNS",
    ("multiclusterdns.kubefed.io/v1alpha1", "Domain"): "kfed models no DNS",
}


def kinds() -> tuple[Kind, ...]:
    out = [
        Kind(
            TYPES,
            "Federated<Kind>",
            "KubeFed",
            True,
            federated(),
            "a <Kind> template, a PropagationPolicy (Duplicated) and an OverridePolicy",
        ),
        Kind(
            SCHEDULING,
            "ReplicaSchedulingPreference",
            "KubeFed",
            True,
            _rsp(),
            "its Federated<Kind>'s policy: Divided by method kubefed",
        ),
        Kind(CORE, "KubeFedCluster", "KubeFed", True, _cluster(), "Cluster"),
        Kind(CORE, "KubeFedConfig", "KubeFed", True, _config(), "health and failover timing"),
        Kind(
            CORE,
            "FederatedTypeConfig",
            "KubeFed",
            True,
            _type_config(),
            "the apiVersion of a type's templates",
        ),
    ]
    for (api, kind), why in _IGNORED.items():
        out.append(Kind(api, kind, "KubeFed", True, (), why, ignored=True))
    return tuple(out)
