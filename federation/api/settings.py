"""Overrides: `PATH=VALUE` settings (`kfed run --set`, sweeps, `Scenario.set`) applied to the
parsed YAML documents before they are validated, so a value set this way gets the same checks
and messages as the same value typed into the file.

A path names documents and a field of each:

    Cluster/m1.spec.capacity.cpu                    one cluster by name
    Cluster[region=us-east].spec.capacity.cpu       every cluster with that label or spec field
    Cluster[*].spec.costPerCpuHour                  every cluster
    Deployment/shop/web.spec.replicas               a namespaced document: Kind/namespace/name
    Scenario.spec.timeline[0].at                    the only document of its kind
    Deployment/shop/web.metadata.labels['app.kubernetes.io/name']

The field starts at the first `.` followed by a top-level key (spec, metadata, data, ...). A
value is read as a YAML scalar (`16` an integer, `500m` a string, `true`, `null`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from federation.api.errors import Path, Problem, format_path, show
from federation.api.kinds import KINDS
from federation.api.source import SourceDoc, describe, loader_for, namespace_of

TOP_LEVEL = ("spec", "metadata", "data", "stringData", "apiVersion", "kind")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class SettingError(ValueError):
    """A `PATH=VALUE` that cannot be read (bad syntax, unknown kind): the message names it."""


@dataclass(frozen=True)
class Setting:
    """One setting: which documents (kind, and a name or a selector), which field, what value."""

    text: str  # PATH=VALUE as given
    path: str
    kind: str
    name: str | None = None
    namespace: str | None = None
    selector: tuple[tuple[str, str], ...] | None = None  # None: no selector; (): [*]
    field: Path = ()
    value: Any = None

    @property
    def label(self) -> str:
        return f"--set {self.text}"


@dataclass(frozen=True)
class Applied:
    """Where an override landed: a document and the YAML path it set."""

    file: str
    where: str  # the document as messages describe it ("Cluster m1")
    field: str  # the formatted YAML path
    text: str  # PATH=VALUE


def _outside_selectors(text: str, char: str) -> Iterator[int]:
    """The positions of `char` in `text` outside `[...]` selectors, in order."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif ch == char and depth == 0:
            yield i


def split_assignment(text: str) -> tuple[str, str]:
    """`PATH=VALUE` -> (PATH, VALUE text), at the first `=` outside a `[...]` selector."""
    for i in _outside_selectors(text, "="):
        return text[:i], text[i + 1 :]
    raise SettingError(f"--set {text}: expected PATH=VALUE, as in Cluster/m1.spec.capacity.cpu=16")


def parse_value(text: str) -> Any:
    """A value as YAML reads it when typed after a key: `16` -> 16, `500m` -> '500m'."""
    try:
        return yaml.load(text, Loader=loader_for()) if text.strip() else None
    except yaml.YAMLError as e:
        raise SettingError(f"not a YAML value: {text!r} ({str(e).splitlines()[0]})") from None


def parse(text: str) -> Setting:
    """One `PATH=VALUE` setting."""
    path, value_text = split_assignment(text)
    try:
        value = parse_value(value_text)
    except SettingError as e:
        raise SettingError(f"--set {text}: {e}") from None
    return parse_path(path, value, text)


def parse_path(path: str, value: Any = None, text: str | None = None) -> Setting:
    """The documents and field a PATH names (the value given separately)."""
    text = f"{path}=" if text is None else text
    doc, field = _split_field(path, text)
    selector: tuple[tuple[str, str], ...] | None = None
    if "[" in doc:
        if not doc.endswith("]"):
            raise SettingError(f"--set {text}: a selector ends with ']', as in Cluster[region=x]")
        doc, sel = doc[:-1].split("[", 1)
        selector = _selector(sel, text)
    parts = doc.split("/")
    kind = _kind(parts[0], text)
    name = namespace = None
    if len(parts) == 2:
        name = parts[1]
    elif len(parts) == 3:
        namespace, name = parts[1], parts[2]
    elif len(parts) > 3:
        raise SettingError(f"--set {text}: name a document as Kind/name or Kind/namespace/name")
    if name is not None and selector is not None:
        raise SettingError(f"--set {text}: give a name or a [selector], not both")
    if "" in parts:
        raise SettingError(f"--set {text}: empty name in {doc!r}")
    return Setting(text, path, kind, name, namespace, selector, field, value)


