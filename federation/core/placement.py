"""Placement: filter -> score -> select the target clusters of one workload, with a reason for
every cluster left out and the eviction decision for clusters that must be left.

Filtering follows Karmada's plugins (affinity, taints/tolerations, spread); scoring prefers
clusters that already run the workload (locality), then free capacity; selection applies spread
constraints over any of cluster, region, zone or provider.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from federation.core.health import RECOVERING_TAINT, UNREACHABLE_TAINT
from federation.core.model import Cluster, ClusterAffinity, FailoverPolicy, Placement, Taint
from federation.core.spread import select_spread

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
    # selected clusters of an overflow tier (Karmada overflowAffinities): cluster -> tier >= 1;
    # clusters of the group itself (tier 0) are not listed
    tiers: Mapping[str, int] = field(default_factory=dict)


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
            else:
                # a cluster the workload is not on yet is admitted only by a toleration
                # without a time limit: a timed one would evict what it just placed
                tol = next((x for x in placement.tolerations if x.tolerates(t)), None)
                if tol is None:
                    return f"untolerated taint {label}", None, None, 0
                if tol.toleration_seconds is not None:
                    why = f"taint {label} is tolerated only for {tol.toleration_seconds:g}s"
                    return why, None, None, 0
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


def _membership(placement: Placement, c: Cluster) -> tuple[int, int, str | None]:
    """(group, tier, None) of the first affinity group c belongs to, where tier 0 is the group
    itself and tier k its k-th overflow affinity (the first one c matches); or (-1, 0, why)."""
    groups = placement.affinity_groups or (placement.affinity,)
    if not placement.overflow:
        gi, why = _affinity_reason(groups, c)
        return gi, 0, why
    reason = None
    for i, g in enumerate(groups):
        tiers = (g, *(placement.overflow[i] if i < len(placement.overflow) else ()))
        for k, a in enumerate(tiers):
            why = a.mismatch(c)
            if why is None:
                return i, k, None
            if k == 0:
                reason = reason or why
    return -1, 0, reason or "no affinity group matches"


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
    reason before anything is selected."""
    free = free or _NO_FREE
    groups = placement.affinity_groups or (placement.affinity,)
    fields = spread_fields(placement)
    if memo is not None and len(groups) == 1 and not placement.spread and not placement.overflow:
        return _place_shared(
            placement, failover, clusters, taints, hosting, now, free, memo, barred
        )
    excluded: dict[str, str] = {}
    evict: dict[str, str] = {}
    later: float | None = None
    feasible: list[tuple[int, Cluster, int]] = []  # (group index, cluster, score)
    tier: dict[str, int] = {}
    for c in clusters:
        gi, k, why = _membership(placement, c)
        if k:
            tier[c.name] = k
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
    if feasible and len(groups) > 1:
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


def _rank(score: int, room: int | None, name: str) -> tuple[int, int, str]:
    return (-score, -(room if room is not None else 1 << 30), name)


class _Shared:
    """One policy's placement verdicts on every cluster for a workload that is not on it."""

    __slots__ = (
        "by_name",
        "excluded",
        "excluded_view",
        "index",
        "inputs",
        "mismatch",
        "names",
        "position",
        "ranks",
        "scores",
        "selected",
    )

    def __init__(
        self,
        placement: Placement,
        failover: FailoverPolicy,
        clusters: Sequence[Cluster],
        taints: Mapping[str, Sequence[Taint]],
        now: float,
        free: Mapping[str, int | None],
    ) -> None:
        # `now` is not among them: it only matters to clusters the workload is on
        self.inputs = (placement, failover, clusters, taints, free)
        self.excluded: dict[str, str] = {}  # in cluster order, as `place` fills it
        self.excluded_view = MappingProxyType(self.excluded)
        self.mismatch: set[str] = set()  # excluded by affinity (hosting or not)
        feasible: list[tuple[tuple[int, int, str], int]] = []  # (rank, score)
        groups = placement.affinity_groups or (placement.affinity,)
        for c in clusters:
            _, why = _affinity_reason(groups, c)
            if why is not None:
                self.excluded[c.name] = why
                self.mismatch.add(c.name)
                continue
            out, _, _, penalty = _taint_filter(
                c, taints.get(c.name, ()), placement, failover, False, now
            )
            if out is not None:
                self.excluded[c.name] = out
                continue
            feasible.append((_rank(-penalty, free.get(c.name), c.name), -penalty))
        feasible.sort(key=_rank_of)
        # feasible clusters best first, as three parallel lists, and where each one is
        self.ranks = [rank for rank, _ in feasible]
        self.names = [rank[2] for rank, _ in feasible]
        self.scores = [score for _, score in feasible]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.selected = tuple(self.names)
        self.by_name = {c.name: c for c in clusters}
        self.position = {c.name: i for i, c in enumerate(clusters)}

    def exclusions(self, differs: Mapping[str, str | None]) -> dict[str, str]:
        """The shared exclusions with some clusters' verdicts replaced (None = not excluded),
        in cluster order as `place` lists them."""
        out = {n: r for n, r in self.excluded.items() if n not in differs}
        added = [(n, r) for n, r in differs.items() if r is not None]
        if not added:
            return out
        out.update(added)
        return {n: out[n] for n in sorted(out, key=self.position.__getitem__)}

    def serves(
        self,
        placement: Placement,
        failover: FailoverPolicy,
        clusters: Sequence[Cluster],
        taints: Mapping[str, Sequence[Taint]],
        now: float,
        free: Mapping[str, int | None],
    ) -> bool:
        p, f, c, t, fr = self.inputs
        if p is not placement or f is not failover or c is not clusters or fr is not free:
            return False
        if t is not taints:
            if t != taints:
                return False
            self.inputs = (p, f, c, taints, fr)  # equal: compare by identity from now on
        return True


