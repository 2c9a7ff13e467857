"""Placement: filter -> score -> select the target clusters of one workload, with a reason for
every cluster left out and the eviction decision for clusters that must be left.

Filtering follows Karmada's plugins (affinity, taints/tolerations, spread); scoring prefers
clusters that already run the workload (locality), then free capacity; selection applies spread
constraints over any of cluster, region, zone or provider.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from federation.core.health import RECOVERING_TAINT, UNREACHABLE_TAINT
from federation.core.model import Cluster, ClusterAffinity, FailoverPolicy, Placement, Taint

HEALTH_TAINTS = frozenset({UNREACHABLE_TAINT, RECOVERING_TAINT})
LOCALITY_SCORE = 100
PREFER_NO_SCHEDULE_PENALTY = 50


@dataclass(frozen=True)
class PlacementResult:
    selected: tuple[str, ...]  # best first
    excluded: Mapping[str, str] = field(default_factory=dict)  # cluster -> reason
    evict: Mapping[str, str] = field(default_factory=dict)  # hosting clusters to leave -> reason
    next_eviction_at: float | None = None  # a toleration that runs out later
    scores: Mapping[str, int] = field(default_factory=dict)
    # a spread constraint that cannot be met right now, tolerated to keep a running workload
    degraded: str = ""


def _no_execute_verdict(
    taint: Taint, placement: Placement, failover: FailoverPolicy, now: float
) -> tuple[bool, float | None]:
    """(evict now?, later eviction time) for a hosting cluster carrying a NoExecute taint."""
    added = taint.time_added if taint.time_added is not None else now
    tol = next((t for t in placement.tolerations if t.tolerates(taint)), None)
    if taint.key in HEALTH_TAINTS:
        if not failover.enabled:
            return False, None
        if tol is None:
            due = added + failover.toleration_seconds
        elif tol.toleration_seconds is None:
            return False, None
        else:
            due = added + tol.toleration_seconds
    else:
        if tol is None:
            return True, None
        if tol.toleration_seconds is None:
            return False, None
        due = added + tol.toleration_seconds
    return (True, None) if now >= due else (False, due)


def _taint_filter(
    c: Cluster,
    taints: Sequence[Taint],
    placement: Placement,
    failover: FailoverPolicy,
    hosting: bool,
    now: float,
) -> tuple[str | None, str | None, float | None, int]:
    """(exclusion reason, eviction reason, next eviction time, score penalty) for one cluster."""
    penalty, later = 0, None
    for t in taints:
        tolerated = any(tol.tolerates(t) for tol in placement.tolerations)
        label = f"{t.key}:{t.effect}"
        if t.effect == "PreferNoSchedule":
            penalty += 0 if tolerated else PREFER_NO_SCHEDULE_PENALTY
        elif t.effect == "NoSchedule":
            if not tolerated and not hosting:
                return f"untolerated taint {label}", None, None, 0
        else:  # NoExecute
            if hosting:
                evict, due = _no_execute_verdict(t, placement, failover, now)
                if evict:
                    return f"evicted: taint {label}", f"taint {label}", None, 0
                if due is not None:
                    later = due if later is None else min(later, due)
            elif not tolerated:
                return f"untolerated taint {label}", None, None, 0
    return None, None, later, penalty


def _affinity_reason(groups: Sequence[ClusterAffinity], c: Cluster) -> tuple[int, str | None]:
    """Index of the first affinity group matching c, or (-1, why none does)."""
    reason = None
    for i, g in enumerate(groups):
        why = g.mismatch(c)
        if why is None:
            return i, None
        reason = reason or why
    return -1, reason or "no affinity group matches"


def place(
    placement: Placement,
    failover: FailoverPolicy,
    clusters: Sequence[Cluster],
    taints: Mapping[str, Sequence[Taint]],
    hosting: Collection[str],
    now: float,
    free: Mapping[str, int | None] | None = None,
) -> PlacementResult:
    """Choose target clusters. `taints` are the effective taints (declared + health) per cluster,
    `hosting` the clusters the workload is assigned to now, `free` an estimate of how many more
    replicas each cluster can take (None = unknown)."""
    free = free or {}
    groups = placement.affinity_groups or (placement.affinity,)
    excluded: dict[str, str] = {}
    evict: dict[str, str] = {}
    later: float | None = None
    feasible: list[tuple[int, Cluster, int]] = []  # (group index, cluster, score)
    for c in clusters:
        gi, why = _affinity_reason(groups, c)
        is_hosting = c.name in hosting
        if why is not None:
            excluded[c.name] = why
            if is_hosting:
                evict[c.name] = f"no longer matches placement ({why})"
            continue
        out, ev, due, penalty = _taint_filter(
            c, taints.get(c.name, ()), placement, failover, is_hosting, now
        )
        if due is not None:
            later = due if later is None else min(later, due)
        if ev is not None:
            evict[c.name] = ev
        if out is not None:
            excluded[c.name] = out
            continue
        feasible.append((gi, c, (LOCALITY_SCORE if is_hosting else 0) - penalty))
    if feasible and len(groups) > 1:
        best = min(gi for gi, _, _ in feasible)
        for gi, c, _ in feasible:
            if gi != best:
                excluded[c.name] = f"affinity group {gi} is only a fallback (group {best} fits)"
        feasible = [f for f in feasible if f[0] == best]

    def rank(item: tuple[int, Cluster, int]) -> tuple[int, int, str]:
        _, c, score = item
        room = free.get(c.name)
        return (-score, -(room if room is not None else 1 << 30), c.name)

    feasible.sort(key=rank)
    scores = {c.name: s for _, c, s in feasible}
    # a workload already running keeps its feasible clusters when too few groups remain
    # (a region lost): evicting the healthy rest as well would turn degraded into down
    running = any(c.name in hosting for _, c, _ in feasible)
    chosen, spread_out, degraded = _spread([c for _, c, _ in feasible], placement, running)
    excluded.update(spread_out)
    for name in hosting:
        if name in spread_out and name not in evict:
            evict[name] = f"spread constraint ({spread_out[name]})"
    selected = tuple(c.name for c in chosen)
    return PlacementResult(selected, excluded, evict, later, scores, degraded)


def _spread(
    ranked: list[Cluster], placement: Placement, tolerate_short: bool
) -> tuple[list[Cluster], dict[str, str], str]:
    """Apply spread constraints to clusters ranked best-first. With `tolerate_short`, an unmet
    minGroups keeps what is feasible and says so instead of selecting nothing."""
    out: dict[str, str] = {}
    degraded = ""
    order_index = {c.name: i for i, c in enumerate(ranked)}
    chosen = ranked
    cluster_rule = None
    for sc in placement.spread:
        if sc.spread_by == "cluster":
            cluster_rule = sc
            continue
        by_group: dict[str, list[Cluster]] = {}
        for c in chosen:
            value = c.fields()[sc.spread_by]
            if not value:
                out[c.name] = f"spread by {sc.spread_by}: cluster has no {sc.spread_by}"
                continue
            by_group.setdefault(value, []).append(c)
        # groups in order of their best cluster (ranked order is preserved inside a group)
        order = sorted(by_group, key=lambda g: order_index[by_group[g][0].name])
        if len(order) < sc.min_groups:
            why = (
                f"spread by {sc.spread_by}: {len(order)} group(s) feasible, "
                f"minGroups is {sc.min_groups}"
            )
            if not tolerate_short:
                for c in chosen:
                    out.setdefault(c.name, why)
                return [], out, ""
            degraded = why
        keep = order[: sc.max_groups] if sc.max_groups is not None else order
        for g in order[len(keep) :]:
            for c in by_group[g]:
                out[c.name] = (
                    f"spread by {sc.spread_by}: {sc.spread_by} {g} not among the best {len(keep)}"
                )
        # round-robin across kept groups so a cluster cap keeps the groups represented
        queues = [list(by_group[g]) for g in keep]
        chosen = []
        while any(queues):
            for q in queues:
                if q:
                    chosen.append(q.pop(0))
    if cluster_rule is not None:
        if len(chosen) < cluster_rule.min_groups:
            why = (
                f"spread by cluster: {len(chosen)} feasible, minGroups is {cluster_rule.min_groups}"
            )
            if not tolerate_short:
                for c in chosen:
                    out.setdefault(c.name, why)
                return [], out, ""
            degraded = degraded or why
        if cluster_rule.max_groups is not None:
            for c in chosen[cluster_rule.max_groups :]:
                out[c.name] = f"spread by cluster: beyond maxGroups {cluster_rule.max_groups}"
            chosen = chosen[: cluster_rule.max_groups]
    chosen.sort(key=lambda c: order_index[c.name])
    return chosen, out, degraded
