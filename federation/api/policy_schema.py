"""JSON Schema of propagation policies (placement, failover, suspension) and the selectors,
cluster affinities and taints the documents share."""

from __future__ import annotations

from typing import Any

from federation.api.schema_parts import (
    BOOL,
    COUNT,
    EFFECT,
    INT,
    NAME,
    POSITIVE,
    SECONDS,
    STR,
    STRMAP,
    array,
    obj,
    ref,
)

SELECTORS: dict[str, Any] = {
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
AFFINITY: dict[str, Any] = {
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
PROPAGATION = obj(
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
