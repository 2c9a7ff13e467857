"""PropagationPolicy / ClusterPropagationPolicy and OverridePolicy / ClusterOverridePolicy
documents -> model records, with the checks the schema cannot express."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.errors import Path, show
from federation.api.records import Ctx, affinity, resource_selectors
from federation.api.source import namespace_of
from federation.core.model import ClusterAffinity as Affinity
from federation.core.model import (
    ClusterWeight,
    Failback,
    FailoverPolicy,
    ImageOverride,
    OverridePolicy,
    OverrideRule,
    PatchOp,
    Placement,
    PropagationPolicy,
    ReplicaBounds,
    ReplicaScheduling,
    SpreadConstraint,
    Toleration,
)

_POINTER_ESCAPES = ("~0", "~1")
_DIVIDED_ONLY = ("replicaDivisionPreference", "method", "weights", "clusterReplicas", "rebalance")


def _tolerations(
    ctx: Ctx, path: Path, items: Sequence[Mapping[str, Any]]
) -> tuple[Toleration, ...]:
    out = []
    for i, t in enumerate(items):
        op = t.get("operator", "Equal")
        key, value, effect = t.get("key", ""), t.get("value", ""), t.get("effect", "")
        if op == "Exists" and value:
            ctx.error(
                (*path, i, "value"), f"must be empty when operator is Exists, got {show(value)}"
            )
        if op == "Equal" and not key:
            ctx.error((*path, i), "operator must be Exists when key is empty")
        seconds = t.get("tolerationSeconds")
        if seconds is not None and effect != "NoExecute":
            ctx.error(
                (*path, i, "tolerationSeconds"),
                f"only applies with effect NoExecute, got effect {show(effect or '')}",
            )
        out.append(Toleration(key, op, value, effect, None if seconds is None else float(seconds)))
    return tuple(out)


def _spread(
    ctx: Ctx, path: Path, items: Sequence[Mapping[str, Any]]
) -> tuple[SpreadConstraint, ...]:
    out = []
    seen: dict[str, int] = {}
    for i, s in enumerate(items):
        by = s.get("spreadByField", "cluster")
        lo, hi = s.get("minGroups", 1), s.get("maxGroups")
        if by in seen:
            ctx.error((*path, i, "spreadByField"), f"duplicate spread by {by} (also [{seen[by]}])")
        seen[by] = i
        if hi is not None and hi < lo:
            ctx.error((*path, i, "maxGroups"), f"must be >= minGroups ({lo}), got {hi}")
        out.append(SpreadConstraint(by, lo, hi))
    return tuple(out)


def _replicas(ctx: Ctx, path: Path, d: Mapping[str, Any]) -> ReplicaScheduling:
    kind = d.get("replicaSchedulingType", "Divided")
    if kind == "Duplicated":
        for key in _DIVIDED_ONLY:
            if key in d:
                ctx.error((*path, key), "only applies to replicaSchedulingType Divided")
    weights = tuple(
        ClusterWeight(
            affinity(ctx, (*path, "weights", i, "targetCluster"), w["targetCluster"]), w["weight"]
        )
        for i, w in enumerate(d.get("weights", ()))
    )
    bounds = []
    for i, b in enumerate(d.get("clusterReplicas", ())):
        lo, hi = b.get("minReplicas", 0), b.get("maxReplicas")
        if hi is not None and hi < lo:
            ctx.error(
                (*path, "clusterReplicas", i, "maxReplicas"),
                f"must be >= minReplicas ({lo}), got {hi}",
            )
        target = affinity(ctx, (*path, "clusterReplicas", i, "targetCluster"), b["targetCluster"])
        bounds.append(ReplicaBounds(target, lo, hi))
    return ReplicaScheduling(
        type=kind,
        division=d.get("replicaDivisionPreference", "StaticWeight"),
        method=d.get("method"),
        weights=weights,
        bounds=tuple(bounds),
        rebalance=d.get("rebalance", False),
    )


def placement(ctx: Ctx, path: Path, d: Mapping[str, Any]) -> Placement:
    groups: tuple[Affinity, ...] = ()
    if "clusterAffinity" in d and "clusterAffinities" in d:
        ctx.error(
            (*path, "clusterAffinities"), "clusterAffinity and clusterAffinities are exclusive"
        )
    if "clusterAffinities" in d:
        names: dict[str, int] = {}
        for i, g in enumerate(d["clusterAffinities"]):
            name = g.get("affinityName")
            if name and name in names:
                ctx.error(
                    (*path, "clusterAffinities", i, "affinityName"),
                    f"duplicate affinityName {name!r} (also [{names[name]}])",
                )
            if name:
                names[name] = i
        groups = tuple(
            affinity(ctx, (*path, "clusterAffinities", i), g)
            for i, g in enumerate(d["clusterAffinities"])
        )
    return Placement(
        affinity=affinity(ctx, (*path, "clusterAffinity"), d.get("clusterAffinity")),
        affinity_groups=groups,
        tolerations=_tolerations(
            ctx, (*path, "clusterTolerations"), d.get("clusterTolerations", ())
        ),
        spread=_spread(ctx, (*path, "spreadConstraints"), d.get("spreadConstraints", ())),
        replicas=_replicas(ctx, (*path, "replicaScheduling"), d.get("replicaScheduling", {})),
    )


def failover(d: Mapping[str, Any] | None) -> FailoverPolicy:
    """Absent = the defaults (enabled). A `failback` block enables failback unless it says
    `enabled: false`."""
    if d is None:
        return FailoverPolicy()
    base = FailoverPolicy()
    fb = d.get("failback")
    back = Failback()
    if fb is not None:
        back = Failback(
            enabled=fb.get("enabled", True),
            stabilization_seconds=float(
                fb.get("stabilizationWindowSeconds", back.stabilization_seconds)
            ),
        )
    return FailoverPolicy(
        enabled=d.get("enabled", True),
        toleration_seconds=float(d.get("tolerationSeconds", base.toleration_seconds)),
        purge_mode=d.get("purgeMode", base.purge_mode),
        grace_period_seconds=float(d.get("gracePeriodSeconds", base.grace_period_seconds)),
        failback=back,
    )


def propagation_policy(ctx: Ctx, d: Mapping[str, Any]) -> PropagationPolicy:
    spec = d["spec"]
    ns = namespace_of(d)
    return PropagationPolicy(
        name=d["metadata"]["name"],
        namespace=ns,
        priority=spec.get("priority", 0),
        selectors=resource_selectors(
            ctx, ("spec", "resourceSelectors"), spec["resourceSelectors"], ns
        ),
        placement=placement(ctx, ("spec", "placement"), spec.get("placement", {})),
        failover=failover(spec.get("failover")),
        schedule_priority=(spec.get("schedulePriority") or {}).get("priority", 0),
    )


def _pointer_ok(path: str) -> bool:
    if not path.startswith("/"):
        return False
    rest = path
    for esc in _POINTER_ESCAPES:
        rest = rest.replace(esc, "")
    return "~" not in rest


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
        images.append(ImageOverride(img["component"], img["operator"], img.get("value", "")))
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
        labels=dict(ov.get("labelsOverrider", {})),
        annotations=dict(ov.get("annotationsOverrider", {})),
        patches=tuple(patches),
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