def _place_shared(
    placement: Placement,
    failover: FailoverPolicy,
    clusters: Sequence[Cluster],
    taints: Mapping[str, Sequence[Taint]],
    hosting: Collection[str],
    now: float,
    free: Mapping[str, int | None],
    memo: dict[Any, Any],
    barred: Mapping[str, str] | None = None,
) -> PlacementResult:
    """`place` for a policy with one affinity group and no spread constraints, from verdicts
    shared across workloads: only the clusters the workload is on and those `barred` to it
    are looked at on their own, each as the general path would, and the result (the order of
    `excluded` and `evict` included) is the general path's."""
    shared: _Shared | None = memo.get("shared")
    if shared is None or not shared.serves(placement, failover, clusters, taints, now, free):
        shared = memo["shared"] = _Shared(placement, failover, clusters, taints, now, free)
    later: float | None = None
    own: list[tuple[tuple[int, int, str], int]] = []
    by_name = shared.by_name
    mine: set[str] = set()  # looked at on their own
    differs: dict[str, str | None] = {}  # their verdicts where the shared one does not hold
    evict: dict[str, str] = {}
    for name in (*hosting, *(barred or ())):
        c = by_name.get(name)
        if c is None or name in mine:
            continue
        mine.add(name)
        is_hosting = name in hosting
        if name in shared.mismatch:  # excluded for its affinity whatever else holds
            if is_hosting:
                evict[name] = f"no longer matches placement ({shared.excluded[name]})"
            continue
        out, ev, due, penalty = _taint_filter(
            c, taints.get(name, ()), placement, failover, is_hosting, now
        )
        if due is not None:
            later = due if later is None else min(later, due)
        if ev is not None:
            evict[name] = ev
        if out is None and barred and name in barred:
            out = barred[name]
        if out is not None:
            if shared.excluded.get(name) != out:
                differs[name] = out
            continue
        if name in shared.excluded:
            differs[name] = None  # feasible for this workload only
        score = (LOCALITY_SCORE if is_hosting else 0) - penalty
        own.append((_rank(score, free.get(name), name), score))
    # read-only and shared by every workload it fits: with many clusters and narrow
    # affinities it lists nearly every cluster, so a copy per workload would cost O(clusters)
    # time and memory each
    excluded: Mapping[str, str] = shared.excluded_view
    if differs:
        excluded = shared.exclusions(differs)
    if len(evict) > 1:
        evict = {n: evict[n] for n in sorted(evict, key=shared.position.__getitem__)}
    if not mine:
        scores = _Scores(shared.names, shared.scores)
        return PlacementResult(shared.selected, excluded, evict, later, scores, "")
    own.sort(key=_rank_of)
    ranks = shared.ranks
    index = shared.index
    gone = sorted(index[n] for n in mine if n in index)
    if not ranks or not own or own[-1][0] < ranks[0]:
        # the usual case: the clusters it is on come first (locality), then the shared order
        names = [rank[2] for rank, _ in own]
        points = [score for _, score in own]
        start = 0
        for i in gone:
            names.extend(shared.names[start:i])
            points.extend(shared.scores[start:i])
            start = i + 1
        names.extend(shared.names[start:])
        points.extend(shared.scores[start:])
    else:
        ranks, names, points = ranks[:], shared.names[:], shared.scores[:]
        for i in reversed(gone):
            del ranks[i], names[i], points[i]
        for rank, score in own:
            j = bisect.bisect_left(ranks, rank)
            ranks.insert(j, rank)
            names.insert(j, rank[2])
            points.insert(j, score)
    return PlacementResult(tuple(names), excluded, evict, later, _Scores(names, points), "")


def _rank_of(item: tuple[tuple[int, int, str], int]) -> tuple[int, int, str]:
    return item[0]


class _Scores(Mapping[str, int]):
    """`PlacementResult.scores` of the shared path: a read-only mapping built on first use
    (the planner never reads it; building it for every workload would cost more than the
    rest of the placement)."""

    __slots__ = ("_built", "_names", "_points")

    def __init__(self, names: Sequence[str], points: Sequence[int]) -> None:
        self._names = names
        self._points = points
        self._built: dict[str, int] | None = None

    def _dict(self) -> dict[str, int]:
        if self._built is None:
            self._built = dict(zip(self._names, self._points, strict=True))
        return self._built

    def __getitem__(self, name: str) -> int:
        return self._dict()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return repr(self._dict())
