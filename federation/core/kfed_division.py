"""kfed's own division (``kfed``, the default): Webster with min/max, capacity and overflow.

What Karmada users ask for (karmada-io/karmada#6511: per-cluster minimums; #6735: never lower a
cluster on scale-up) and what KubeFed's planner has but with a non-monotone rounding.

Bounds per cluster: upper ``u = min(max, capacity)`` (None = no limit), lower ``l = min(min, u)``.

rebalance=True (the layout depends only on the bounds, weights and total):

1. If ``total < sum(l)`` the minimums themselves are divided: Webster of `total` with weights
   ``l``, each cluster capped at its ``l``.
2. Otherwise every cluster starts at ``l`` and the remaining replicas are handed out one at a
   time, Webster-style (priority ``weight / (2 * seats + 1)``), to positive-weight clusters
   below ``u``.
3. Clusters with weight 0 get nothing beyond their minimum until every positive-weight cluster
   is at its upper bound; then they form an overflow tier, filled evenly (Webster with equal
   weights, i.e. the emptiest first).
4. What fits nowhere is `unschedulable`; it equals ``max(0, total - sum(u))``.

rebalance=False keeps running replicas where they are: clusters start at
``keep = max(l, min(current, u))``. If ``sum(keep) <= total`` steps 2-4 continue from there
(no cluster loses a replica). If ``sum(keep) > total`` the kept layout is scaled down: from
``l``, Webster of the rest with weights ``keep``, each cluster capped at its ``keep`` (step 1
applies instead when even the minimums do not fit).

Ties go to the cluster with fewer replicas, then by name in the direction chosen by the
parity of FNV-1a(key) (`federation.core.webster.tie_ascending`), so the order in which clusters
are listed never matters. Every step is a top-k selection over a fixed order of (cluster, seat)
slots, so with rebalance=True the result is house-monotone in `total` (also across the
``sum(l)`` boundary). Big totals cost O(n log(total) + n log n), not O(total).

``overflow[c]`` = what c would get with every capacity ignored (min and max still honoured)
minus its capacity, when positive: the replicas its capacity pushed to other clusters or into
`unschedulable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from federation.core.division_model import Member, Outcome, integer_votes
from federation.core.webster import Party, allocate, tie_ascending

__all__ = ["divide_kfed"]


def divide_kfed(total: int, members: Sequence[Member], key: str, rebalance: bool) -> Outcome:
    """Divide `total` over `members` with kfed's bounded Webster (see the module docstring)."""
    ascending = tie_ascending(key)
    replicas, unschedulable, reason = _layout(total, members, ascending, rebalance)
    overflow: dict[str, int] = {}
    if any(m.capacity is not None for m in members):
        uncapped = [replace(m, capacity=None) for m in members]
        wished, _, _ = _layout(total, uncapped, ascending, rebalance)
        for m in members:
            if m.capacity is not None and wished[m.name] > m.capacity:
                overflow[m.name] = wished[m.name] - m.capacity
    return Outcome(replicas, unschedulable, reason, overflow)


def _lower(m: Member) -> int:
    upper = m.upper
    return m.min if upper is None else min(m.min, upper)


def _layout(
    total: int, members: Sequence[Member], ascending: bool, rebalance: bool
) -> tuple[dict[str, int], int, str]:
    lower = {m.name: _lower(m) for m in members}
    floor = sum(lower.values())
    if total < floor:
        parties = [Party(m.name, lower[m.name], 0, lower[m.name]) for m in members]
        seats, _ = allocate(total, parties, ascending=ascending)
        return seats, 0, f"minimums ({floor}) exceed {total}: minimums divided by Webster"
    start = dict(lower)
    if not rebalance:
        for m in members:
            upper = m.upper
            kept = m.current if upper is None else min(m.current, upper)
            start[m.name] = max(lower[m.name], kept)
        held = sum(start.values())
        if held > total:
            parties = [Party(m.name, start[m.name], lower[m.name], start[m.name]) for m in members]
            seats, _ = allocate(total - floor, parties, ascending=ascending)
            return seats, 0, f"kept replicas ({held}) exceed {total}: scaled down in proportion"
        if held > floor:
            seats, left, reason = _fill(total - held, members, start, ascending)
            return seats, left, f"{held} kept where they run (no rebalance); {reason}"
    return _fill(total - sum(start.values()), members, start, ascending)


def _fill(
    extra: int, members: Sequence[Member], start: dict[str, int], ascending: bool
) -> tuple[dict[str, int], int, str]:
    """Hand `extra` replicas out above `start`: positive weights first, then the weight-0 tier."""
    weighted = [m for m in members if m.weight > 0]
    tier = [m for m in members if m.weight == 0]
    votes = integer_votes(m.weight for m in weighted)
    first = [Party(m.name, v, start[m.name], m.upper) for m, v in zip(weighted, votes, strict=True)]
    seats, left = allocate(extra, first, ascending=ascending)
    reason = f"{extra} replicas above the lower bounds by Webster" if extra else "none to add"
    if tier:
        second = [Party(m.name, 1, start[m.name], m.upper) for m in tier]
        spilled = left
        tier_seats, left = allocate(left, second, ascending=ascending)
        seats.update(tier_seats)
        if spilled:
            reason += f"; {spilled - left} to the weight-0 overflow tier"
    if left:
        reason += f"; {left} fit nowhere (upper bounds full)"
    return seats, left, reason
