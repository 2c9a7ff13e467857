"""CustomResourceDefinitions for kfed's kinds, generated from the JSON Schema `kfed schema`
exports (`federation.api.schema`): every spec is that schema made structural (references
inlined, one type per node), with status subresources and printer columns."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from federation.api.kinds import API_VERSION
from federation.api.schema import DEFS
from federation.controller.status_schema import BINDING_SPEC, BINDING_STATUS, CLUSTER_STATUS

GROUP, VERSION = API_VERSION.split("/")
CATEGORY = "kfed"

# A number or a string (a quantity): structural schemas allow one type per node and CEL cannot
# type an untyped node, so it takes Kubernetes' own form for quantities (what controller-gen
# writes for resource.Quantity): an integer or a string. A fractional number must be written as
# a string in a CRD ("1.5", "1500m"), as in any Kubernetes object.
_NUMBER_OR_STRING = {
    "anyOf": [{"type": "integer"}, {"type": "string"}],
    "x-kubernetes-int-or-string": True,
}
_KEEP = ("description", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems")


def structural(schema: Mapping[str, Any], defs: Mapping[str, Any] = DEFS) -> dict[str, Any]:
    """A kfed JSON Schema node as a structural OpenAPI v3 schema (what a CRD needs)."""
    if "$ref" in schema:
        return structural(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    out: dict[str, Any] = {k: schema[k] for k in _KEEP if k in schema}
    if "const" in schema:
        out["enum"] = [schema["const"]]
    if "enum" in schema:
        out["enum"] = list(schema["enum"])
        values = schema["enum"]
        if all(isinstance(v, str) for v in values):
            out["type"] = "string"
    t = schema.get("type")
    if isinstance(t, list):
        kinds = set(t)
        if kinds in ({"integer", "string"}, {"number", "string"}):
            return {**out, **copy.deepcopy(_NUMBER_OR_STRING)}
        if kinds == {"array", "object"}:  # list or map form (overriders): checked by kfed's loader
            return {**out, "x-kubernetes-preserve-unknown-fields": True}
        raise ValueError(f"no structural form for types {t}")
    if t is not None:
        out["type"] = t
    elif "const" in schema and isinstance(schema["const"], str):
        out["type"] = "string"
    if t == "object":
        props = schema.get("properties")
        if props:
            out["properties"] = {k: structural(v, defs) for k, v in props.items()}
            if schema.get("required"):
                out["required"] = list(schema["required"])
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            out["additionalProperties"] = structural(extra, defs)
        elif not props:
            out["x-kubernetes-preserve-unknown-fields"] = True
    elif t == "array":
        out["items"] = structural(schema["items"], defs)
    elif "type" not in out:
        out["x-kubernetes-preserve-unknown-fields"] = True  # any value ({})
    return out


def _cond(type_: str) -> str:
    return f'.status.conditions[?(@.type=="{type_}")].status'


_AGE = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}

# kind -> (plural, short names, namespaced, printer columns)
_KINDS: dict[str, tuple[str, list[str], bool, list[dict[str, Any]]]] = {
    "Cluster": (
        "clusters",
        ["kfc"],
        False,
        [
            {"name": "Ready", "type": "string", "jsonPath": _cond("Ready")},
            {"name": "Health", "type": "string", "jsonPath": ".status.health"},
            {"name": "Region", "type": "string", "jsonPath": ".spec.region"},
            {"name": "Replicas", "type": "integer", "jsonPath": ".status.replicas"},
            {"name": "Ready-Replicas", "type": "integer", "jsonPath": ".status.readyReplicas"},
            {"name": "Nodes", "type": "integer", "jsonPath": ".status.nodeSummary.readyNum"},
            {
                "name": "Endpoint",
                "type": "string",
                "jsonPath": ".spec.apiEndpoint",
                "priority": 1,
            },
            _AGE,
        ],
    ),
    "PropagationPolicy": ("propagationpolicies", ["pp"], True, []),
    "ClusterPropagationPolicy": ("clusterpropagationpolicies", ["cpp"], False, []),
    "OverridePolicy": ("overridepolicies", ["op"], True, [_AGE]),
    "ClusterOverridePolicy": ("clusteroverridepolicies", ["cop"], False, [_AGE]),
    "ResourceBinding": ("resourcebindings", ["rb"], True, []),
    "ClusterResourceBinding": ("clusterresourcebindings", ["crb"], False, []),
}
_POLICY_COLUMNS = [
    {
        "name": "Scheduling",
        "type": "string",
        "jsonPath": ".spec.placement.replicaScheduling.replicaSchedulingType",
    },
    {"name": "Priority", "type": "integer", "jsonPath": ".spec.priority"},
    _AGE,
]
_BINDING_COLUMNS = [
    {"name": "Kind", "type": "string", "jsonPath": ".spec.resource.kind"},
    {"name": "Name", "type": "string", "jsonPath": ".spec.resource.name"},
    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
    {"name": "Ready", "type": "integer", "jsonPath": ".status.readyReplicas"},
    {"name": "Placement", "type": "string", "jsonPath": ".status.placement"},
    {"name": "Scheduled", "type": "string", "jsonPath": _cond("Scheduled")},
    {"name": "Fully-Applied", "type": "string", "jsonPath": _cond("FullyApplied")},
    _AGE,
]
for _k in ("PropagationPolicy", "ClusterPropagationPolicy"):
    _KINDS[_k][3].extend(_POLICY_COLUMNS)
for _k in ("ResourceBinding", "ClusterResourceBinding"):
    _KINDS[_k][3].extend(_BINDING_COLUMNS)

KINDS = tuple(_KINDS)


def plural(kind: str) -> str:
    return _KINDS[kind][0]


def namespaced(kind: str) -> bool:
    return _KINDS[kind][2]


def _spec(kind: str) -> dict[str, Any]:
    if kind in ("ResourceBinding", "ClusterResourceBinding"):
        return structural(BINDING_SPEC)
    return structural(DEFS[kind]["properties"]["spec"])


def _status(kind: str) -> dict[str, Any]:
    if kind == "Cluster":
        return structural(CLUSTER_STATUS)
    if kind in ("ResourceBinding", "ClusterResourceBinding"):
        return structural(BINDING_STATUS)
    return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def crd(kind: str) -> dict[str, Any]:
    """The CustomResourceDefinition of one kfed kind."""
    name, shorts, is_namespaced, columns = _KINDS[kind]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": _spec(kind),
            "status": _status(kind),
        },
    }
    if kind == "Cluster":  # member names are DNS labels (they name contexts and labels)
        schema["x-kubernetes-validations"] = [
            {
                "rule": "self.metadata.name.matches('^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$')",
                "message": "a Cluster's name must be a DNS label of at most 40 characters",
            }
        ]
    if kind not in ("Cluster", "ResourceBinding", "ClusterResourceBinding"):
        schema["required"] = ["spec"]
    version: dict[str, Any] = {
        "name": VERSION,
        "served": True,
        "storage": True,
        "schema": {"openAPIV3Schema": schema},
        "subresources": {"status": {}},
    }
    if columns:
        version["additionalPrinterColumns"] = columns
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{name}.{GROUP}", "labels": {"app.kubernetes.io/part-of": "kfed"}},
        "spec": {
            "group": GROUP,
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": name,
                "singular": kind.lower(),
                "shortNames": shorts,
                "categories": [CATEGORY],
            },
            "scope": "Namespaced" if is_namespaced else "Cluster",
            "versions": [version],
        },
    }


def crds() -> list[dict[str, Any]]:
    return [copy.deepcopy(crd(k)) for k in KINDS]
