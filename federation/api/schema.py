"""The JSON Schemas of every kfed document kind, as Python data: the single source of structure.

The loader validates each document against its kind's schema (`kind_schema`), and `document()`
is what `kfed schema` exports to `federation/api/kfed.schema.json` for editors and CI. Checks a
schema cannot express (maxReplicas >= minReplicas, references between documents, quantities,
durations, JSON pointers) live in the loader.
"""

from __future__ import annotations

import json
from typing import Any

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
    "Scenario": API_VERSION,
    "Namespace": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
}
NAMESPACED = frozenset(
    {"PropagationPolicy", "OverridePolicy", "ConfigMap", "Secret", "Service", "Deployment", "Job"}
)
NATIVE = frozenset({"Namespace", "ConfigMap", "Secret", "Service", "Deployment", "Job"})

# pattern -> how error messages describe it
DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
PATTERNS = {DNS_LABEL: "a DNS label (lowercase letters, digits and '-', at most 63)"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _obj(
    props: dict[str, Any], required: tuple[str, ...] = (), *, closed: bool = True, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    out.update(extra)
    return out


def _list(items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": items, **extra}


STR: dict[str, Any] = {"type": "string"}
NAME: dict[str, Any] = {"type": "string", "minLength": 1}
BOOL: dict[str, Any] = {"type": "boolean"}
INT: dict[str, Any] = {"type": "integer"}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
POSITIVE: dict[str, Any] = {"type": "integer", "minimum": 1}
SECONDS: dict[str, Any] = {"type": "number", "minimum": 0}
STRMAP: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
QUANTITY: dict[str, Any] = {
    "type": ["string", "number"],
    "description": "a Kubernetes quantity: 500m, 2, 1.5Gi, 512Mi",
}
DURATION: dict[str, Any] = {
    "type": ["number", "string"],
    "description": "seconds as a number, or a string with units: 90s, 10m, 1h, 1m30s, 250ms",
}
EFFECT: dict[str, Any] = {"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]}
PATCH_OP: dict[str, Any] = {"enum": ["add", "remove", "replace"]}


def _head(kind: str, meta: str) -> dict[str, Any]:
    return {"apiVersion": {"const": KINDS[kind]}, "kind": {"const": kind}, "metadata": _ref(meta)}


def _kfed_kind(kind: str, meta: str, spec: dict[str, Any], *, spec_required: bool) -> Any:
    required = ("apiVersion", "kind", "metadata") + (("spec",) if spec_required else ())
    return _obj({**_head(kind, meta), "spec": spec}, required)


# ------------------------------------------------------------------ shared pieces

_SELECTORS: dict[str, Any] = {
    "Requirement": _obj(
        {
            "key": NAME,
            "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
            "values": _list(STR),
        },
        ("key", "operator"),
    ),
    "LabelSelector": _obj({"matchLabels": STRMAP, "matchExpressions": _list(_ref("Requirement"))}),
    "FieldSelector": _obj(
        {
            "matchExpressions": _list(
                _obj(
                    {
                        "key": {"enum": ["region", "zone", "provider"]},
                        "operator": {"enum": ["In", "NotIn"]},
                        "values": _list(STR),
                    },
                    ("key", "operator", "values"),
                )
            )
        }
    ),
}
_AFFINITY_PROPS: dict[str, Any] = {
    "clusterNames": _list(NAME),
    "exclude": _list(NAME),
    "labelSelector": _ref("LabelSelector"),
    "fieldSelector": _ref("FieldSelector"),
}
_AFFINITY: dict[str, Any] = {
    "ClusterAffinity": _obj(
        _AFFINITY_PROPS, description="which clusters; empty matches every cluster"
    ),
    "ClusterAffinityTerm": _obj(
        {"affinityName": STR, **_AFFINITY_PROPS},
        description="one ordered group of clusterAffinities",
    ),
}
_META: dict[str, Any] = {
    "NamespacedMeta": _obj(
        {"name": NAME, "namespace": NAME, "labels": STRMAP, "annotations": STRMAP}, ("name",)
    ),
    "ClusterScopedMeta": _obj({"name": NAME, "labels": STRMAP, "annotations": STRMAP}, ("name",)),
    "ClusterMeta": _obj(
        {
            "name": {"type": "string", "pattern": DNS_LABEL},
            "labels": STRMAP,
            "annotations": STRMAP,
        },
        ("name",),
    ),
    "NativeMeta": _obj(
        {"name": NAME, "namespace": NAME, "labels": STRMAP, "annotations": STRMAP, "uid": STR},
        ("name",),
        closed=False,
    ),
    "ResourceSelector": _obj(
        {
            "apiVersion": NAME,
            "kind": NAME,
            "name": STR,
            "namespace": STR,
            "labelSelector": _ref("LabelSelector"),
        },
        description="which templates; a field left out matches anything",
    ),
}

# ------------------------------------------------------------------ Cluster

_CLUSTER = _obj(
    {
        "region": STR,
        "zone": STR,
        "provider": STR,
        "capacity": _obj(
            {"cpu": QUANTITY, "memory": QUANTITY, "pods": COUNT},
            ("cpu", "memory"),
            description="allocatable capacity; pods defaults to 110 per node",
        ),
        "nodes": POSITIVE,
        "taints": _list(_obj({"key": NAME, "value": STR, "effect": EFFECT}, ("key", "effect"))),
        "costPerCpuHour": {"type": "number", "minimum": 0},
        "context": NAME,
        "kubeconfig": NAME,
    }
)

# ------------------------------------------------------------------ policies

_PLACEMENT = _obj(
    {
        "clusterAffinity": _ref("ClusterAffinity"),
        "clusterAffinities": _list(_ref("ClusterAffinityTerm"), minItems=1),
        "clusterTolerations": _list(
            _obj(
                {
                    "key": STR,
                    "operator": {"enum": ["Equal", "Exists"]},
                    "value": STR,
                    "effect": EFFECT,
                    "tolerationSeconds": SECONDS,
                }
            )
        ),
        "spreadConstraints": _list(
            _obj(
                {
                    "spreadByField": {"enum": ["cluster", "region", "zone", "provider"]},
                    "minGroups": POSITIVE,
                    "maxGroups": POSITIVE,
                }
            )
        ),
        "replicaScheduling": _obj(
            {
                "replicaSchedulingType": {"enum": ["Duplicated", "Divided"]},
                "replicaDivisionPreference": {
                    "enum": ["StaticWeight", "DynamicWeight", "Aggregated"]
                },
                "method": {
                    "enum": ["kfed", "webster", "webster-dynamic", "webster-aggregated", "kubefed"]
                },
                "weights": _list(
                    _obj(
                        {"targetCluster": _ref("ClusterAffinity"), "weight": COUNT},
                        ("targetCluster", "weight"),
                    )
                ),
                "clusterReplicas": _list(
                    _obj(
                        {
                            "targetCluster": _ref("ClusterAffinity"),
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
_FAILOVER = _obj(
    {
        "enabled": BOOL,
        "tolerationSeconds": SECONDS,
        "purgeMode": {"enum": ["Graceful", "Directly"]},
        "gracePeriodSeconds": SECONDS,
        "failback": _obj({"enabled": BOOL, "stabilizationWindowSeconds": SECONDS}),
    }
)
_PROPAGATION = _obj(
    {
        "priority": INT,
        "resourceSelectors": _list(_ref("ResourceSelector"), minItems=1),
        "placement": _PLACEMENT,
        "failover": _FAILOVER,
    },
    ("resourceSelectors",),
)
_OVERRIDE = _obj(
    {
        "resourceSelectors": _list(_ref("ResourceSelector"), minItems=1),
        "overrideRules": _list(
            _obj(
                {
                    "targetCluster": _ref("ClusterAffinity"),
                    "overriders": _obj(
                        {
                            "imageOverrider": _list(
                                _obj(
                                    {
                                        "component": {"enum": ["Registry", "Repository", "Tag"]},
                                        "operator": PATCH_OP,
                                        "value": STR,
                                    },
                                    ("component", "operator"),
                                )
                            ),
                            "replicas": COUNT,
                            "labelsOverrider": STRMAP,
                            "annotationsOverrider": STRMAP,
                            "plaintext": _list(
                                _obj(
                                    {"path": STR, "operator": PATCH_OP, "value": {}},
                                    ("path", "operator"),
                                )
                            ),
                        }
                    ),
                },
                ("overriders",),
            )
        ),
    },
    ("resourceSelectors", "overrideRules"),
)

# ------------------------------------------------------------------ Scenario

_DIST = _obj(
    {
        "distribution": {"enum": ["constant", "uniform", "exponential", "lognormal", "normal"]},
        "value": DURATION,
        "min": DURATION,
        "max": DURATION,
        "mean": DURATION,
        "median": DURATION,
        "sigma": {"type": "number", "minimum": 0},
    },
    ("distribution",),
)
_LINK = _obj(
    {
        "latency": DURATION,
        "jitter": DURATION,
        "loss": {"type": "number", "minimum": 0, "maximum": 1},
    }
)
FAULTS = ("outage", "api-hang", "partition", "latency", "flapping", "node-loss", "load-surge")
_EVENT = _obj(
    {
        "at": DURATION,
        "fault": {"enum": list(FAULTS)},
        "cluster": NAME,
        "clusters": _list(NAME, minItems=1),
        "region": NAME,
        "zone": NAME,
        "duration": DURATION,
        "latency": DURATION,
        "jitter": DURATION,
        "period": DURATION,
        "down": DURATION,
        "nodes": POSITIVE,
        "workload": NAME,
        "replicas": COUNT,
    },
    ("at", "fault"),
)
_EXPECTATIONS = {
    "availability": _obj(
        {"workload": NAME, "min": {"type": "number", "minimum": 0, "maximum": 1}},
        ("workload", "min"),
    ),
    "failoverWithin": _obj({"cluster": NAME, "seconds": DURATION}, ("cluster", "seconds")),
    "noReplicasOn": _obj({"cluster": NAME, "workload": NAME, "after": DURATION}, ("cluster",)),
    "maxUnavailable": _obj({"workload": NAME, "replicas": COUNT}, ("workload", "replicas")),
    "noEviction": _obj({"cluster": NAME}),
    "replicasOn": _obj(
        {"workload": NAME, "cluster": NAME, "at": DURATION, "min": COUNT, "max": COUNT},
        ("workload", "cluster", "at"),
    ),
}
_SCENARIO = _obj(
    {
        "description": STR,
        "seed": INT,
        "duration": DURATION,
        "resources": _list(NAME),
        "health": _obj(
            {
                "probePeriod": DURATION,
                "probeTimeout": DURATION,
                "failureThreshold": POSITIVE,
                "failureSeconds": DURATION,
                "successThreshold": POSITIVE,
                "successSeconds": DURATION,
            }
        ),
        "sim": _obj(
            {
                "apiLatency": _ref("Distribution"),
                "podStartup": _ref("Distribution"),
                "link": _ref("Link"),
                "links": {"type": "object", "additionalProperties": _ref("Link")},
                "resyncPeriod": DURATION,
                "samplePeriod": DURATION,
            }
        ),
        "timeline": _list(_EVENT),
        "expectations": _list(
            _obj(_EXPECTATIONS, minProperties=1, maxProperties=1),
        ),
        "kube": _obj(
            {
                "provider": {"enum": ["kwok", "kind", "contexts"]},
                "contexts": STRMAP,
                "kubeconfig": NAME,
                "nodesPerCluster": POSITIVE,
            }
        ),
    }
)

# ------------------------------------------------------------------ native templates

_CONTAINER = _obj(
    {
        "resources": _obj(
            {
                "requests": _obj({"cpu": QUANTITY, "memory": QUANTITY}, closed=False),
                "limits": _obj({"cpu": QUANTITY, "memory": QUANTITY}, closed=False),
            },
            closed=False,
        )
    },
    closed=False,
)
_POD_TEMPLATE = _obj(
    {
        "metadata": {"type": "object"},
        "spec": _obj(
            {"containers": _list(_CONTAINER), "initContainers": _list(_CONTAINER)}, closed=False
        ),
    },
    closed=False,
)


def _native(kind: str, props: dict[str, Any]) -> dict[str, Any]:
    return _obj({**_head(kind, "NativeMeta"), **props}, ("apiVersion", "kind", "metadata"))


_OBJECT: dict[str, Any] = {"type": "object"}
_NATIVE_KINDS = {
    "Namespace": _native("Namespace", {"spec": _OBJECT, "status": _OBJECT}),
    "ConfigMap": _native("ConfigMap", {"data": STRMAP, "binaryData": STRMAP, "immutable": BOOL}),
    "Secret": _native(
        "Secret",
        {"data": STRMAP, "stringData": STRMAP, "type": STR, "immutable": BOOL},
    ),
    "Service": _native("Service", {"spec": _OBJECT, "status": _OBJECT}),
    "Deployment": _native(
        "Deployment",
        {
            "spec": _obj({"replicas": COUNT, "template": _POD_TEMPLATE}, closed=False),
            "status": _OBJECT,
        },
    ),
    "Job": _native(
        "Job",
        {
            "spec": _obj(
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
    "Distribution": _DIST,
    "Link": _LINK,
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
    "Scenario": _kfed_kind("Scenario", "ClusterScopedMeta", _SCENARIO, spec_required=False),
    **_NATIVE_KINDS,
}


def document() -> dict[str, Any]:
    """The whole schema: any one kfed document, dispatched on `kind`."""
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "kfed document",
        "description": (
            "One YAML document of the kfed federation API (apiVersion kfed.io/v1alpha1) or a "
            "native Kubernetes object used as a template."
        ),
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {"apiVersion": {"type": "string"}, "kind": {"enum": sorted(KINDS)}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": _ref(kind),
            }
            for kind in sorted(KINDS)
        ],
        "$defs": DEFS,
    }


def kind_schema(kind: str) -> dict[str, Any]:
    """The schema of one kind, self-contained (it carries every definition)."""
    return {"$schema": DRAFT, "$ref": f"#/$defs/{kind}", "$defs": DEFS}


def exported() -> str:
    """The text of kfed.schema.json (stable: same code, same bytes)."""
    return json.dumps(document(), indent=2) + "\n"
