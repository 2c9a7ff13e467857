"""API objects read from a server (not from files) -> model records, one object at a time: the
same schema and converters as the loader, without the references between documents (a policy
may name a member that has not joined yet), so one bad object never blocks the others."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from federation.api.errors import Problem
from federation.api.kinds import KINDS
from federation.api.loader import CONVERTERS
from federation.api.records import Ctx, Record
from federation.api.source import SourceDoc
from federation.api.structure import structure_errors


@dataclass(frozen=True)
class Converted:
    record: Record | None
    problems: tuple[str, ...] = ()


def convert(obj: Mapping[str, Any], origin: str) -> Converted:
    """The record of one object (a Cluster, a policy, a template), or its problems as the
    loader words them, `origin` standing for the file (say, `host:PropagationPolicy/ns/name`)."""
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in KINDS or kind == "Scenario":
        return Converted(None, (f"{origin}: kind: not a kind kfed reads, got {kind!r}",))
    doc = SourceDoc(origin, 0, obj, 0)
    problems: list[Problem] = []
    ctx = Ctx(doc, problems)
    structural = structure_errors(kind, obj)
    for path, message in structural:
        ctx.error(path, message)
    # semantic checks in, above or below a structural problem would only repeat it
    ctx.blocked = [tuple(path) for path, _ in structural]
    record: Record | None = None
    try:
        record = CONVERTERS[kind](ctx, obj)
    except (KeyError, TypeError, AttributeError, ValueError, IndexError):
        if not problems:
            raise
    if problems:
        return Converted(None, tuple(str(p) for p in sorted(set(problems))))
    return Converted(record)
