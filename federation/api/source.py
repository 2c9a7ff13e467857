"""YAML source: a file's documents as plain data, each with the line of every mapping key and
list item, so errors can point at the line a user has to fix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from federation.api.errors import Path, Problem, format_path, show
from federation.api.schema import NAMESPACED

DEFAULT_NAMESPACE = "default"


@dataclass
class SourceDoc:
    """One YAML document of one file."""

    file: str  # as the user typed it (or as derived from a scenario's resources)
    index: int  # position in the stream, 0-based
    data: Any
    line: int  # 1-based line of the document start
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.line


def namespace_of(data: Mapping[str, Any]) -> str:
    """The namespace a document lives in: "" for cluster-scoped kinds."""
    kind = data.get("kind")
    if kind not in NAMESPACED:
        return ""
    meta = data.get("metadata")
    ns = meta.get("namespace") if isinstance(meta, Mapping) else None
    return ns if isinstance(ns, str) and ns else DEFAULT_NAMESPACE


def describe(data: Any) -> str:
    """ "PropagationPolicy default/web", "Cluster east", or as much as is known."""
    if not isinstance(data, Mapping):
        return ""
    kind = data.get("kind") if isinstance(data.get("kind"), str) else ""
    if not kind:
        return ""
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    if not isinstance(name, str) or not name:
        return str(kind)
    ns = namespace_of(data)
    return f"{kind} {ns}/{name}" if ns else f"{kind} {name}".strip()


def _walk(
    node: yaml.Node, path: Path, lines: dict[Path, int], dupes: list[Problem], file: str
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                continue
            key = knode.value
            line = knode.start_mark.line + 1
            if key == "<<":  # merge key: its keys are the merged mapping's own
                continue
            if key in seen:
                dupes.append(
                    Problem(
                        file,
                        line,
                        format_path((*path, key)),
                        f"duplicate key {key!r} (first at line {seen[key]})",
                    )
                )
            seen[key] = line
            lines[(*path, key)] = line
            _walk(vnode, (*path, key), lines, dupes, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines, dupes, file)


def _odd_keys(data: Any, path: Path, lines: dict[Path, int], file: str) -> list[Problem]:
    """Mapping keys that YAML read as something other than a string (`1:`, `true:`, `null:`)."""
    out: list[Problem] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            if not isinstance(key, str):
                line = lines.get(path, 0)
                out.append(
                    Problem(
                        file,
                        line,
                        format_path(path),
                        f"keys must be strings, got {show(key)} (quote it: '{show(key)}')",
                    )
                )
            else:
                out.extend(_odd_keys(value, (*path, key), lines, file))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            out.extend(_odd_keys(item, (*path, i), lines, file))
    return out


def parse(text: str, file: str) -> tuple[list[SourceDoc], list[Problem]]:
    """The documents in `text` (empty documents skipped) and any problems.

    A syntax error yields a single `file:line: problem` and no documents: after a syntax error
    nothing in the file can be trusted.
    """
    docs: list[SourceDoc] = []
    problems: list[Problem] = []
    loader = yaml.SafeLoader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node said there is one
                break
            lines: dict[Path, int] = {}
            dupes: list[Problem] = []
            _walk(node, (), lines, dupes, file)
            data = loader.construct_document(node)
            dupes.extend(_odd_keys(data, (), lines, file))
            problems.extend(replace(p, where=describe(data)) for p in dupes)
            if data is not None:
                docs.append(SourceDoc(file, index, data, node.start_mark.line + 1, lines))
            index += 1
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = e.problem or e.context or "invalid YAML"
        return [], [Problem(file, line, "", message, syntax=True)]
    except yaml.YAMLError as e:  # pragma: no cover - reader errors (bad bytes) are marked too
        return [], [Problem(file, 0, "", str(e).splitlines()[0], syntax=True)]
    finally:
        loader.dispose()
    return docs, problems
