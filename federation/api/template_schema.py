"""JSON Schema of the native templates kfed knows (Namespace, ConfigMap, Secret, Service,
Deployment, Job): only the fields kfed reads are checked, the rest passes."""

from __future__ import annotations

from typing import Any

from federation.api.schema_parts import (
    BOOL,
    COUNT,
    PORT,
    QUANTITY,
    STR,
    STRMAP,
    array,
    head,
    obj,
)

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


_INT_OR_PERCENT: dict[str, Any] = {
    "type": ["integer", "string"],
    "minimum": 0,
    "pattern": "^[0-9]+%$",
}
_STRATEGY = obj(
    {
        "type": {"enum": ["RollingUpdate", "Recreate"]},
        "rollingUpdate": obj(
            {"maxSurge": _INT_OR_PERCENT, "maxUnavailable": _INT_OR_PERCENT}, closed=False
        ),
    },
    closed=False,
)


def _native(kind: str, props: dict[str, Any]) -> dict[str, Any]:
    return obj({**head(kind, "NativeMeta"), **props}, ("apiVersion", "kind", "metadata"))


_OBJECT: dict[str, Any] = {"type": "object"}
NATIVE_KINDS = {
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
            "spec": obj(
                {
                    "replicas": COUNT,
                    "template": _POD_TEMPLATE,
                    "minReadySeconds": COUNT,
                    "strategy": _STRATEGY,
                },
                closed=False,
            ),
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
