"""The JSON Schemas of every kfed document kind, as Python data: the single source of structure.

The loader validates each document against its kind's schema (`kind_schema`), and `document()`
is what `kfed schema` exports to `federation/api/kfed.schema.json` for editors and CI. Checks a
schema cannot express (maxReplicas >= minReplicas, references between documents, quantities,
durations, JSON pointers) live in the loader.
"""

from __future__ import annotations

import json
from typing import Any

from federation.api.autoscaling_schema import CRON_FEDERATED_HPA, FEDERATED_HPA
from federation.api.kinds import KINDS
from federation.api.override_schema import OVERRIDE as _OVERRIDE
from federation.api.override_schema import TAINT_POLICY as _TAINT_POLICY
from federation.api.policy_schema import AFFINITY, PROPAGATION, SELECTORS
from federation.api.scenario_schema import DISTRIBUTION, LINK, SCENARIO
from federation.api.schema_parts import (
    DNS_LABEL,
    NAME,
    NODES,
    OBJECT_NAME,
    PODS,
    QUANTITY,
    STR,
    STRMAP,
    array,
    head,
    obj,
    ref,
)
from federation.api.template_schema import NATIVE_KINDS
from federation.api.traffic_schema import MULTICLUSTER_SERVICE

SCHEMA_ID = "https://kfed.io/schemas/v1alpha1/kfed.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# pattern -> how error messages describe it
PATTERNS = {DNS_LABEL: "a DNS label (lowercase letters, digits and '-', at most 63)"}
NAMESPACE: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 63}


def _kfed_kind(kind: str, meta: str, spec: dict[str, Any], *, spec_required: bool) -> Any:
    required = ("apiVersion", "kind", "metadata") + (("spec",) if spec_required else ())
    return obj({**head(kind, meta), "spec": spec}, required)


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

DEFS: dict[str, Any] = {
    **_META,
    **SELECTORS,
    **AFFINITY,
    "Distribution": DISTRIBUTION,
    "Link": LINK,
    "Cluster": _kfed_kind("Cluster", "ClusterMeta", _CLUSTER, spec_required=False),
    "PropagationPolicy": _kfed_kind(
        "PropagationPolicy", "NamespacedMeta", PROPAGATION, spec_required=True
    ),
    "ClusterPropagationPolicy": _kfed_kind(
        "ClusterPropagationPolicy", "ClusterScopedMeta", PROPAGATION, spec_required=True
    ),
    "OverridePolicy": _kfed_kind("OverridePolicy", "NamespacedMeta", _OVERRIDE, spec_required=True),
    "ClusterOverridePolicy": _kfed_kind(
        "ClusterOverridePolicy", "ClusterScopedMeta", _OVERRIDE, spec_required=True
    ),
    "MultiClusterService": _kfed_kind(
        "MultiClusterService", "NamespacedMeta", MULTICLUSTER_SERVICE, spec_required=False
    ),
    "FederatedHPA": _kfed_kind("FederatedHPA", "NamespacedMeta", FEDERATED_HPA, spec_required=True),
    "CronFederatedHPA": _kfed_kind(
        "CronFederatedHPA", "NamespacedMeta", CRON_FEDERATED_HPA, spec_required=True
    ),
    "Scenario": _kfed_kind("Scenario", "ClusterScopedMeta", SCENARIO, spec_required=False),
    "ClusterTaintPolicy": _kfed_kind(
        "ClusterTaintPolicy", "ClusterScopedMeta", _TAINT_POLICY, spec_required=True
    ),
    **NATIVE_KINDS,
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
