"""The JSON Schemas of every kfed document kind, as Python data: the single source of structure.

The loader validates each document against its kind's schema (`kind_schema`), and `document()`
is what `kfed schema` exports to `federation/api/kfed.schema.json` for editors and CI. Checks a
schema cannot express (maxReplicas >= minReplicas, references between documents, quantities,
durations, JSON pointers) live in the loader.
"""

from __future__ import annotations

import json
from typing import Any

from federation.api.override_schema import OVERRIDE as _OVERRIDE
from federation.api.override_schema import TAINT_POLICY as _TAINT_POLICY
from federation.api.scenario_schema import DISTRIBUTION, LINK, SCENARIO
from federation.api.schema_parts import (
    BOOL,
    COUNT,
    DNS_LABEL,
    EFFECT,
    INT,
    NAME,
    NODES,
    OBJECT_NAME,
    PODS,
    PORT,
    POSITIVE,
    QUANTITY,
    SECONDS,
    STR,
    STRMAP,
    array,
    obj,
    ref,
)
from federation.api.traffic_schema import MULTICLUSTER_SERVICE

API_VERSION = "kfed.io/v1alpha1"
SCHEMA_ID = "https://kfed.io/schemas/v1alpha1/kfed.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# kind -> apiVersion for every kind the loader understands
KINDS: dict[str, str] = {
    "Cluster": API_VERSION,
    "PropagationPolicy": API_VERSION,
    "ClusterPropagationPolicy": API_VERSION,
    "OverridePolicy": API_VERSION,
    "ClusterOverridePolicy": API_VERSION,
    "MultiClusterService": API_VERSION,
    "Scenario": API_VERSION,
    "ClusterTaintPolicy": API_VERSION,
    "Namespace": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
}
NAMESPACED = frozenset(
    {
        "PropagationPolicy",
        "OverridePolicy",
        "MultiClusterService",
        "ConfigMap",
        "Secret",
        "Service",
        "Deployment",
        "Job",
    }
)
NATIVE = frozenset({"Namespace", "ConfigMap", "Secret", "Service", "Deployment", "Job"})
# Kubernetes' cluster-scoped kinds: any other kind kfed does not know is a namespaced template
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "CSIDriver",
        "VolumeSnapshotClass",
    }
)
# the apiVersions of Kubernetes' own groups and their kinds: a kind of one of these groups kfed
# does not know is a typo, not a custom resource
CORE_GROUPS: dict[str, frozenset[str]] = {
    "v1": frozenset(
        {
            "Namespace",
            "ConfigMap",
            "Secret",
            "Service",
            "ServiceAccount",
            "PersistentVolumeClaim",
            "PersistentVolume",
            "Pod",
            "ReplicationController",
            "LimitRange",
            "ResourceQuota",
            "Endpoints",
            "Node",
            "List",
        }
    ),
    "apps/v1": frozenset(
        {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"}
    ),
    "batch/v1": frozenset({"Job", "CronJob"}),
}
# kinds whose replica count Karmada's default interpreter knows, beyond Deployment and Job
REPLICA_PATHS = {"StatefulSet": "/spec/replicas", "ReplicaSet": "/spec/replicas"}
REPLICA_PATH_ANNOTATION = "kfed.io/replicas-path"


def is_namespaced(kind: str) -> bool:
    """Does a document of `kind` live in a namespace? kfed's own kinds and Kubernetes'
    cluster-scoped ones do not; every other kind (a template) does."""
    if kind in KINDS:
        return kind in NAMESPACED
    return kind not in CLUSTER_SCOPED


# pattern -> how error messages describe it
PATTERNS = {DNS_LABEL: "a DNS label (lowercase letters, digits and '-', at most 63)"}
NAMESPACE: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 63}


def _head(kind: str, meta: str) -> dict[str, Any]:
    return {"apiVersion": {"const": KINDS[kind]}, "kind": {"const": kind}, "metadata": ref(meta)}


def _kfed_kind(kind: str, meta: str, spec: dict[str, Any], *, spec_required: bool) -> Any:
    required = ("apiVersion", "kind", "metadata") + (("spec",) if spec_required else ())
    return obj({**_head(kind, meta), "spec": spec}, required)


# ------------------------------------------------------------------ shared pieces