def _split_field(path: str, text: str) -> tuple[str, Path]:
    for i in _outside_selectors(path, "."):
        rest = path[i + 1 :]
        m = _KEY.match(rest)
        if m and m.group(0) in TOP_LEVEL:
            return path[:i], _field(rest, text)
    raise SettingError(
        f"--set {text}: no field in {path!r}: name one after the document, "
        "as in Cluster/m1.spec.capacity.cpu"
    )


def _field(rest: str, text: str) -> Path:
    out: list[str | int] = []
    i = 0
    while i < len(rest):
        if rest[i] == ".":
            i += 1
        if rest.startswith("['", i) or rest.startswith('["', i):
            quote = rest[i + 1]
            end = rest.find(quote + "]", i + 2)
            if end < 0:
                raise SettingError(f"--set {text}: unclosed [{quote}...{quote}] in the field")
            out.append(rest[i + 2 : end])
            i = end + 2
        elif rest.startswith("[", i):
            end = rest.find("]", i)
            index = rest[i + 1 : end] if end > 0 else ""
            if not index.isdigit():
                raise SettingError(
                    f"--set {text}: a list index is a number, as in timeline[0], got [{index}]"
                )
            out.append(int(index))
            i = end + 1
        else:
            m = _KEY.match(rest, i)
            if not m:
                raise SettingError(f"--set {text}: cannot read the field at {rest[i:]!r}")
            out.append(m.group(0))
            i = m.end()
    return tuple(out)


def _selector(sel: str, text: str) -> tuple[tuple[str, str], ...]:
    if sel.strip() == "*":
        return ()
    conds = []
    for cond in sel.split(","):
        key, eq, value = cond.partition("=")
        if not eq or not key.strip():
            raise SettingError(f"--set {text}: a selector is [key=value,...] or [*], got [{sel}]")
        conds.append((key.strip(), value.strip()))
    return tuple(conds)


def _kind(word: str, text: str) -> str:
    for kind in KINDS:
        if kind.lower() == word.lower():
            return kind
    raise SettingError(f"--set {text}: unknown kind {word!r} (one of {', '.join(sorted(KINDS))})")


# ------------------------------------------------------------------ applying


def _name(data: Mapping[str, Any]) -> str:
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    return name if isinstance(name, str) else ""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _selected(o: Setting, data: Mapping[str, Any]) -> bool:
    assert o.selector is not None
    meta = _mapping(data.get("metadata"))
    labels = _mapping(meta.get("labels"))
    spec = _mapping(data.get("spec"))
    for key, value in o.selector:
        known = {
            str(labels.get(key, "")) if key in labels else None,
            str(spec[key]) if key in spec and not isinstance(spec[key], Mapping | list) else None,
            _name(data) if key == "name" else None,
            namespace_of(data) if key == "namespace" else None,
        }
        if value not in known:
            return False
    return True


def _label(data: Mapping[str, Any]) -> str:
    ns = namespace_of(data)
    return f"{ns}/{_name(data)}" if ns else _name(data)


