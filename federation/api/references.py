"""References between the documents of one federation: a cluster a policy names must exist
(error); selectors matching nothing, policies selecting nothing, templates no policy selects are
warnings; a fragment (no Cluster, template or policy at all) gets one warning instead."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from federation.api.errors import Path, show
from federation.api.records import Ctx, Record, TaintPolicy
from federation.api.source import SourceDoc, describe, namespace_of
from federation.core.desired import DesiredState
from federation.core.model import (
    Cluster,
    ClusterAffinity,
    OverridePolicy,
    PropagationPolicy,
    Workload,
    workload_key,
)

_FIELDS = ("region", "zone", "provider")


def _affinities(
    rec: PropagationPolicy | OverridePolicy | TaintPolicy, raw: Mapping[str, Any]
) -> Iterator[tuple[Path, ClusterAffinity]]:
    """Every affinity a policy states, with the path it was written at."""
    spec = raw["spec"]
    if isinstance(rec, TaintPolicy):
        if "targetClusters" in spec:
            yield ("spec", "targetClusters"), rec.target
        return
    if isinstance(rec, OverridePolicy):
        for i, rule in enumerate(rec.rules):
            if "targetCluster" in spec["overrideRules"][i]:
                yield ("spec", "overrideRules", i, "targetCluster"), rule.target
        return
    placement = spec.get("placement", {})
    base: Path = ("spec", "placement")
    if "clusterAffinity" in placement:
        yield (*base, "clusterAffinity"), rec.placement.affinity
    for i, group in enumerate(rec.placement.affinity_groups):
        yield (*base, "clusterAffinities", i), group
    for i, tiers in enumerate(rec.placement.overflow):
        for j, tier in enumerate(tiers):
            yield (*base, "clusterAffinities", i, "overflowAffinities", j), tier
    rs: Path = (*base, "replicaScheduling")
    given = spec.get("placement", {}).get("replicaScheduling") or {}
    n = len(given.get("weights", ()))
    for i, w in enumerate(rec.placement.replicas.weights):
        at = (*rs, "weights", i) if i < n else (*rs, "weightPreference", "staticWeightList", i - n)
        yield (*at, "targetCluster"), w.target
    for i, b in enumerate(rec.placement.replicas.bounds):
        yield (*rs, "clusterReplicas", i, "targetCluster"), b.target


def _states_anything(a: ClusterAffinity) -> bool:
    return bool(a.cluster_names or a.exclude or a.label_selector or a.field_selector)


def _affinity(ctx: Ctx, path: Path, a: ClusterAffinity, clusters: tuple[Cluster, ...]) -> None:
    names = {c.name for c in clusters}
    known = ", ".join(sorted(names))
    flagged = False
    for part, listed in (("clusterNames", a.cluster_names), ("exclude", a.exclude)):
        for j, name in enumerate(listed):
            if name not in names:
                ctx.error((*path, part, j), f"unknown cluster {name!r} (known: {known})")
                flagged = True
    for j, req in enumerate(a.field_selector):
        have = sorted({c.fields()[req.key] for c in clusters if c.fields()[req.key]})
        for k, value in enumerate(req.values):
            if req.key in _FIELDS and value not in have:
                where = (*path, "fieldSelector", "matchExpressions", j, "values", k)
                ctx.warn(
                    where,
                    f"no cluster has {req.key} {show(value)} (known: {', '.join(have) or 'none'})",
                )
                flagged = True
    ls = a.label_selector
    stated = ls is not None and (ls.match_labels or ls.match_expressions)
    if ls is not None and stated and not any(ls.matches(c.labels) for c in clusters):
        ctx.warn((*path, "labelSelector"), "matches no cluster")
        flagged = True
    if not flagged and not any(a.matches(c) for c in clusters):
        ctx.warn(path, "matches no cluster (each part matches some, together they match none)")


def _selectors(
    ctx: Ctx, rec: PropagationPolicy | OverridePolicy, workloads: list[Workload]
) -> None:
    for i, sel in enumerate(rec.selectors):
        alone = replace(rec, selectors=(sel,))
        if not any(alone.matches(w) for w in workloads):
            ctx.warn(("spec", "resourceSelectors", i), "selects no template")


def check(
    docs: Iterable[SourceDoc],
    record_of: Callable[[SourceDoc], Record | None],
    ctx_of: Callable[[SourceDoc], Ctx],
    desired: DesiredState,
) -> None:
    """The references of one federation's documents (only those that loaded cleanly)."""
    clusters = desired.clusters
    workloads = list(desired.workloads.values())
    fragment: dict[str, tuple[Ctx, Path] | None] = dict.fromkeys(
        ("Cluster", "template", "PropagationPolicy")
    )
    for doc in docs:
        rec = record_of(doc)
        if isinstance(rec, PropagationPolicy | OverridePolicy | TaintPolicy):
            ctx = ctx_of(doc)
            for path, a in _affinities(rec, doc.data):
                if clusters:
                    _affinity(ctx, path, a, clusters)
                elif _states_anything(a) and fragment["Cluster"] is None:
                    fragment["Cluster"] = (ctx, path)
            if isinstance(rec, TaintPolicy):
                continue
            if workloads:
                _selectors(ctx, rec, workloads)
            elif fragment["template"] is None:
                fragment["template"] = (ctx, ("spec", "resourceSelectors"))
        elif isinstance(rec, Workload) and not desired.policies:
            if fragment["PropagationPolicy"] is None:
                fragment["PropagationPolicy"] = (ctx_of(doc), ("metadata", "name"))
        elif (
            isinstance(rec, Workload)
            and desired.policy_for(rec) is None
            and not desired.required_by(rec.key)
        ):
            ctx_of(doc).warn(
                ("metadata", "name"),
                "no PropagationPolicy selects this template: it stays unplaced",
            )
        elif isinstance(rec, Workload) and clusters:
            _namespace_follows(ctx_of(doc), rec, desired)
    for what, found in fragment.items():
        if found is not None:
            ctx, path = found
            ctx.warn(path, f"references not checked: these files declare no {what}")


