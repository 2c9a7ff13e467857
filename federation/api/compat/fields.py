"""The fields of another project's document kinds, one row each: where it sits, how kfed treats
it (mapped exactly, approximated, not simulated) and why, and its JSON Schema. The rows are the
single source of the kinds' structure (`schema`), of the per-field report (`present`) and of
the table in docs/compat.md (`table`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from federation.api.errors import Path

Status = Literal["exact", "approximated", "not simulated"]
STATUSES: tuple[Status, ...] = ("exact", "approximated", "not simulated")
ANY: dict[str, Any] = {}


@dataclass(frozen=True)
class Field:
    """One field: `path` with `[]` for list items (`spec.overrideRules[].overriders.plaintext`),
    its status and a note (what it maps to, how it is approximated, or why it is not
    simulated), and its schema. A row is a leaf: whatever is below it is the schema's."""

    path: str
    status: Status
    note: str
    schema: Mapping[str, Any]
    required: bool = False


@dataclass(frozen=True)
class Kind:
    """A document kind of another project."""

    api_version: str
    kind: str
    project: str  # "Karmada", "KubeFed"
    namespaced: bool
    fields: tuple[Field, ...]
    note: str = ""  # what the whole kind becomes in kfed
    # every field of the kind is `not simulated`: kfed accepts and reports the document
    ignored: bool = False


def parts(path: str) -> list[str]:
    """ "a.b[].c" -> ["a", "b", "[]", "c"]."""
    out: list[str] = []
    for piece in path.split("."):
        while piece.endswith("[]"):
            piece = piece[:-2]
            out.append(piece)
            out.append("[]")
            piece = ""
        if piece:
            out.append(piece)
    return out


def _node() -> dict[str, Any]:
    return {"props": {}, "required": [], "items": None, "leaf": None}


def schema(fields: Sequence[Field], open_under: Sequence[str] = ("status",)) -> dict[str, Any]:
    """The JSON Schema of a document with these fields: nested objects down to each row's own
    schema, closed (an unknown field is an error) except under `open_under` (a status, whose
    contents vary by version)."""
    root = _node()
    root["path"] = ""
    for f in fields:
        node = root
        ps = parts(f.path)
        for i, p in enumerate(ps):
            last = i == len(ps) - 1
            if p == "[]":
                node["items"] = node["items"] or {**_node(), "path": node["path"]}
                node = node["items"]
                continue
            if last:
                node["props"][p] = {"leaf": f.schema}
            else:
                here = f"{node['path']}.{p}" if node["path"] else p
                node = node["props"].setdefault(p, {**_node(), "path": here})
            if f.required and last:
                node["required"].append(p)
    return _emit(root, tuple(open_under))


def _emit(node: dict[str, Any], open_under: tuple[str, ...]) -> dict[str, Any]:
    if "leaf" in node and node.get("props") is None:
        return dict(node["leaf"])
    if node.get("items") is not None and not node["props"]:
        return {"type": "array", "items": _emit(node["items"], open_under)}
    out: dict[str, Any] = {
        "type": "object",
        "properties": {k: _emit(v, open_under) for k, v in node["props"].items()},
    }
    if node["required"]:
        out["required"] = sorted(set(node["required"]))
    path = node["path"]
    if not any(path == o or path.startswith(o + ".") for o in open_under):
        out["additionalProperties"] = False
    return out


def _normal(path: Path) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += "[]"
        else:
            out += f".{p}" if out else p
    return out


def present(fields: Sequence[Field], data: Any) -> Iterator[tuple[Path, Field]]:
    """Every row present in `data`, with the concrete path it sits at (list indices filled in),
    in document order."""
    by_path = {f.path: f for f in fields}
    prefixes = {".".join(parts(f.path)[: i + 1]) for f in fields for i in range(len(parts(f.path)))}

    def walk(node: Any, path: Path) -> Iterator[tuple[Path, Field]]:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if not isinstance(key, str):
                    continue
                here = (*path, key)
                norm = _normal(here)
                if norm in by_path:
                    yield here, by_path[norm]
                elif ".".join(parts(norm)) in prefixes:
                    yield from walk(value, here)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, (*path, i))

    yield from walk(data, ())
