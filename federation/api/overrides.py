"""OverridePolicy / ClusterOverridePolicy documents -> model records: Karmada's overriders
(image, command, args, labels, annotations, field, plaintext) and kfed's replicas, with the
checks the schema cannot express (JSON pointers, values their operator needs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from federation.api.codecs import CODECS
from federation.api.errors import Path, show
from federation.api.records import Ctx, affinity, resource_selectors
from federation.api.source import namespace_of
from federation.core.model import (
    ArgsOverride,
    FieldOverride,
    ImageOverride,
    MapOverride,
    OverridePolicy,
    OverrideRule,
    PatchOp,
)

_POINTER_ESCAPES = ("~0", "~1")


def _pointer_ok(path: str) -> bool:
    if not path.startswith("/"):
        return False
    rest = path
    for esc in _POINTER_ESCAPES:
        rest = rest.replace(esc, "")
    return "~" not in rest


def _map_ops(value: Any) -> tuple[MapOverride, ...]:
    """labelsOverrider / annotationsOverrider: Karmada's operation list, or a plain map (add)."""
    if isinstance(value, Mapping):
        return (MapOverride("add", dict(value)),) if value else ()
    return tuple(MapOverride(op["operator"], dict(op.get("value") or {})) for op in value or ())


def _args_ops(items: Any) -> tuple[ArgsOverride, ...]:
    return tuple(
        ArgsOverride(op["containerName"], op["operator"], tuple(op.get("value") or ()))
        for op in items or ()
    )


def _field_ops(ctx: Ctx, path: Path, items: Any) -> tuple[FieldOverride, ...]:
    out = []
    for i, fo in enumerate(items or ()):
        where = (*path, i)
        if not _pointer_ok(fo["fieldPath"]):
            ctx.error((*where, "fieldPath"), f"must be a JSON pointer, got {show(fo['fieldPath'])}")
        formats = [f for f in ("json", "yaml") if fo.get(f)]
        if len(formats) != 1:
            ctx.error(where, "needs exactly one of json, yaml (Karmada processes one per item)")
            continue
        fmt = formats[0]
        ops = []
        for j, op in enumerate(fo[fmt]):
            if not _pointer_ok(op["subPath"]):
                ctx.error(
                    (*where, fmt, j, "subPath"),
                    f"must be a JSON pointer, got {show(op['subPath'])}",
                )
            ops.append(PatchOp(op["operator"], op["subPath"], op.get("value")))
        load, dump = CODECS[fmt]
        out.append(FieldOverride(fo["fieldPath"], fmt, tuple(ops), load, dump))  # type: ignore[arg-type]
    return tuple(out)


def _rule(ctx: Ctx, path: Path, r: Mapping[str, Any]) -> OverrideRule:
    ov = r["overriders"]
    op_path = (*path, "overriders")
    images = []
    for i, img in enumerate(ov.get("imageOverrider", ())):
        if img["operator"] != "remove" and "value" not in img:
            ctx.error(
                (*op_path, "imageOverrider", i),
                f"missing required field 'value' (operator {img['operator']})",
            )
        where = (img.get("predicate") or {}).get("path", "")
        if where and not _pointer_ok(where):
            ctx.error(
                (*op_path, "imageOverrider", i, "predicate", "path"),
                f"must be a JSON pointer like '/spec/template/spec/containers/0/image', "
                f"got {show(where)}",
            )
        images.append(ImageOverride(img["component"], img["operator"], img.get("value", ""), where))
    patches = []
    for i, p in enumerate(ov.get("plaintext", ())):
        where = (*op_path, "plaintext", i)
        if not _pointer_ok(p["path"]):
            ctx.error(
                (*where, "path"),
                f"must be a JSON pointer like '/spec/replicas', got {show(p['path'])}",
            )
        if p["operator"] != "remove" and "value" not in p:
            ctx.error(where, f"missing required field 'value' (operator {p['operator']})")
        patches.append(PatchOp(p["operator"], p["path"], p.get("value")))
    return OverrideRule(
        target=affinity(ctx, (*path, "targetCluster"), r.get("targetCluster")),
        images=tuple(images),
        replicas=ov.get("replicas"),
        labels=_map_ops(ov.get("labelsOverrider")),
        annotations=_map_ops(ov.get("annotationsOverrider")),
        patches=tuple(patches),
        commands=_args_ops(ov.get("commandOverrider")),
        args=_args_ops(ov.get("argsOverrider")),
        fields=_field_ops(ctx, (*op_path, "fieldOverrider"), ov.get("fieldOverrider")),
    )


def override_policy(ctx: Ctx, d: Mapping[str, Any]) -> OverridePolicy:
    spec = d["spec"]
    ns = namespace_of(d)
    return OverridePolicy(
        name=d["metadata"]["name"],
        namespace=ns,
        selectors=resource_selectors(
            ctx, ("spec", "resourceSelectors"), spec["resourceSelectors"], ns
        ),
        rules=tuple(
            _rule(ctx, ("spec", "overrideRules", i), r) for i, r in enumerate(spec["overrideRules"])
        ),
    )
