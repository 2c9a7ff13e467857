"""Placement verdicts shared by a policy's workloads: the clusters a workload is not on are
judged once per policy, so a workload costs its own clusters plus a merge."""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from federation.core.model import Cluster, FailoverPolicy, Placement, Taint
from federation.core.placement.filters import LOCALITY_SCORE, affinity_reason, taint_filter
from federation.core.placement.result import PlacementResult


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
            _, why = affinity_reason(groups, c)
            if why is not None:
                self.excluded[c.name] = why
                self.mismatch.add(c.name)
                continue
            out, _, _, penalty = taint_filter(
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


def place_shared(
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
        out, ev, due, penalty = taint_filter(
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
