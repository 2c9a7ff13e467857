"""PropagationPolicy / ClusterPropagationPolicy documents -> model records, with the checks the
schema cannot express (OverridePolicy: `federation.api.overrides`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from federation.api.errors import Path, show
from federation.api.records import Ctx, affinity, resource_selectors
from federation.api.source import namespace_of
from federation.core.model import ClusterAffinity as Affinity
from federation.core.model import (
    ClusterWeight,
    Failback,
    FailoverPolicy,
    Placement,
    PropagationPolicy,
    ReplicaBounds,
    ReplicaScheduling,
    SpreadConstraint,
    Toleration,
)

_DIVIDED_ONLY = (
    "replicaDivisionPreference",
    "weightPreference",
    "method",
    "weights",
    "clusterReplicas",
    "rebalance",
)
# division methods that honour clusterReplicas bounds / rebalance
_BOUNDED = frozenset({"kfed", "kubefed"})
_KFED_PREFERENCE = {"StaticWeight": "kfed", "DynamicWeight": "webster-dynamic"}
_DIVISIONS: dict[str, Literal["DynamicWeight", "Aggregated"]] = {
    "webster-dynamic": "DynamicWeight",
    "webster-aggregated": "Aggregated",
}


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
        lo, hi = s.get("minGroups", 1) or 1, s.get("maxGroups")  # 0 means 1, as in Karmada
        if by in seen:
            ctx.error((*path, i, "spreadByField"), f"duplicate spread by {by} (also [{seen[by]}])")
        seen[by] = i
        if hi is not None and hi < lo:
            ctx.error((*path, i, "maxGroups"), f"must be >= minGroups ({lo}), got {hi}")
        out.append(SpreadConstraint(by, lo, hi))
    return tuple(out)


def division_method(d: Mapping[str, Any]) -> tuple[str, str]:
    """(method, how it was chosen) for a Divided replicaScheduling mapping: `method` if given;
    else the preference, Karmada's `Weighted` by default (static Webster, or Karmada's dynamic
    division with weightPreference.dynamicWeight), `Aggregated`, or kfed's `StaticWeight`
    (kfed's bounded Webster) and `DynamicWeight`."""
    if d.get("method"):
        return str(d["method"]), "method"
    pref = d.get("replicaDivisionPreference", "Weighted")
    if pref == "Aggregated":
        return "webster-aggregated", pref
    if pref in _KFED_PREFERENCE:
        return _KFED_PREFERENCE[pref], pref
    if (d.get("weightPreference") or {}).get("dynamicWeight"):
        return "webster-dynamic", "Weighted (dynamicWeight)"
    return "webster", "Weighted"


def _replicas(ctx: Ctx, path: Path, d: Mapping[str, Any] | None) -> ReplicaScheduling:
    if d is None:  # Karmada: no replicaScheduling at all means Duplicated
        return ReplicaScheduling(type="Duplicated")
    kind = d.get("replicaSchedulingType", "Divided")
    if kind == "Duplicated":
        for key in _DIVIDED_ONLY:
            if key in d:
                ctx.error((*path, key), "only applies to replicaSchedulingType Divided")
    pref = d.get("weightPreference") or {}
    if "weights" in d and "staticWeightList" in pref:
        ctx.error(
            (*path, "weights"),
            "weights and weightPreference.staticWeightList are exclusive (one list of weights)",
        )
    dynamic = pref.get("dynamicWeight")
    division = d.get("replicaDivisionPreference", "Weighted")
    if dynamic and division != "Weighted":
        ctx.error(
            (*path, "weightPreference", "dynamicWeight"),
            f"needs replicaDivisionPreference Weighted, got {show(division)}",
        )
    rules = [("weights", i, w) for i, w in enumerate(d.get("weights", ()))]
    rules += [("weightPreference", i, w) for i, w in enumerate(pref.get("staticWeightList", ()))]
    weights = tuple(
        ClusterWeight(
            affinity(
                ctx,
                (*path, where, i, "targetCluster")
                if where == "weights"
                else (*path, where, "staticWeightList", i, "targetCluster"),
                w["targetCluster"],
            ),
            w["weight"],
        )
        for where, i, w in rules
    )
    method, _ = division_method(d) if kind == "Divided" else ("webster", "")
    if kind == "Divided" and method not in _BOUNDED:
        for key in ("clusterReplicas", "rebalance"):
            if key in d:
                ctx.warn(
                    (*path, key),
                    f"has no effect with division method {method} "
                    "(set method: kfed or kubefed, or replicaDivisionPreference: StaticWeight)",
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
        division=_DIVISIONS.get(method, "StaticWeight"),
        method=method,
        weights=weights,
        bounds=tuple(bounds),
        rebalance=d.get("rebalance", False),
    )


def placement(ctx: Ctx, path: Path, d: Mapping[str, Any]) -> Placement:
    groups: tuple[Affinity, ...] = ()
    group_names: tuple[str, ...] = ()
    overflow: tuple[tuple[Affinity, ...], ...] = ()
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
        group_names = tuple(str(g.get("affinityName") or "") for g in d["clusterAffinities"])
        groups = tuple(
            affinity(ctx, (*path, "clusterAffinities", i), g)
            for i, g in enumerate(d["clusterAffinities"])
        )
        overflow = tuple(
            tuple(
                affinity(ctx, (*path, "clusterAffinities", i, "overflowAffinities", j), o)
                for j, o in enumerate(g.get("overflowAffinities", ()))
            )
            for i, g in enumerate(d["clusterAffinities"])
        )
    replicas = _replicas(ctx, (*path, "replicaScheduling"), d.get("replicaScheduling"))
    spread = _spread(ctx, (*path, "spreadConstraints"), d.get("spreadConstraints", ()))
    rs = d.get("replicaScheduling") or {}
    if spread and replicas.type == "Divided" and division_method(rs) == ("webster", "Weighted"):
        ctx.warn(
            (*path, "spreadConstraints"),
            "ignored: Karmada ignores spread constraints when it divides by static weights "
            "(Weighted without dynamicWeight); set method or replicaDivisionPreference to "
            "divide otherwise",
        )
        spread = ()
    if any(overflow) and replicas.method not in ("webster-dynamic", None):
        ctx.warn(
            (*path, "clusterAffinities"),
            "overflowAffinities: Karmada allows them only with Divided and dynamicWeight "
            f"(AvailableReplicas); kfed fills the tiers in order with method {replicas.method}",
        )
    return Placement(
        affinity=affinity(ctx, (*path, "clusterAffinity"), d.get("clusterAffinity")),
        affinity_groups=groups,
        group_names=group_names,
        overflow=overflow if any(overflow) else (),
        tolerations=_tolerations(
            ctx, (*path, "clusterTolerations"), d.get("clusterTolerations", ())
        ),
        spread=spread,
        replicas=replicas,
    )


def failover(ctx: Ctx, path: Path, d: Mapping[str, Any] | None) -> FailoverPolicy:
    """Absent = the defaults (enabled). A `failback` block enables failback unless it says
    `enabled: false`. Karmada's `cluster.purgeMode` (Gracefully | Directly) sets the purge mode
    as kfed's own `purgeMode` (Graceful | Directly) does."""
    if d is None:
        return FailoverPolicy()
    purge = d.get("purgeMode")
    karmada = (d.get("cluster") or {}).get("purgeMode")
    if karmada is not None:
        as_kfed = "Graceful" if karmada == "Gracefully" else "Directly"
        if purge is not None and purge != as_kfed:
            ctx.error(
                (*path, "cluster", "purgeMode"),
                f"contradicts purgeMode {show(purge)} (Gracefully is Graceful), got "
                f"{show(karmada)}",
            )
        purge = as_kfed
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
        purge_mode=purge or base.purge_mode,
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
        failover=failover(ctx, ("spec", "failover"), spec.get("failover")),
        schedule_priority=(spec.get("schedulePriority") or {}).get("priority", 0),
        propagate_deps=spec.get("propagateDeps", False),
        suspend_all=bool((spec.get("suspension") or {}).get("dispatching", False)),
        suspended=_suspended(ctx, spec.get("suspension") or {}),
    )


def _suspended(ctx: Ctx, d: Mapping[str, Any]) -> tuple[str, ...]:
    names = tuple((d.get("dispatchingOnClusters") or {}).get("clusterNames", ()))
    if names and d.get("dispatching"):
        ctx.error(
            ("spec", "suspension", "dispatchingOnClusters"),
            "dispatching and dispatchingOnClusters are exclusive (Karmada)",
        )
    return names