def _namespace_follows(ctx: Ctx, w: Workload, desired: DesiredState) -> None:
    """A namespaced template its policy may place where its declared Namespace's policy never
    does: on a real member the write is refused (namespace not found) while the sim, which does
    not model namespaces, would run it."""
    ns = desired.workloads.get(workload_key("Namespace", "", w.namespace)) if w.namespace else None
    policy = desired.policy_for(w)
    if ns is None or policy is None:
        return
    ns_policy = desired.policy_for(ns)
    missing = [
        c.name
        for c in desired.clusters
        if policy.placement.admits(c) and (ns_policy is None or not ns_policy.placement.admits(c))
    ]
    if missing:
        ctx.warn(
            ("metadata", "namespace"),
            f"may be placed on {', '.join(missing)}, where no policy places Namespace "
            f"{w.namespace}: real members refuse writes into a missing namespace",
        )


def _identity(doc: SourceDoc) -> tuple[str, str, str] | None:
    """(kind, namespace, name) of a document, for duplicate detection."""
    d = doc.data
    if not isinstance(d, Mapping) or not isinstance(d.get("kind"), str):
        return None
    meta = d.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    if not isinstance(name, str) or not name:
        return None
    return d["kind"], namespace_of(d), name


def duplicates(docs: Iterable[SourceDoc], ctx_of: Callable[[SourceDoc], Ctx]) -> None:
    """Names are unique per kind (and namespace) within a federation."""
    first: dict[tuple[str, str, str], SourceDoc] = {}
    for doc in sorted(docs, key=lambda x: (x.file, x.line)):
        ident = _identity(doc)
        if ident is None or ident[0] == "Scenario":
            continue
        if ident in first:
            other = first[ident]
            ctx_of(doc).error(
                ("metadata", "name"),
                f"duplicate {describe(doc.data)} (first at {other.file} line {other.line})",
            )
        else:
            first[ident] = doc
