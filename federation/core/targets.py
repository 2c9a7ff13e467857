"""Replica targets of one workload: its division rows (weight, bounds, current replicas,
capacity on each cluster) and the division itself, memoised by value across reconciles."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, NamedTuple

from federation.core.context import Context
from federation.core.division import divide
from federation.core.memo import remember
from federation.core.model import Cluster, PropagationPolicy, Resources, Workload
from federation.core.pending import Limit
from federation.core.webster import tie_ascending


def weight_and_bounds(policy: PropagationPolicy, c: Cluster) -> tuple[int, int, int | None]:
    """(weight, min, max) of cluster `c` under `policy`: the largest matching weight rule (1
    for every cluster without weight rules, 0 for a cluster none matches), the first matching
    bounds rule."""
    rs = policy.placement.replicas
    if rs.weights:
        weight = max((r.weight for r in rs.weights if r.target.matches(c)), default=0)
    else:
        weight = 1
    bounds = next((b for b in rs.bounds if b.target.matches(c)), None)
    return weight, (bounds.min if bounds else 0), (bounds.max if bounds else None)


_Row = tuple[str, int, int, int | None, int, int | None]  # name weight min max current cap

# Division is a pure function of its rows, so its results are memoised by value across
# reconciles: a resync or a health change re-divides every workload, mostly with the same rows
# as last time, and workloads of one shape share them. kfed's division reads the workload key
# only through the parity of its hash (`tie_ascending`, see federation.core.kfed_division), so
# for kfed that parity is the key of the memo, and equal-shaped workloads share one entry.
# kfed's divisions are keyed by the selected clusters' rows, their capacities as unknown where
# they cannot bind (`_ample`): free room moves with every pod placed anywhere, and a key that
# followed it would miss nearly every time. The other methods' rows are keyed as (base rows,
# selected clusters, the rows that differ from the base): the base rows of a (policy, request)
# are interned as a number when they change, so a lookup hashes a tuple of names, not a tuple
# of rows. Numbers are never reused, so clearing the tables only costs misses.
_DIVISIONS: dict[tuple[Any, ...], tuple[tuple[tuple[str, int], ...], int, bool, int | None]] = {}
_BASES: dict[tuple[_Row, ...], int] = {}
_TIES: dict[str, bool] = {}
_NUMBERS = itertools.count()
# Per-cluster work every reconcile repeats, kept between reconciles while its inputs are the
# same objects (or, for taints, equal): free replicas per request, placement verdicts and base
# division rows per (policy, request). Each entry holds its inputs and is checked before use.
_ROWS: dict[tuple[str, str, Resources | None], tuple[Any, ...]] = {}


# Karmada's Steady-mode methods: they keep the current layout unless told to start afresh
_STEADY = frozenset({"webster-dynamic", "webster-aggregated"})


def bucket(policy: PropagationPolicy, w: Workload) -> tuple[str, str, Resources | None]:
    """Workloads of one policy asking the same request see the same free room everywhere."""
    return (policy.namespace, policy.name, w.request if w.divisible else None)


def _base_rows(
    ctx: Context, w: Workload, policy: PropagationPolicy, free: Mapping[str, int | None]
) -> tuple[dict[str, _Row], int]:
    """Each cluster's division row for a workload that has nothing there yet, and the number
    standing for exactly these rows."""
    k = bucket(policy, w)
    clusters = ctx.desired.clusters
    hit = _ROWS.get(k)
    if hit is not None and hit[0] is policy and hit[1] is clusters and hit[2] is free:
        return hit[3], hit[4]
    rows: dict[str, _Row] = {}
    for c in clusters:
        weight, lo, hi = weight_and_bounds(policy, c)
        rows[c.name] = (c.name, weight, lo, hi, 0, free.get(c.name))
    content = tuple(rows.values())
    number = _BASES.get(content)
    if number is None:
        number = remember(_BASES, content, next(_NUMBERS))
    remember(_ROWS, k, (policy, clusters, free, rows, number))
    return rows, number


def _tie(method: str, uid: str) -> str | bool:
    """What of the workload key a division method reads (see the memo note above)."""
    if method != "kfed":
        return uid
    tie = _TIES.get(uid)
    if tie is None:
        tie = remember(_TIES, uid, tie_ascending(uid))
    return bool(tie)


def divide_replicas(
    ctx: Context,
    w: Workload,
    policy: PropagationPolicy,
    selected: tuple[str, ...],
    current: Mapping[str, int],
    free: Mapping[str, int | None],
    rebalance: bool,
    limits: Mapping[str, Limit] | None = None,
    tiers: Mapping[str, int] | None = None,
) -> Targets:
    """Replicas per selected cluster, how many fit nowhere, whether room decided the
    layout (a capacity pushed replicas elsewhere, some fit nowhere, or a Pending cap holds):
    only such workloads can change when a member's room changes. `limits` cap clusters whose
    replicas stayed Pending (federation.core.pending): their share and capacity are cut to what
    they placed, so the division moves the rest. `tiers` (cluster -> overflow tier, see
    `placement.PlacementResult.tiers`) fill in order: see `tiered`. `room` is Karmada's
    available replicas of the selected clusters (what each can hold, less what it runs, summed;
    None when a cluster's room is unknown)."""
    total = w.replicas or 0
    rs = policy.placement.replicas
    if rs.type == "Duplicated":
        return Targets({c: total for c in selected}, 0, False, None)
    if not selected:  # nothing admits it: room is not what holds it back
        return Targets({}, total, False, 0)
    key = w.key
    method = rs.method_name()
    if rebalance and method in _STEADY:
        # a one-shot fresh division (failback), as Karmada's WorkloadRebalancer asks for:
        # these methods keep the current layout otherwise
        current = {}
    if limits:
        current = {c: min(n, limits[c].replicas) if c in limits else n for c, n in current.items()}
    base, number = _base_rows(ctx, w, policy, free)
    # rows that differ from the base: clusters the workload is assigned to or present on,
    # capped by Pending replicas, or whose room other workloads' unplaced replicas reserve
    special: dict[str, _Row] = {}
    reserved = ctx.reserved
    taken = [n for n in selected if n in reserved and _short(ctx, w, n, free, total)]
    pinned = _pinned(ctx, w, selected)
    for name in (*current, *ctx.holders(key), *(limits or ()), *taken, *pinned):
        if name in special or name not in base:
            continue
        _, weight, lo, hi, _, room = base[name]
        if name in ctx.reserved and room is not None:
            room = ctx.room_after(name, w.request)
        obj = ctx.object(name, key)
        # capacity = replicas already holding resources there, those on their way (asked, not
        # placed and not Pending: their room is reserved for them) + what still fits
        held = 0
        if obj is not None:
            held = obj.scheduled if obj.scheduled is not None else (obj.ready_replicas or 0)
        # replicas already asked of this cluster stay there, placed or not: room decides where
        # NEW replicas go; replicas that stay Pending move only after the rescheduling threshold
        # (federation.core.pending). Cutting them at once, on an estimate that moves with every
        # observation, would bounce them between clusters.
        held = max(held, current.get(name, 0))
        cap = None if room is None else held + room
        if name in pinned:
            cap = None  # an override fixes what it runs: its share takes no room
        if limits and name in limits:
            cap = limits[name].replicas if cap is None else min(cap, limits[name].replicas)
        special[name] = (name, weight, lo, hi, current.get(name, 0), cap)
    uid = w.tie_key(method)
    rebalance = rebalance or rs.rebalance
    tier_key = tuple(sorted((tiers or {}).items()))
    memo_key: tuple[Any, ...]
    if method == "kfed":
        # kfed reads a capacity only up to what the workload could put there (see `_ample`):
        # keyed by its rows with such capacities as unknown, one division serves every
        # reconcile that differs only in room that does not bind, whatever the rest of the fleet
        chosen = tuple(_ample(special.get(n) or base[n], total) for n in selected)
        memo_key = (total, method, _tie(method, uid), rebalance, chosen, tier_key)
    else:
        differ: tuple[_Row, ...] = ()
        if special:
            wanted = set(selected)
            differ = tuple(sorted(r for n, r in special.items() if n in wanted and r != base[n]))
        memo_key = (total, method, _tie(method, uid), rebalance, number, selected, differ, tier_key)
        chosen = tuple(special.get(n) or base[n] for n in selected)
    hit = _DIVISIONS.get(memo_key)
    if hit is None:
        rows = [
            {"name": n, "weight": wt, "min": lo, "max": hi, "current": cur, "capacity": cap}
            for n, wt, lo, hi, cur, cap in chosen
        ]
        replicas, unschedulable, capped = tiered(total, rows, tiers or {}, method, uid, rebalance)
        hit = remember(
            _DIVISIONS,
            memo_key,
            (
                tuple((c, n) for c, n in sorted(replicas.items()) if n > 0),
                unschedulable,
                capped or bool(unschedulable),
                _room(chosen),
            ),
        )
    return Targets(dict(hit[0]), hit[1], hit[2] or bool(limits), hit[3])


class Targets(NamedTuple):
    """What `divide_replicas` decided for one workload."""

    replicas: dict[str, int]
    unschedulable: int
    bound: bool  # room decided the layout
    room: int | None  # available replicas of the selected clusters (None: unknown)


def _room(rows: tuple[_Row, ...]) -> int | None:
    """Karmada's available replicas of these rows: capacity less current, summed."""
    total = 0
    for _, _, _, _, cur, cap in rows:
        if cap is None:
            return None
        total += max(0, cap - cur)
    return total


def _ample(row: _Row, total: int) -> _Row:
    """`row` with its capacity as unknown (None) when it cannot bind kfed's division of `total`
    replicas: kfed reads a capacity only through the cluster's upper bound min(max, capacity)
    (its lower bound min(min, upper), the replicas it keeps min(current, upper), and the cap on
    the seats it gets) and the overflow (what it would get without capacities, at most `total`,
    above the capacity). A capacity of at least max(total, min, current) changes none of them:
    no cluster gets more than `total` seats, and the minimum and the kept replicas stay whole.
    The same holds of `tiered`'s tier room (a tier then holds at least what is left)."""
    name, weight, lo, hi, cur, cap = row
    if cap is not None and cap >= total and cap >= lo and cap >= cur:
        return (name, weight, lo, hi, cur, None)
    return row


def _pinned(ctx: Context, w: Workload, selected: tuple[str, ...]) -> tuple[str, ...]:
    """Selected clusters where an override fixes the replica count, whatever the share."""
    if not ctx.desired.overrides_for(w):
        return ()
    out = []
    for name in selected:
        c = ctx.desired.cluster(name)
        assert c is not None
        if ctx.desired.rendered(w, c, 1)[2] == ctx.desired.rendered(w, c, 2)[2]:
            out.append(name)
    return tuple(out)


def tiered(
    total: int,
    rows: list[dict[str, Any]],
    tiers: Mapping[str, int],
    method: str,
    key: str,
    rebalance: bool,
) -> tuple[dict[str, int], int, bool]:
    """Divide `total` over `rows` tier by tier (Karmada's overflow affinities): tier k takes
    min(what is left, what its clusters can hold), divided among them by `method`; what a tier
    cannot take goes to the next, and what no tier takes is unschedulable. So replicas reach an
    overflow tier only when the tiers before it are full, and leave it first on scale-down.
    Without tiers it is one `divide`. The third value says whether room decided the layout
    (a capacity pushed replicas elsewhere, or spilled them to a later tier)."""
    if not any(tiers.get(r["name"], 0) for r in rows):
        div = divide(total, rows, method=method, key=key, rebalance=rebalance)
        return dict(div.replicas), div.unschedulable, bool(div.overflow)
    out: dict[str, int] = {}
    left = total
    capped = False
    for k in sorted({tiers.get(r["name"], 0) for r in rows}):
        mine = [r for r in rows if tiers.get(r["name"], 0) == k]
        caps = [r["capacity"] for r in mine]
        room = None if any(c is None for c in caps) else sum(caps)
        share = left if room is None else min(left, room)
        capped = capped or share < left or (k > 0 and share > 0)
        div = divide(share, mine, method=method, key=key, rebalance=rebalance)
        capped = capped or bool(div.overflow)
        out.update(div.replicas)
        left -= share - div.unschedulable
    return out, left, capped


def _short(
    ctx: Context, w: Workload, name: str, free: Mapping[str, int | None], total: int
) -> bool:
    """Do other workloads' reservations on `name` cut the room `w` could use there?"""
    room = free.get(name)
    if room is None:
        return False
    after = ctx.room_after(name, w.request)
    return after is not None and after < min(room, total)


# placement verdicts shared by the workloads of one (policy, request), see placement.place
_PLACEMENTS: dict[tuple[str, str, Resources | None], dict[Any, Any]] = {}


def placement_memo(policy: PropagationPolicy, w: Workload) -> dict[Any, Any]:
    k = bucket(policy, w)
    return _PLACEMENTS.get(k) or remember(_PLACEMENTS, k, {})
