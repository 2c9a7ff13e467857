"""Nominal desired replicas: what a workload runs on each member cluster when every member is
healthy, empty and as declared. It is the yardstick of availability: a Duplicated workload on
three clusters wants its replicas three times over, and an override's replica count is what
that member is meant to run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from federation.core.desired import DesiredState
from federation.core.division import divide
from federation.core.model import Resources, Workload
from federation.core.placement import place
from federation.core.targets import weight_and_bounds


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


def nominal(desired: DesiredState, w: Workload) -> Nominal:
    """The nominal layout of `w` (see the module docstring): placement with the clusters'
    declared taints only, nothing running anywhere, free room = declared capacity (unknown
    when none is declared), a fresh division, then each target's rendered replica count."""
    if not w.divisible:
        return Nominal(MappingProxyType({}))
    total = w.replicas or 0
    policy = desired.policy_for(w)
    if policy is None:
        return Nominal(MappingProxyType({}), total)
    clusters = desired.clusters
    free = {
        c.name: (None if c.capacity == Resources() else c.capacity.replicas_fitting(w.request))
        for c in clusters
    }
    taints = {c.name: c.taints for c in clusters}
    res = place(policy.placement, policy.failover, clusters, taints, (), 0.0, free)
    rs = policy.placement.replicas
    shares: dict[str, int]
    unschedulable = 0
    if rs.type == "Duplicated":
        shares = {c: total for c in res.selected}
    elif not res.selected:
        shares, unschedulable = {}, total
    else:
        rows = []
        for name in res.selected:
            c = desired.cluster(name)
            assert c is not None
            weight, lo, hi = weight_and_bounds(policy, c)
            rows.append(
                {"name": name, "weight": weight, "min": lo, "max": hi, "capacity": free[name]}
            )
        div = divide(
            total, rows, method=rs.method_name(), key=w.tie_key(rs.method_name()), rebalance=True
        )
        shares = {c: n for c, n in div.replicas.items() if n > 0}
        unschedulable = div.unschedulable
    out: dict[str, int] = {}
    for name, n in sorted(shares.items()):
        c = desired.cluster(name)
        assert c is not None
        effective = desired.rendered(w, c, n)[2]
        if effective:
            out[name] = effective
    return Nominal(MappingProxyType(out), unschedulable, rs.type == "Duplicated")
