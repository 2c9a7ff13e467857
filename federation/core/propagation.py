"""Propagation: render the object one member cluster should hold (template + replicas + overrides
+ ownership marks) and fingerprint it, so "is the member up to date?" is one string compare."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from federation.core.model import (
    ArgsOverride,
    Cluster,
    FieldOverride,
    ImageOverride,
    MapOverride,
    OverridePolicy,
    OverrideRule,
    PatchOp,
    Workload,
)

MANAGED_BY = "kfed.io/managed-by"
WORKLOAD_ANNOTATION = "kfed.io/workload"
HASH_ANNOTATION = "kfed.io/hash"
WORKLOAD_ID_LABEL = "kfed.io/workload-id"  # on pod templates, so members can count our pods
MANAGER = "kfed"


class OverrideError(ValueError):
    """An override that cannot apply to the template (say, a JSON patch on a missing path)."""


def fingerprint(manifest: Mapping[str, Any]) -> str:
    blob = json.dumps(manifest, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _split_pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise OverrideError(f"JSON pointer must start with '/', got {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def apply_patch(doc: Any, op: PatchOp) -> None:
    """Apply one RFC 6902 add/remove/replace in place."""
    parts = _split_pointer(op.path)
    parent = doc
    for part in parts[:-1]:
        if isinstance(parent, list):
            parent = parent[int(part)]
        elif isinstance(parent, dict):
            if part not in parent:
                if op.op != "add":
                    raise OverrideError(f"path {op.path} does not exist")
                parent[part] = {}
            parent = parent[part]
        else:
            raise OverrideError(f"path {op.path} crosses a scalar")
    last = parts[-1]
    if isinstance(parent, list):
        idx = len(parent) if last == "-" else int(last)
        if op.op == "add":
            parent.insert(idx, copy.deepcopy(op.value))
        elif idx >= len(parent):
            raise OverrideError(f"path {op.path} does not exist")
        elif op.op == "remove":
            del parent[idx]
        else:
            parent[idx] = copy.deepcopy(op.value)
        return
    if not isinstance(parent, dict):
        raise OverrideError(f"path {op.path} crosses a scalar")
    if op.op == "remove":
        if last not in parent:
            raise OverrideError(f"path {op.path} does not exist")
        del parent[last]
    elif op.op == "replace" and last not in parent:
        raise OverrideError(f"path {op.path} does not exist")
    else:
        parent[last] = copy.deepcopy(op.value)


def override_image(image: str, ov: ImageOverride) -> str:
    """Rewrite one part of `registry/repository:tag` (Karmada's imageOverrider components)."""
    rest, tag = image, ""
    if ":" in image.rsplit("/", 1)[-1]:
        rest, tag = image.rsplit(":", 1)
    registry, repo = "", rest
    first = rest.split("/", 1)[0]
    if "/" in rest and ("." in first or ":" in first or first == "localhost"):
        registry, repo = rest.split("/", 1)
    parts = {"Registry": registry, "Repository": repo, "Tag": tag}
    cur = parts[ov.component]
    parts[ov.component] = (
        "" if ov.operator == "remove" else (cur + ov.value if ov.operator == "add" else ov.value)
    )
    out = parts["Repository"]
    if parts["Registry"]:
        out = f"{parts['Registry']}/{out}"
    if parts["Tag"]:
        out = f"{out}:{parts['Tag']}"
    return out


def workload_id(key: str) -> str:
    """A label-safe id for a workload key (keys contain '/', labels may not)."""
    return "w" + hashlib.sha256(key.encode()).hexdigest()[:15]


def _containers(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    spec = manifest.get("spec", {}).get("template", {}).get("spec", {})
    found: list[dict[str, Any]] = []
    for field in ("initContainers", "containers"):
        found.extend(c for c in spec.get(field, []) if isinstance(c, dict))
    return found


def set_replicas(manifest: dict[str, Any], kind: str, replicas: int, path: str = "") -> None:
    """Write `replicas` into a manifest: Job completions (parallelism capped), another kind's
    declared `path` (a JSON pointer), else spec.replicas."""
    if kind == "Job" and not path:
        spec = manifest.setdefault("spec", {})
        spec["completions"] = replicas
        spec["parallelism"] = min(int(spec.get("parallelism", replicas) or replicas), replicas)
    elif path:
        apply_patch(manifest, PatchOp("add", path, replicas))
    else:
        manifest.setdefault("spec", {})["replicas"] = replicas


def _at(doc: Any, path: str) -> Any:
    """The value at a JSON pointer, or None."""
    for part in _split_pointer(path):
        if isinstance(doc, Mapping):
            doc = doc.get(part)
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc


def replicas_of(manifest: Mapping[str, Any], kind: str, path: str = "") -> int | None:
    """The replica count a rendered manifest asks its member for (Deployment spec.replicas, Job
    spec.completions, another kind's declared `path`), after every override; None for kinds
    without replicas."""
    if path:
        value = _at(manifest, path)
    elif kind in ("Deployment", "Job"):
        spec = manifest.get("spec")
        if not isinstance(spec, Mapping):
            return None
        value = spec.get("completions" if kind == "Job" else "replicas")
    else:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return max(0, value)


def _map_override(meta: dict[str, Any], key: str, ops: tuple[MapOverride, ...]) -> None:
    """labelsOverrider / annotationsOverrider, as Karmada applies them."""
    for op in ops:
        current = meta.get(key)
        if op.operator == "add":
            meta[key] = {**(current or {}), **op.values}
        elif op.operator == "replace" and current:
            current.update({k: v for k, v in op.values.items() if k in current})
        elif op.operator == "remove" and current:
            for k in op.values:
                current.pop(k, None)


def _args_override(m: dict[str, Any], field: str, ops: tuple[ArgsOverride, ...]) -> None:
    """commandOverrider / argsOverrider: per named container, append or delete items."""
    for op in ops:
        for c in _containers(m):
            if c.get("name") != op.container:
                continue
            items = list(c.get(field) or [])
            if op.operator == "add":
                items.extend(op.values)
            else:
                items = [x for x in items if x not in op.values]
            c[field] = items


def _patch_embedded(m: dict[str, Any], fo: FieldOverride) -> None:
    """fieldOverrider: decode the JSON or YAML document held in the string at `field_path`,
    apply the operations at their sub-paths, and write it back encoded the same way."""
    text = _at(m, fo.field_path)
    if not isinstance(text, str):
        raise OverrideError(f"fieldPath {fo.field_path} does not hold a string")
    try:
        doc = fo.load(text)
    except ValueError as e:
        raise OverrideError(f"fieldPath {fo.field_path} does not hold {fo.format}: {e}") from None
    box = {"doc": doc}
    for op in fo.patches:
        apply_patch(box, PatchOp(op.op, "/doc" + op.path, op.value))
    apply_patch(m, PatchOp("replace", fo.field_path, fo.dump(box["doc"])))


def _images(m: dict[str, Any], ov: ImageOverride) -> None:
    if ov.path:
        image = _at(m, ov.path)
        if isinstance(image, str):
            apply_patch(m, PatchOp("replace", ov.path, override_image(image, ov)))
        return
    for c in _containers(m):
        if "image" in c:
            c["image"] = override_image(c["image"], ov)


def apply_rule(m: dict[str, Any], w: Workload, rule: OverrideRule) -> None:
    """One override rule's overriders, in Karmada's order (image, command, args, labels,
    annotations, field, plaintext), with kfed's replicas right after the images."""
    for img in rule.images:
        _images(m, img)
    if rule.replicas is not None and w.divisible:
        set_replicas(m, w.kind, rule.replicas, w.replica_path)
    _args_override(m, "command", rule.commands)
    _args_override(m, "args", rule.args)
    meta = m.setdefault("metadata", {})
    _map_override(meta, "labels", rule.labels)
    _map_override(meta, "annotations", rule.annotations)
    for fo in rule.fields:
        _patch_embedded(m, fo)
    for op in rule.patches:
        apply_patch(m, op)


def render(
    w: Workload,
    cluster: Cluster,
    replicas: int | None,
    overrides: Sequence[OverridePolicy],
) -> tuple[dict[str, Any], str]:
    """The manifest `cluster` should hold for `w` and its fingerprint. The replica count it
    carries (`replicas_of`) is what the member runs: an override may change it."""
    m: dict[str, Any] = copy.deepcopy(dict(w.manifest))
    if replicas is not None:
        set_replicas(m, w.kind, replicas, w.replica_path)
    for policy in overrides:
        for rule in policy.rules:
            if rule.target.matches(cluster):
                apply_rule(m, w, rule)
    meta = m.setdefault("metadata", {})
    meta.setdefault("labels", {})[MANAGED_BY] = MANAGER
    template = m.get("spec", {}).get("template")
    if isinstance(template, dict) and w.kind in ("Deployment", "Job"):
        template.setdefault("metadata", {}).setdefault("labels", {})[WORKLOAD_ID_LABEL] = (
            workload_id(w.key)
        )
    meta.setdefault("annotations", {})[WORKLOAD_ANNOTATION] = w.key
    digest = fingerprint(m)
    meta["annotations"][HASH_ANNOTATION] = digest
    return m, digest