_SELECTORS: dict[str, Any] = {
    "Requirement": obj(
        {
            "key": NAME,
            "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
            "values": array(STR),
        },
        ("key", "operator"),
    ),
    "LabelSelector": obj({"matchLabels": STRMAP, "matchExpressions": array(ref("Requirement"))}),
    "FieldSelector": obj(
        {
            "matchExpressions": array(
                obj(
                    {
                        "key": {"enum": ["region", "zone", "provider"]},
                        "operator": {"enum": ["In", "NotIn"]},
                        "values": array(STR),
                    },
                    ("key", "operator", "values"),
                )
            )
        }
    ),
}
_AFFINITY_PROPS: dict[str, Any] = {
    "clusterNames": array(NAME),
    "exclude": array(NAME),
    "labelSelector": ref("LabelSelector"),
    "fieldSelector": ref("FieldSelector"),
}
_AFFINITY: dict[str, Any] = {
    "ClusterAffinity": obj(
        _AFFINITY_PROPS, description="which clusters; empty matches every cluster"
    ),
    "ClusterAffinityTerm": obj(
        {
            "affinityName": STR,
            **_AFFINITY_PROPS,
            "overflowAffinities": array(
                obj({"affinityName": STR, **_AFFINITY_PROPS}, ("affinityName",)), minItems=1
            ),
        },
        description="one ordered group of clusterAffinities",
    ),
    "Taint": obj({"key": NAME, "value": STR, "effect": EFFECT}, ("key", "effect")),
}
_META: dict[str, Any] = {
    "NamespacedMeta": obj(
        {"name": OBJECT_NAME, "namespace": NAMESPACE, "labels": STRMAP, "annotations": STRMAP},
        ("name",),
    ),
    "ClusterScopedMeta": obj(
        {"name": OBJECT_NAME, "labels": STRMAP, "annotations": STRMAP}, ("name",)
    ),
    "ClusterMeta": obj(
        {
            "name": {"type": "string", "pattern": DNS_LABEL},
            "labels": STRMAP,
            "annotations": STRMAP,
        },
        ("name",),
    ),
    "NativeMeta": obj(
        {
            "name": OBJECT_NAME,
            "namespace": NAMESPACE,
            "labels": STRMAP,
            "annotations": STRMAP,
            "uid": STR,
        },
        ("name",),
        closed=False,
    ),
    "ResourceSelector": obj(
        {
            "apiVersion": NAME,
            "kind": NAME,
            "name": STR,
            "namespace": STR,
            "labelSelector": ref("LabelSelector"),
        },
        description="which templates; a field left out matches anything",
    ),
}

# ------------------------------------------------------------------ Cluster

_CLUSTER = obj(
    {
        "region": STR,
        "zone": STR,
        "provider": STR,
        "capacity": obj(
            {"cpu": QUANTITY, "memory": QUANTITY, "pods": PODS},
            ("cpu", "memory"),
            description="allocatable capacity; pods defaults to 110 per node",
        ),
        "nodes": NODES,
        "taints": array(ref("Taint")),
        "costPerCpuHour": {"type": "number", "minimum": 0},
        "costPerGiBHour": {"type": "number", "minimum": 0},
        "context": NAME,
        "kubeconfig": NAME,
        "apiEndpoint": {**STR, "description": "controller mode: the member's API server URL"},
        "secretRef": obj(
            {"namespace": NAME, "name": NAME},
            ("namespace", "name"),
            description="controller mode: the Secret (on the host) holding the member's "
            "kubeconfig under the key 'kubeconfig'",
        ),
    }
)

# ------------------------------------------------------------------ policies

