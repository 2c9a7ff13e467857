"""JSON Schema of kfed's OverridePolicy (Karmada's overriders, kfed's replicas) and
ClusterTaintPolicy (Karmada's shape), the parts of `federation.api.schema` that grew with
Karmada's fields."""

from __future__ import annotations

from federation.api.schema_parts import (
    COUNT,
    NAME,
    PATCH_OP,
    STR,
    STRMAP,
    array,
    obj,
    ref,
)

_MAP_OPS = {
    # a list of operations (Karmada), or a plain map, which means add; keywords apply by type
    "type": ["array", "object"],
    "items": obj(
        {"operator": {"enum": ["add", "remove", "replace"]}, "value": STRMAP}, ("operator",)
    ),
    "additionalProperties": {"type": "string"},
    "description": "[{operator: add|remove|replace, value: {k: v}}] (Karmada); a plain map "
    "means add",
}
_ARGS_OPS = array(
    obj(
        {"containerName": NAME, "operator": {"enum": ["add", "remove"]}, "value": array(STR)},
        ("containerName", "operator"),
    )
)
_JSON_OPS = array(obj({"subPath": STR, "operator": PATCH_OP, "value": {}}, ("subPath", "operator")))
OVERRIDE = obj(
    {
        "resourceSelectors": array(ref("ResourceSelector"), minItems=1),
        "overrideRules": array(
            obj(
                {
                    "targetCluster": ref("ClusterAffinity"),
                    "overriders": obj(
                        {
                            "imageOverrider": array(
                                obj(
                                    {
                                        "component": {"enum": ["Registry", "Repository", "Tag"]},
                                        "operator": PATCH_OP,
                                        "value": STR,
                                        "predicate": obj({"path": STR}, ("path",)),
                                    },
                                    ("component", "operator"),
                                )
                            ),
                            "replicas": COUNT,
                            "commandOverrider": _ARGS_OPS,
                            "argsOverrider": _ARGS_OPS,
                            "labelsOverrider": _MAP_OPS,
                            "annotationsOverrider": _MAP_OPS,
                            "fieldOverrider": array(
                                obj(
                                    {"fieldPath": STR, "json": _JSON_OPS, "yaml": _JSON_OPS},
                                    ("fieldPath",),
                                )
                            ),
                            "plaintext": array(
                                obj(
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


_TAINT_CONDITIONS = array(
    obj(
        {
            "conditionType": NAME,
            "operator": {"enum": ["In", "NotIn"]},
            "statusValues": array(STR, minItems=1),
        },
        ("conditionType", "operator", "statusValues"),
    )
)
TAINT_POLICY = obj(
    {
        "targetClusters": ref("ClusterAffinity"),
        "addOnConditions": _TAINT_CONDITIONS,
        "removeOnConditions": _TAINT_CONDITIONS,
        "taints": array(
            obj(
                {"key": NAME, "value": STR, "effect": {"enum": ["NoSchedule", "NoExecute"]}},
                ("key", "effect"),
            ),
            minItems=1,
        ),
    },
    ("taints",),
)
