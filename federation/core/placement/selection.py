"""Choosing a workload's target clusters: filter -> score -> select, spread constraints
applied, with the shared path (`placement.shared`) for the simple policies."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from federation.core.model import Cluster, FailoverPolicy, Placement, Taint
from federation.core.placement.filters import (
    LOCALITY_SCORE,
    membership,
    membership_in,
    taint_filter,
)
from federation.core.placement.result import PlacementResult
from federation.core.placement.shared import place_shared
from federation.core.spread import select_spread

_NO_FREE: Mapping[str, int | None] = {}


def place(
    placement: Placement,
    failover: FailoverPolicy,
    clusters: Sequence[Cluster],
    taints: Mapping[str, Sequence[Taint]],
    hosting: Collection[str],
    now: float,
    free: Mapping[str, int | None] | None = None,
    *,
    memo: dict[Any, Any] | None = None,
    barred: Mapping[str, str] | None = None,
    group: int | None = None,
) -> PlacementResult:
    """Choose target clusters. `taints` are the effective taints (declared + health) per cluster,
    `hosting` the clusters the workload is assigned to now, `free` an estimate of how many more
    replicas each cluster can take (None = unknown).

    `memo` (optional: a dict the caller keeps, e.g. one per policy and request) lets workloads
    share the verdicts on the clusters they are not on: a workload then costs its hosting
    clusters plus a merge, not a pass over every cluster. The memo remembers its inputs
    (`placement`, `failover`, `clusters` and `free` by identity, `taints` by value) and is
    rebuilt when they differ, so the result is the same either way. Treat `free` and the
    mappings in `taints` as read-only while a memo may hold them.

    `barred` (cluster -> reason) are clusters this workload may not be placed on for now (it
    was evicted from them, see `federation.core.eviction`); they are filtered out with that
    reason before anything is selected.

    `group` (an index into `placement.affinity_groups`) places with that affinity group alone,
    as Karmada's scheduler does with the group it tries (see `federation.core.affinity_groups`):
    a cluster of another group only is excluded and not evicted (the workload leaves it, if it
    does, by a change of layout); a cluster of no group is evicted as ever. Without it, the
    first group with a feasible cluster is used."""
    free = free or _NO_FREE
    groups = placement.affinity_groups or (placement.affinity,)
    fields = spread_fields(placement)
    if (
        memo is not None
        and group is None
        and len(groups) == 1
        and not placement.spread
        and not placement.overflow
    ):
        return place_shared(placement, failover, clusters, taints, hosting, now, free, memo, barred)
    excluded: dict[str, str] = {}
    evict: dict[str, str] = {}
    later: float | None = None
    feasible: list[tuple[int, Cluster, int]] = []  # (group index, cluster, score)
    tier: dict[str, int] = {}
    for c in clusters:
        gi, k, why = membership(placement, c)
        if group is not None and why is None:
            k, other = membership_in(placement, group, c)
            if other is not None:
                # a cluster of another group only: not a candidate of this one, not evicted
                used = placement.group_name(group)
                if gi > group:
                    why = f"affinity group {placement.group_name(gi)} is only a fallback"
                    excluded[c.name] = f"{why} (group {used} is used)"
                else:
                    excluded[c.name] = f"not in affinity group {used} ({other})"
                if c.name in hosting:
                    # a taint evicts from it whichever group is used
                    _, ev, due, _ = taint_filter(
                        c, taints.get(c.name, ()), placement, failover, True, now
                    )
                    if due is not None:
                        later = due if later is None else min(later, due)
                    if ev is not None:
                        evict[c.name] = ev
                continue
            gi = group
        if k:
            tier[c.name] = k
        is_hosting = c.name in hosting
        if why is not None:
            excluded[c.name] = why
            if is_hosting:
                evict[c.name] = f"no longer matches placement ({why})"
            continue
        out, ev, due, penalty = taint_filter(
            c, taints.get(c.name, ()), placement, failover, is_hosting, now
        )
        if due is not None:
            later = due if later is None else min(later, due)
        if ev is not None:
            evict[c.name] = ev
        if out is not None:
            excluded[c.name] = out
            continue
        if barred and c.name in barred:
            excluded[c.name] = barred[c.name]
            continue
        lacking = next((f for f in fields if not c.fields()[f]), None)
        if lacking is not None:
            # spread constraints group clusters by these fields: a cluster without one belongs
            # to no group, whichever constraint is listed first (Karmada filters it as well)
            excluded[c.name] = f"spread by {lacking}: cluster has no {lacking}"
            if is_hosting:
                evict[c.name] = f"spread constraint (cluster has no {lacking})"
            continue
        feasible.append((gi, c, (LOCALITY_SCORE if is_hosting else 0) - penalty))
    if feasible and len(groups) > 1 and group is None:
        best = min(gi for gi, _, _ in feasible)
        for gi, c, _ in feasible:
            if gi != best:
                excluded[c.name] = f"affinity group {gi} is only a fallback (group {best} fits)"
        feasible = [f for f in feasible if f[0] == best]

    def rank(item: tuple[int, Cluster, int]) -> tuple[int, int, int, str]:
        # an earlier overflow tier first (Karmada: tier before score), then locality, room
        _, c, score = item
        room = free.get(c.name)
        return (tier.get(c.name, 0), -score, -(room if room is not None else 1 << 30), c.name)

    feasible.sort(key=rank)
    scores = {c.name: s for _, c, s in feasible}
    # a workload already running keeps its feasible clusters when too few groups remain
    # (a region lost): evicting the healthy rest as well would turn degraded into down
    running = any(c.name in hosting for _, c, _ in feasible)
    chosen, spread_out, degraded = select_spread([c for _, c, _ in feasible], placement, running)
    excluded.update(spread_out)
    for name in hosting:
        if name in spread_out and name not in evict:
            evict[name] = f"spread constraint ({spread_out[name]})"
    selected = tuple(c.name for c in chosen)
    tiers = {n: tier[n] for n in selected if n in tier}
    return PlacementResult(selected, excluded, evict, later, scores, degraded, tiers)


def spread_fields(placement: Placement) -> tuple[str, ...]:
    """The cluster fields (region, zone, provider) the placement's spread constraints group by."""
    return tuple(sc.spread_by for sc in placement.spread if sc.spread_by != "cluster")