def select(o: Setting, docs: Sequence[SourceDoc]) -> list[SourceDoc]:
    """The documents `o` sets; SettingError saying why when there is none (or no one)."""
    same = [d for d in docs if isinstance(d.data, Mapping) and d.data.get("kind") == o.kind]
    names = ", ".join(sorted(_label(d.data) for d in same)) or "none"
    if o.name is not None:
        hits = [
            d
            for d in same
            if _name(d.data) == o.name
            and (o.namespace is None or namespace_of(d.data) == o.namespace)
        ]
        if not hits:
            where = f"{o.namespace}/{o.name}" if o.namespace is not None else o.name
            raise SettingError(f"{o.label}: no {o.kind} named {where!r} (there are: {names})")
        if len(hits) > 1:
            raise SettingError(
                f"{o.label}: {len(hits)} {o.kind}s are named {o.name!r}: "
                f"say which, as {o.kind}/NAMESPACE/{o.name} (there are: {names})"
            )
        return hits
    if o.selector is not None:
        hits = [d for d in same if _selected(o, d.data)]
        if not hits:
            raise SettingError(f"{o.label}: no {o.kind} matches the selector (there are: {names})")
        return hits
    if len(same) != 1:
        raise SettingError(
            f"{o.label}: {len(same)} {o.kind} documents (there are: {names}); name one "
            f"({o.kind}/NAME), select some ({o.kind}[label=value]) or all ({o.kind}[*])"
        )
    return same


def _set(data: Any, field: Path, value: Any, o: Setting) -> Any:
    """`data` with `field` set to `value`: every container on the way copied (never the YAML
    aliases a document shares), missing mappings created, list indices checked."""
    root = dict(data)
    node: Any = root
    for depth, step in enumerate(field):
        here = format_path(field[:depth]) or "the document"
        last = depth == len(field) - 1
        if isinstance(step, int):
            if not isinstance(node, list):
                raise SettingError(f"{o.label}: {here} is not a list, so [{step}] names nothing")
            if step >= len(node):
                n = len(node)
                raise SettingError(
                    f"{o.label}: {here} has {n} item{'s' if n != 1 else ''}, "
                    f"so [{step}] names nothing"
                )
        elif not isinstance(node, dict):
            kind = "a list" if isinstance(node, list) else f"the value {show(node)}"
            raise SettingError(f"{o.label}: {here} is {kind}, not a mapping with {step!r}")
        if last:
            node[step] = value
            break
        child = node[step] if isinstance(step, int) or step in node else {}
        if isinstance(child, dict):
            child = dict(child)
        elif isinstance(child, list):
            child = list(child)
        node[step] = child
        node = child
    return root


def apply(
    overrides: Iterable[Setting], docs: Sequence[SourceDoc]
) -> tuple[list[Applied], list[str]]:
    """Set every override on the documents it names (in order: a later one wins). Returns
    where each landed and the problems (a path naming no document, a missing list item)."""
    applied: list[Applied] = []
    problems: list[str] = []
    for o in overrides:
        try:
            hits = select(o, docs)
            for doc in hits:
                doc.data = _set(doc.data, o.field, o.value, o)
                applied.append(Applied(doc.file, describe(doc.data), format_path(o.field), o.text))
        except SettingError as e:
            problems.append(str(e))
    return applied, problems


def settle(
    settings: Iterable[str | Setting], docs: Sequence[SourceDoc]
) -> tuple[list[Applied], list[str]]:
    """Read `PATH=VALUE` strings (or take parsed overrides) and `apply` them."""
    parsed, problems = [], []
    for item in settings:
        try:
            parsed.append(parse(item) if isinstance(item, str) else item)
        except SettingError as e:
            problems.append(str(e))
    applied, more = apply(parsed, docs)
    return applied, problems + more


def mark(p: Problem, applied: Sequence[Applied]) -> Problem:
    """`p` saying which `PATH=VALUE` set the value it is about (unchanged when none did)."""
    if not p.file:
        return p
    for a in reversed(applied):
        if (
            a.file == p.file
            and a.where == p.where
            and (p.path == a.field or p.path.startswith((a.field + ".", a.field + "[")))
        ):
            return replace(p, message=f"{p.message}; set by {a.text}")
    return p
