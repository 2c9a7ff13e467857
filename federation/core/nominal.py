"""Nominal desired replicas: what a workload runs on each member cluster when every member is
healthy, empty and as declared. It is the yardstick of availability: a Duplicated workload on
three clusters wants its replicas three times over, and an override's replica count is what
that member is meant to run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from federation.core.affinity_groups import fails_for_room
from federation.core.desired import DesiredState
from federation.core.model import PropagationPolicy, Resources, Workload
from federation.core.placement import PlacementResult, place
from federation.core.targets import tiered, weight_and_bounds
from federation.core.webster import tie_ascending


@dataclass(frozen=True)
class Nominal:
    """A workload's nominal layout: effective replicas per target cluster (nonzero only), the
    replicas that fit on no cluster, and whether its clusters share one count (Divided) or each
    run all of it (Duplicated)."""

    clusters: Mapping[str, int]
    unschedulable: int = 0
    duplicated: bool = False

    @property
    def total(self) -> int:
        """Replicas the federation is meant to run: every target's count, plus what fits
        nowhere (asked for, never served)."""
        return sum(self.clusters.values()) + self.unschedulable


def nominal(
    desired: DesiredState, w: Workload, memo: dict[Any, Any] | None = None
) -> Nominal:
    """The nominal layout of `w` (see the module docstring): placement with the clusters'
    declared taints only (and without the clusters drained or unjoining, or those a migration
    of `w` left), nothing running anywhere, free room = declared capacity (unknown
    when none is declared), a fresh division, then each target's rendered replica count.

    `memo` (a dict the caller keeps while `desired` stays the same) shares the placement and
    division of workloads with the same policy, request, count and tie-break, so a federation
    of many alike workloads costs one division per shape."""
    if not w.divisible:
        return Nominal(MappingProxyType({}))
    total = w.replicas or 0
    policy = desired.policy_for(w)
    if policy is None:
        return Nominal(MappingProxyType({}), total)
    memo = {} if memo is None else memo
    rs = policy.placement.replicas
    method = rs.method_name()
    tie: object = w.tie_key(method)
    if method == "kfed":
        tie = tie_ascending(str(tie))  # kfed reads only the parity of the key's hash
    barred = desired.barred_for(w)  # drained clusters, a migration's
    shape = (policy.namespace, policy.name, w.request, total, method, tie, tuple(sorted(barred)))
    hit = memo.get(shape)
    if hit is None:
        hit = memo[shape] = _shares(desired, w, policy, total, memo, barred)
    shares, unschedulable = hit
    out: dict[str, int] = {}
    plain = not desired.overrides_for(w)
    for name, n in shares:
        if plain:
            out[name] = n
            continue
        c = desired.cluster(name)
        assert c is not None
        effective = desired.rendered(w, c, n)[2]
        if effective:
            out[name] = effective
    return Nominal(MappingProxyType(out), unschedulable, rs.type == "Duplicated")


def _shares(
    desired: DesiredState,
    w: Workload,
    policy: PropagationPolicy,
    total: int,
    memo: dict[Any, Any],
    barred: Mapping[str, str],
) -> tuple[tuple[tuple[str, int], ...], int]:
    """(cluster, share) of the nominal division, and what fits nowhere."""
    clusters = desired.clusters
    free = memo.get(("free", w.request))
    if free is None:
        free = memo[("free", w.request)] = {
            c.name: (None if c.capacity == Resources() else c.capacity.replicas_fitting(w.request))
            for c in clusters
        }
    taints = memo.get("taints")
    if taints is None:
        taints = memo["taints"] = {c.name: c.taints for c in clusters}
    pl = policy.placement
    # ordered groups: the first that holds it, as a first scheduling walks them
    # (federation.core.affinity_groups); a group that fails for room is skipped
    tries: tuple[int | None, ...] = tuple(range(len(pl.affinity_groups)))
    if len(tries) < 2:
        tries = (None,)
    for group in tries:
        res = place(
            pl, policy.failover, clusters, taints, (), 0.0, free, barred=barred or None, group=group
        )
        got = _divided(desired, w, policy, total, res, free)
        if group is not None and (not res.selected or fails_for_room(policy, w, got[1])):
            continue
        return got
    return (), total


def _divided(
    desired: DesiredState,
    w: Workload,
    policy: PropagationPolicy,
    total: int,
    res: PlacementResult,
    free: Mapping[str, int | None],
) -> tuple[tuple[tuple[str, int], ...], int]:
    rs = policy.placement.replicas
    if rs.type == "Duplicated":
        return tuple((c, total) for c in sorted(res.selected)), 0
    if not res.selected:
        return (), total
    rows = []
    for name in res.selected:
        c = desired.cluster(name)
        assert c is not None
        weight, lo, hi = weight_and_bounds(policy, c)
        rows.append({"name": name, "weight": weight, "min": lo, "max": hi, "capacity": free[name]})
    method = rs.method_name()
    replicas, unschedulable, _ = tiered(
        total, rows, res.tiers, method, w.tie_key(method), rebalance=True
    )
    return tuple((c, n) for c, n in sorted(replicas.items()) if n > 0), unschedulable