_PLACEMENT = obj(
    {
        "clusterAffinity": ref("ClusterAffinity"),
        "clusterAffinities": array(ref("ClusterAffinityTerm"), minItems=1),
        "clusterTolerations": array(
            obj(
                {
                    "key": STR,
                    "operator": {"enum": ["Equal", "Exists"]},
                    "value": STR,
                    "effect": EFFECT,
                    "tolerationSeconds": SECONDS,
                }
            )
        ),
        "spreadConstraints": array(
            obj(
                {
                    "spreadByField": {"enum": ["cluster", "region", "zone", "provider"]},
                    "minGroups": COUNT,
                    "maxGroups": POSITIVE,
                }
            )
        ),
        "replicaScheduling": obj(
            {
                "replicaSchedulingType": {"enum": ["Duplicated", "Divided"]},
                "replicaDivisionPreference": {
                    "enum": ["Weighted", "Aggregated", "StaticWeight", "DynamicWeight"]
                },
                "weightPreference": obj(
                    {
                        "staticWeightList": array(
                            obj(
                                {"targetCluster": ref("ClusterAffinity"), "weight": POSITIVE},
                                ("targetCluster", "weight"),
                            )
                        ),
                        "dynamicWeight": {"enum": ["AvailableReplicas"]},
                    }
                ),
                "method": {
                    "enum": ["kfed", "webster", "webster-dynamic", "webster-aggregated", "kubefed"]
                },
                "weights": array(
                    obj(
                        {"targetCluster": ref("ClusterAffinity"), "weight": COUNT},
                        ("targetCluster", "weight"),
                    )
                ),
                "clusterReplicas": array(
                    obj(
                        {
                            "targetCluster": ref("ClusterAffinity"),
                            "minReplicas": COUNT,
                            "maxReplicas": COUNT,
                        },
                        ("targetCluster",),
                    )
                ),
                "rebalance": BOOL,
            }
        ),
    }
)
_FAILOVER = obj(
    {
        "enabled": BOOL,
        "tolerationSeconds": SECONDS,
        "purgeMode": {"enum": ["Graceful", "Directly"]},
        "gracePeriodSeconds": SECONDS,
        "failback": obj({"enabled": BOOL, "stabilizationWindowSeconds": SECONDS}),
        "cluster": obj({"purgeMode": {"enum": ["Gracefully", "Directly"]}}),
    }
)
_PROPAGATION = obj(
    {
        "priority": INT,
        "schedulePriority": obj({"priority": INT}),
        "resourceSelectors": array(ref("ResourceSelector"), minItems=1),
        "propagateDeps": BOOL,
        "placement": _PLACEMENT,
        "failover": _FAILOVER,
        "suspension": obj(
            {"dispatching": BOOL, "dispatchingOnClusters": obj({"clusterNames": array(NAME)})}
        ),
    },
    ("resourceSelectors",),
)

# ------------------------------------------------------------------ native templates

_CONTAINER = obj(
    {
        "ports": array(
            obj({"containerPort": PORT, "hostPort": {**PORT, "minimum": 0}}, closed=False)
        ),
        "resources": obj(
            {
                "requests": obj({"cpu": QUANTITY, "memory": QUANTITY}, closed=False),
                "limits": obj({"cpu": QUANTITY, "memory": QUANTITY}, closed=False),
            },
            closed=False,
        ),
    },
    closed=False,
)
_POD_TEMPLATE = obj(
    {
        "metadata": {"type": "object"},
        "spec": obj(
            {"containers": array(_CONTAINER), "initContainers": array(_CONTAINER)}, closed=False
        ),
    },
    closed=False,
)


def _native(kind: str, props: dict[str, Any]) -> dict[str, Any]:
    return obj({**_head(kind, "NativeMeta"), **props}, ("apiVersion", "kind", "metadata"))


_OBJECT: dict[str, Any] = {"type": "object"}
_NATIVE_KINDS = {
    "Namespace": _native("Namespace", {"spec": _OBJECT, "status": _OBJECT}),
    "ConfigMap": _native("ConfigMap", {"data": STRMAP, "binaryData": STRMAP, "immutable": BOOL}),
    "Secret": _native(
        "Secret",
        {"data": STRMAP, "stringData": STRMAP, "type": STR, "immutable": BOOL},
    ),
    "Service": _native(
        "Service",
        {
            "spec": obj(
                {
                    "ports": array(
                        obj(
                            {
                                "port": PORT,
                                "targetPort": {**PORT, "type": ["integer", "string"]},
                                "nodePort": PORT,
                            },
                            closed=False,
                        )
                    )
                },
                closed=False,
            ),
            "status": _OBJECT,
        },
    ),
    "Deployment": _native(
        "Deployment",
        {
            "spec": obj({"replicas": COUNT, "template": _POD_TEMPLATE}, closed=False),
            "status": _OBJECT,
        },
    ),
    "Job": _native(
        "Job",
        {
            "spec": obj(
                {"completions": COUNT, "parallelism": COUNT, "template": _POD_TEMPLATE},
                closed=False,
            ),
            "status": _OBJECT,
        },
    ),
}

