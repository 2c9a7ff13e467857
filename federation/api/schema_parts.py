"""JSON Schema building blocks for kfed's document schemas: objects, arrays, references and the
scalar types (names, counts, durations, quantities) the documents share."""

from __future__ import annotations

from typing import Any

from federation.api.kinds import KINDS
from federation.api.limits import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    MAX_NODES,
    MAX_PODS,
    MAX_PORT,
)


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def obj(
    props: dict[str, Any], required: tuple[str, ...] = (), *, closed: bool = True, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    out.update(extra)
    return out


def array(items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": items, **extra}


DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"

STR: dict[str, Any] = {"type": "string"}
NAME: dict[str, Any] = {"type": "string", "minLength": 1}
OBJECT_NAME: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 253}
BOOL: dict[str, Any] = {"type": "boolean"}
INT: dict[str, Any] = {"type": "integer", "minimum": INT32_MIN, "maximum": INT32_MAX}
INT64: dict[str, Any] = {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": INT32_MAX}
POSITIVE: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}
NODES: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_NODES,
    "description": f"at most {MAX_NODES}, Kubernetes' nodes-per-cluster limit",
}
PODS: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_PODS}
PORT: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_PORT}
SECONDS: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": INT32_MAX}
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


def head(kind: str, meta: str) -> dict[str, Any]:
    """The apiVersion, kind and metadata of a document of `kind` (metadata by definition name)."""
    return {"apiVersion": {"const": KINDS[kind]}, "kind": {"const": kind}, "metadata": ref(meta)}
