"""YAML source: a file's documents as plain data, each with the line of every mapping key and
list item, so errors can point at the line a user has to fix; documents too deep or too big
(alias bombs included) are refused before anything is built from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from federation.api.errors import Path, Problem, format_path, show
from federation.api.files import check_text
from federation.api.kinds import API_VERSION, KINDS, is_namespaced
from federation.api.shape import Refused, Shape

DEFAULT_NAMESPACE = "default"


@dataclass
class SourceDoc:
    """One YAML document of one file."""

    file: str  # as the user typed it (or as derived from a scenario's resources)
    index: int  # position in the stream, 0-based
    data: Any
    line: int  # 1-based line of the document start
    lines: dict[Path, int] = field(default_factory=dict)
    # a document kfed derived from another project's (federation.api.compat): where each part
    # of `data` came from (longest prefix first: (path here, path in the original)), how the
    # original is described in messages, and whose document it was ("karmada", "kubefed")
    origin: tuple[tuple[Path, Path], ...] = ()
    where: str = ""
    source: str = ""

    def original(self, path: Sequence[str | int]) -> Path:
        """`path` of `data` as a path of the document the user wrote."""
        p = tuple(path)
        for mine, theirs in self.origin:
            if p[: len(mine)] == mine:
                return (*theirs, *p[len(mine) :])
        return p

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        p = self.original(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.line


def namespace_of(data: Mapping[str, Any]) -> str:
    """The namespace a document lives in: "" for cluster-scoped kinds."""
    kind = data.get("kind")
    if not isinstance(kind, str) or not is_namespaced(kind):
        return ""
    if kind not in KINDS and data.get("apiVersion") == API_VERSION:
        return ""  # an unknown kind of kfed's own group (a typo) is no template
    meta = data.get("metadata")
    ns = meta.get("namespace") if isinstance(meta, Mapping) else None
    return ns if isinstance(ns, str) and ns else DEFAULT_NAMESPACE


def _label(name: str) -> str:
    """A name as messages print it bare: short and printable, else quoted and shortened."""
    return name if len(name) <= 63 and name.isprintable() else show(name)


def describe(data: Any) -> str:
    """ "PropagationPolicy default/web", "Cluster east", or as much as is known."""
    if not isinstance(data, Mapping):
        return ""
    kind = data.get("kind") if isinstance(data.get("kind"), str) else ""
    if not kind:
        return ""
    kind = _label(kind)
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    if not isinstance(name, str) or not name:
        return str(kind)
    ns = namespace_of(data)
    return f"{kind} {_label(ns)}/{_label(name)}" if ns else f"{kind} {_label(name)}".strip()


class _TabTolerantLoader(yaml.SafeLoader):
    """The pure-Python loader (used only where PyYAML lacks libyaml), taught to accept what
    libyaml accepts: a tab separates tokens anywhere but in a block line's indentation."""

    def scan_to_next_token(self) -> None:
        super().scan_to_next_token()
        while self.peek() == "\t" and (self.flow_level or self._past_indentation()):
            while self.peek() in ("\t", " "):
                self.forward()
            super().scan_to_next_token()

    def _past_indentation(self) -> bool:
        start = self.pointer - self.column
        return bool(self.buffer[start : self.pointer].strip(" "))


_BASE: type = getattr(yaml, "CSafeLoader", None) or _TabTolerantLoader


def _loader_class(base: type) -> type:
    class Loader(base):  # type: ignore[misc]
        """Safe loading; a scalar Python cannot hold (`2020-13-45`, an int of 5000 digits)
        becomes a marked YAML error instead of a bare ValueError."""

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError, TypeError) as e:
                text = str(e).split(":")[0].strip() or type(e).__name__
                raise yaml.constructor.ConstructorError(
                    None, None, f"cannot read this value: {text}", node.start_mark
                ) from None

    return Loader


_LOADERS: dict[type, type] = {}


def loader_for(base: type | None = None) -> type:
    """The loader class kfed uses (libyaml's when PyYAML has it)."""
    b = _BASE if base is None else base
    if b not in _LOADERS:
        _LOADERS[b] = _loader_class(b)
    return _LOADERS[b]


def _odd_keys(data: Any, lines: dict[Path, int], file: str) -> list[Problem]:
    """Mapping keys that YAML read as something other than a string (`1:`, `true:`, `null:`);
    a mapping reached twice through aliases is looked at once."""
    out: list[Problem] = []
    seen: set[int] = set()
    todo: list[tuple[Any, Path]] = [(data, ())]
    while todo:
        node, path = todo.pop()
        if not isinstance(node, dict | list) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            todo.extend(((item, (*path, i)) for i, item in enumerate(node)))
            continue
        for key, value in node.items():
            if isinstance(key, str):
                todo.append((value, (*path, key)))
                continue
            out.append(
                Problem(
                    file,
                    lines.get(path, 0),
                    format_path(path),
                    f"keys must be strings, got {show(key)} (quote it: '{show(key)}')",
                )
            )
    return sorted(out)


def _char_at(text: str, line: int, column: int) -> str:
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column : start + column + 1]


def _syntax(file: str, e: yaml.YAMLError, text: str) -> Problem:
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = e.problem or e.context or "invalid YAML"
        if message == "found character that cannot start any token" and mark is not None:
            # libyaml leaves the character out; the pure-Python parser names it
            char = _char_at(text, mark.line, mark.column)
            message = f"found character {char!r} that cannot start any token"
        return Problem(file, line, "", message, syntax=True)
    # reader errors: check_text refuses what they complain about first
    return Problem(file, 0, "", str(e).splitlines()[0], syntax=True)  # pragma: no cover


def parse(text: str, file: str, base: type | None = None) -> tuple[list[SourceDoc], list[Problem]]:
    """The documents in `text` (empty documents skipped) and any problems.

    A syntax error, a character YAML forbids, or a document beyond kfed's limits (size, depth,
    nodes) yields a single `file:line: problem` and no documents: nothing in the file can be
    trusted then. `base` picks the YAML loader (default: libyaml's when PyYAML has it).
    """
    refused = check_text(text, file)
    if refused is not None:
        return [], [refused]
    loader_class = loader_for(base)
    shape = Shape(file)
    loader = loader_class(text)
    try:
        shape.run(loader)
    except Refused as e:
        return [], [Problem(file, e.line, "", e.message, syntax=True)]
    except yaml.YAMLError as e:
        return [], [_syntax(file, e, text)]
    finally:
        loader.dispose()
    docs: list[SourceDoc] = []
    problems: list[Problem] = []
    loader = loader_class(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            lines, dupes = shape.docs[index]
            data = loader.construct_document(node)
            dupes = dupes + _odd_keys(data, lines, file)
            problems.extend(replace(p, where=describe(data)) for p in dupes)
            if data is not None:
                docs.append(SourceDoc(file, index, data, node.start_mark.line + 1, lines))
            index += 1
    except yaml.YAMLError as e:
        return [], [_syntax(file, e, text)]
    finally:
        loader.dispose()
    return docs, problems