DEFS: dict[str, Any] = {
    **_META,
    **_SELECTORS,
    **_AFFINITY,
    "Distribution": DISTRIBUTION,
    "Link": LINK,
    "Cluster": _kfed_kind("Cluster", "ClusterMeta", _CLUSTER, spec_required=False),
    "PropagationPolicy": _kfed_kind(
        "PropagationPolicy", "NamespacedMeta", _PROPAGATION, spec_required=True
    ),
    "ClusterPropagationPolicy": _kfed_kind(
        "ClusterPropagationPolicy", "ClusterScopedMeta", _PROPAGATION, spec_required=True
    ),
    "OverridePolicy": _kfed_kind("OverridePolicy", "NamespacedMeta", _OVERRIDE, spec_required=True),
    "ClusterOverridePolicy": _kfed_kind(
        "ClusterOverridePolicy", "ClusterScopedMeta", _OVERRIDE, spec_required=True
    ),
    "MultiClusterService": _kfed_kind(
        "MultiClusterService", "NamespacedMeta", MULTICLUSTER_SERVICE, spec_required=False
    ),
    "Scenario": _kfed_kind("Scenario", "ClusterScopedMeta", SCENARIO, spec_required=False),
    "ClusterTaintPolicy": _kfed_kind(
        "ClusterTaintPolicy", "ClusterScopedMeta", _TAINT_POLICY, spec_required=True
    ),
    **_NATIVE_KINDS,
    # any other kind: a template kfed copies whole (or divides, with a replica path)
    "Template": obj(
        {"apiVersion": NAME, "kind": NAME, "metadata": ref("NativeMeta")},
        ("apiVersion", "kind", "metadata"),
        closed=False,
    ),
}


FOREIGN = "(^|\\.)(karmada|kubefed)\\.io/"  # the apiVersions of Karmada's and KubeFed's groups


def _when(kind: Any, api: Any = None) -> dict[str, Any]:
    props: dict[str, Any] = {"kind": kind}
    if api is not None:
        props["apiVersion"] = api
    return {"properties": props, "required": ["kind", "apiVersion"]}


def document() -> dict[str, Any]:
    """The whole schema: any one document kfed reads, dispatched on `apiVersion` and `kind`:
    kfed's kinds, templates of any kind, a `v1` `List`, and Karmada's and KubeFed's kinds
    (`federation.api.compat`)."""
    from federation.api.compat import foreign_defs

    mine = {"not": {"pattern": FOREIGN}}
    foreign = foreign_defs()
    branches = [{"if": _when({"const": kind}, mine), "then": ref(kind)} for kind in sorted(KINDS)]
    branches.append(
        {
            "if": _when({"not": {"enum": [*sorted(KINDS), "List"]}}, mine),
            "then": ref("Template"),
        }
    )
    branches.append(
        {
            "if": _when({"const": "List"}, {"const": "v1"}),
            "then": {"properties": {"items": {"type": "array"}}, "required": ["items"]},
        }
    )
    for name, (api, kind, _) in sorted(foreign.items()):
        match = {"pattern": "^Federated."} if kind == "Federated<Kind>" else {"const": kind}
        branches.append({"if": _when(match, {"const": api}), "then": ref(name)})
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "kfed document",
        "description": (
            "One YAML document kfed reads: its own federation API (apiVersion "
            "kfed.io/v1alpha1), a Kubernetes object used as a template, or a Karmada or "
            "KubeFed v2 document (docs/compat.md)."
        ),
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}},
        "allOf": branches,
        "$defs": {**DEFS, **{n: body for n, (_, _, body) in foreign.items()}},
    }


def kind_schema(kind: str) -> dict[str, Any]:
    """The schema of one kind, self-contained (it carries every definition)."""
    return {"$schema": DRAFT, "$ref": f"#/$defs/{kind}", "$defs": DEFS}


def exported() -> str:
    """The text of kfed.schema.json (stable: same code, same bytes)."""
    return json.dumps(document(), indent=2) + "\n"
