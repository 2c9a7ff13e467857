"""The shape of a YAML event stream, checked before anything is built from it: nesting depth
and node counts (aliases expanded by arithmetic), plus each document's line map and duplicate
keys."""

from __future__ import annotations

from typing import Any

import yaml

from federation.api.errors import Path, Problem, format_path, show
from federation.api.limits import MAX_DEPTH, MAX_DOCUMENT_NODES, MAX_FILE_NODES


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


class Refused(Exception):
    """The stream is beyond kfed's limits (or refers to an alias it cannot use)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


_OPEN = (-1, -1)  # an anchored collection still being read: an alias to it is recursive


class Shape:
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
                    raise Refused(line, f"alias {show(ev.anchor)} refers to a node that holds it")
                if size == 0:
                    raise Refused(line, f"found undefined alias {show(ev.anchor)}")
                if len(stack) + height > MAX_DEPTH:
                    raise Refused(line, f"an alias nests deeper than {MAX_DEPTH} levels here")
            elif isinstance(ev, yaml.ScalarEvent):
                size, height = 1, 0
                if ev.anchor is not None:
                    anchors[ev.anchor] = (1, 0)
            else:
                size, height = 1, -1
            doc_nodes += size
            self.file_nodes += size
            if doc_nodes > MAX_DOCUMENT_NODES:
                raise Refused(
                    line,
                    f"document has more than {MAX_DOCUMENT_NODES:,} nodes "
                    "(aliases counted in full), kfed's limit",
                )
            if self.file_nodes > MAX_FILE_NODES:
                raise Refused(
                    line,
                    f"file has more than {MAX_FILE_NODES:,} nodes "
                    "(aliases counted in full), kfed's limit",
                )
            if height >= 0:
                self._close(stack, size, height)
                continue
            if len(stack) >= MAX_DEPTH:
                raise Refused(line, f"nested deeper than {MAX_DEPTH} levels, kfed's limit")
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
