"""Override policies: per-cluster rules (images, replicas, labels, commands, fields, patches)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from federation.core.model.policy import ClusterAffinity, ResourceSelector
from federation.core.model.workload import Workload

Operator = Literal["add", "remove", "replace"]


@dataclass(frozen=True)
class PatchOp:
    """One RFC 6902 operation (add, remove, replace) on the rendered manifest."""

    op: Literal["add", "remove", "replace"]
    path: str
    value: Any = None


@dataclass(frozen=True)
class ImageOverride:
    component: Literal["Registry", "Repository", "Tag"]
    operator: Operator = "replace"
    value: str = ""
    # the JSON pointer of the one image to change (Karmada's predicate); "" = every container
    path: str = ""


@dataclass(frozen=True)
class ArgsOverride:
    """Karmada's commandOverrider / argsOverrider: append (`add`) or delete (`remove`) items of
    one container's command or args."""

    container: str
    operator: Literal["add", "remove"]
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapOverride:
    """Karmada's labelsOverrider / annotationsOverrider item: `add` sets the keys, `replace`
    changes only keys already there, `remove` deletes the keys."""

    operator: Operator
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldOverride:
    """Karmada's fieldOverrider: RFC 6902 operations (paths relative to the embedded document)
    inside a string field that holds a JSON or YAML document (a ConfigMap value). `load` and
    `dump` decode and encode that document: the loader supplies them, so the core needs no
    YAML library; `load` raises ValueError on text it cannot read."""

    field_path: str
    format: Literal["json", "yaml"]
    patches: tuple[PatchOp, ...]
    load: Callable[[str], Any]
    dump: Callable[[Any], str]


@dataclass(frozen=True)
class OverrideRule:
    """One rule; its overriders apply in Karmada's order: image, command, args, labels,
    annotations, field, plaintext (kfed's replicas right after the images)."""

    target: ClusterAffinity
    images: tuple[ImageOverride, ...] = ()
    replicas: int | None = None
    labels: tuple[MapOverride, ...] = ()
    annotations: tuple[MapOverride, ...] = ()
    patches: tuple[PatchOp, ...] = ()
    commands: tuple[ArgsOverride, ...] = ()
    args: tuple[ArgsOverride, ...] = ()
    fields: tuple[FieldOverride, ...] = ()


@dataclass(frozen=True)
class OverridePolicy:
    name: str
    namespace: str = ""
    selectors: tuple[ResourceSelector, ...] = ()
    rules: tuple[OverrideRule, ...] = ()

    def matches(self, w: Workload) -> bool:
        if self.namespace and w.namespace and self.namespace != w.namespace:
            return False
        return any(s.matches(w) for s in self.selectors)
