"""N-k failure sets and the static check beside them: every set of k failure domains (clusters,
zones or regions), and for each, what the survivors would be asked to hold against what they
have, by one fresh planning pass of the core over the federation without the failed clusters
(`kfed plan` on the survivors)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from federation.core.desired import DesiredState
from federation.core.model import Resources
from federation.report.cost import GIB

DOMAINS = ("cluster", "zone", "region")


@dataclass(frozen=True)
class FailureSet:
    """k failure domains that go down together, and the clusters in them."""

    domain: str
    names: tuple[str, ...]
    clusters: tuple[str, ...]

    @property
    def label(self) -> str:
        return "+".join(self.names)


def domains(desired: DesiredState, domain: str) -> dict[str, tuple[str, ...]]:
    """Each failure domain's clusters (a cluster without a zone or region is in none)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; choose one of {', '.join(DOMAINS)}")
    out: dict[str, list[str]] = {}
    for c in desired.clusters:
        key = c.name if domain == "cluster" else getattr(c, domain)
        if key:
            out.setdefault(key, []).append(c.name)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


def failure_sets(desired: DesiredState, domain: str, k: int) -> list[FailureSet]:
    """Every set of `k` domains, in a stable order."""
    doms = domains(desired, domain)
    if k < 1 or k > len(doms):
        raise ValueError(f"--k must be 1..{len(doms)} (there are {len(doms)} {domain}s), got {k}")
    return [
        FailureSet(domain, names, tuple(sorted(c for n in names for c in doms[n])))
        for names in itertools.combinations(doms, k)
    ]


def static_check(desired: DesiredState, failed: Sequence[str]) -> dict[str, Any]:
    """What the survivors of `failed` would be asked to hold: one planning pass on the
    federation without those clusters (capacity order, division, overrides: the core's own),
    each survivor's requested CPU and memory against its capacity, and the replicas that fit
    nowhere with what they would request."""
    from federation.whatif import plan

    survivors = [c for c in desired.clusters if c.name not in set(failed)]
    rest = DesiredState.build(
        survivors, desired.policies, desired.overrides, desired.workloads.values()
    )
    what = plan(rest)
    capacity = requested = Resources()
    unknown = False
    for use in what.use.values():
        requested = requested + use.requested
        if use.allocatable is None:
            unknown = True
        else:
            capacity = capacity + use.allocatable
    unplaced = Resources()
    unschedulable = 0
    for wp in what.workloads:
        if wp.unschedulable:
            unschedulable += wp.unschedulable
            unplaced = unplaced + desired.workloads[wp.key].request.scaled(wp.unschedulable)
    return {
        "survivors": len(survivors),
        "cpu_capacity": None if unknown else round(capacity.cpu, 3),
        "cpu_requested": round(requested.cpu, 3),
        "cpu_unplaced": round(unplaced.cpu, 3),
        "memory_capacity_gib": None if unknown else round(capacity.memory / GIB, 3),
        "memory_requested_gib": round(requested.memory / GIB, 3),
        "memory_unplaced_gib": round(unplaced.memory / GIB, 3),
        "unschedulable": unschedulable,
        "fits": unschedulable == 0,
        "cpu_utilization": None
        if unknown or not capacity.cpu
        else round(requested.cpu / capacity.cpu, 4),
    }
