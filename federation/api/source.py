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
from federation.api.limits import MAX_DEPTH, MAX_DOCUMENT_NODES, MAX_FILE_NODES
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


class _Frame:
    """One open mapping or list while the event stream is walked."""

    __slots__ = (
        "anchor",
        "expect_key",
        "height",
        "index",
        "is_map",
        "path",
        "seen",
        "size",
        "value_path",
    )

    def __init__(self, path: Path | None, is_map: bool, anchor: str | None) -> None:
        self.path = path  # None: not recorded (inside a complex key, under a merge key)
        self.is_map = is_map
        self.anchor = anchor
        self.expect_key = True  # mappings: the next node is a key
        self.value_path: Path | None = None  # mappings: the path of the value being read
        self.index = 0  # lists: the next item's index
        self.seen: dict[str, int] = {}  # mappings: key -> line
        self.size = 1  # nodes, aliases counted in full
        self.height = 1  # levels of nesting, this one included


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


_OPEN = (-1, -1)  # an anchored collection still being read: an alias to it is recursive


class _Shape:
    """The event pass: refuses documents deeper than MAX_DEPTH or bigger than the node limits
    (aliases expanded by arithmetic, never by building anything) and collects, per document,
    the line map and duplicate keys."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.docs: list[tuple[dict[Path, int], list[Problem]]] = []
        self.file_nodes = 0

    def run(self, loader: Any) -> None:
        stack: list[_Frame] = []
        anchors: dict[str, tuple[int, int]] = {}
        lines: dict[Path, int] = {}
        dupes: list[Problem] = []
        doc_nodes = 0
        while loader.check_event():
            ev = loader.get_event()
            line = ev.start_mark.line + 1
            if isinstance(ev, yaml.DocumentStartEvent):
                stack, anchors, lines, dupes, doc_nodes = [], {}, {}, [], 0
                continue
            if isinstance(ev, yaml.DocumentEndEvent):
                self.docs.append((lines, dupes))
                continue
            if isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                done = stack.pop()
                if done.anchor is not None:
                    anchors[done.anchor] = (done.size, done.height)
                self._close(stack, done.size, done.height)
                continue
            if not isinstance(ev, yaml.NodeEvent):
                continue  # stream start and end
            path = self._place(stack, ev, line, lines, dupes)
            if isinstance(ev, yaml.AliasEvent):
                size, height = anchors.get(ev.anchor or "", (0, 0))
                if (size, height) == _OPEN:
                    raise _Refused(line, f"alias {show(ev.anchor)} refers to a node that holds it")
                if size == 0:
                    raise _Refused(line, f"found undefined alias {show(ev.anchor)}")
                if len(stack) + height > MAX_DEPTH:
                    raise _Refused(line, f"an alias nests deeper than {MAX_DEPTH} levels here")
            elif isinstance(ev, yaml.ScalarEvent):
                size, height = 1, 0
                if ev.anchor is not None:
                    anchors[ev.anchor] = (1, 0)
            else:
                size, height = 1, -1
            doc_nodes += size
            self.file_nodes += size
            if doc_nodes > MAX_DOCUMENT_NODES:
                raise _Refused(
                    line,
                    f"document has more than {MAX_DOCUMENT_NODES:,} nodes "
                    "(aliases counted in full), kfed's limit",
                )
            if self.file_nodes > MAX_FILE_NODES:
                raise _Refused(
                    line,
                    f"file has more than {MAX_FILE_NODES:,} nodes "
                    "(aliases counted in full), kfed's limit",
                )
            if height >= 0:
                self._close(stack, size, height)
                continue
            if len(stack) >= MAX_DEPTH:
                raise _Refused(line, f"nested deeper than {MAX_DEPTH} levels, kfed's limit")
            is_map = isinstance(ev, yaml.MappingStartEvent)
            stack.append(_Frame(path, is_map, ev.anchor))
            if ev.anchor is not None:
                anchors[ev.anchor] = _OPEN

    @staticmethod
    def _close(stack: list[_Frame], size: int, height: int) -> None:
        """A node of `size` and `height` is complete inside the innermost open collection."""
        if not stack:
            return
        top = stack[-1]
        top.size += size
        top.height = max(top.height, height + 1)
        if not top.is_map:
            top.index += 1
        elif top.expect_key:
            top.expect_key = False
        else:
            top.expect_key, top.value_path = True, None

    def _place(
        self,
        stack: list[_Frame],
        ev: Any,
        line: int,
        lines: dict[Path, int],
        dupes: list[Problem],
    ) -> Path | None:
        """The path of the node `ev` starts (None when it has none: a key, under a merge key),
        recording its line and any duplicate key on the way."""
        if not stack:
            return ()
        top = stack[-1]
        if not top.is_map:
            if top.path is None:
                return None
            path = (*top.path, top.index)
            lines[path] = line
            return path
        if not top.expect_key:
            return top.value_path
        # a key: it decides the path of the value that follows
        if top.path is None or not isinstance(ev, yaml.ScalarEvent):
            return None
        key = ev.value
        if key == "<<" and ev.implicit[0]:
            return None  # merge key: its keys are the merged mapping's own
        if key in top.seen:
            dupes.append(
                Problem(
                    self.file,
                    line,
                    format_path((*top.path, key)),
                    f"duplicate key {show(key)} (first at line {top.seen[key]})",
                )
            )
        top.seen[key] = line
        top.value_path = (*top.path, key)
        lines[top.value_path] = line
        return None


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
    shape = _Shape(file)
    loader = loader_class(text)
    try:
        shape.run(loader)
    except _Refused as e:
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
