"""What-if planning: run the core once over loaded documents and show where every workload would
go, why each count was chosen, how many replicas fit nowhere, why each left-out cluster was left
out, and how much of each cluster the plan requests.

No placement logic lives here: `plan` calls `federation.core.planner.reconcile` on a fresh
federation (no state, `now=0`) whose members are empty, i.e. each member's free capacity is its
declared `spec.capacity` (members without one have unknown capacity, which the core treats as
unlimited). Workloads compete for that capacity as they do in one reconcile of the engine: in
the order of their policy's `schedulePriority` (higher first), then by workload key, each
taking the room of the replicas it places before the next is planned.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.core.actions import Condition, FederationState
from federation.core.desired import DesiredState
from federation.core.division import divide
from federation.core.model import ClusterObservation, Observation, Resources, Workload
from federation.core.planner import reconcile
from federation.core.targets import weight_and_bounds

__all__ = [
    "WhatIf",
    "WorkloadPlan",
    "cluster_rows",
    "empty_members",
    "plan",
    "render_json",
    "render_text",
    "to_json",
]


@dataclass(frozen=True)
class WorkloadPlan:
    key: str
    policy: str | None  # "PropagationPolicy default/web", None = no policy selects it
    method: str | None  # division method (divided workloads only)
    replicas: int | None  # desired replicas; None = copied whole (ConfigMap, Service, ...)
    assignment: Mapping[str, int]  # target cluster -> replicas (0 for copied kinds)
    unschedulable: int
    excluded: Mapping[str, str]  # cluster -> why it is not a target
    # replicas that still fit on each cluster when this workload's turn came (None = unknown)
    fits: Mapping[str, int | None]
    conditions: tuple[Condition, ...] = ()
    order: int = 0  # its turn in taking capacity (0 = first)
    priority: int = 0  # its policy's schedulePriority
    why: Mapping[str, str] = field(default_factory=dict)  # cluster -> why this count
    division: str = ""  # the division method's own account
    # with ordered affinity groups: the group used and why earlier ones were skipped
    affinity: str = ""


@dataclass(frozen=True)
class ClusterUse:
    """One cluster's allocatable capacity and what the plan requests of it."""

    allocatable: Resources | None  # None = not declared (unlimited)
    requested: Resources


@dataclass(frozen=True)
class WhatIf:
    """The plan of one federation (a scenario, or the documents given together)."""

    name: str
    source: str
    clusters: tuple[str, ...]
    workloads: tuple[WorkloadPlan, ...] = field(default_factory=tuple)
    use: Mapping[str, ClusterUse] = field(default_factory=dict)


def _policy_label(desired: DesiredState, key: str) -> tuple[str | None, str | None]:
    w = desired.workloads[key]
    p = desired.policy_for(w)
    if p is None and desired.required_by(key):
        return f"follows {', '.join(desired.required_by(key))} (propagateDeps)", None
    if p is None:
        return None, None
    label = (
        f"PropagationPolicy {p.namespace}/{p.name}"
        if p.namespace
        else (f"ClusterPropagationPolicy {p.name}")
    )
    rs = p.placement.replicas
    if not w.divisible:
        return label, None
    return label, ("duplicated" if rs.type == "Duplicated" else rs.method_name())


def empty_members(desired: DesiredState) -> Observation:
    """Every member reachable and empty: free capacity = declared capacity (when declared)."""
    return Observation(
        clusters={
            c.name: ClusterObservation(
                cluster=c.name, free=None if c.capacity == Resources() else c.capacity
            )
            for c in desired.clusters
        }
    )


def plan(
    desired: DesiredState, *, name: str = "", source: str = "", capacity: bool = True
) -> WhatIf:
    """Reconcile once from nothing and report each workload's placement. With
    `capacity=False` the members' capacity is unknown (an empty `Observation()`)."""
    observed = empty_members(desired) if capacity else Observation()
    result = reconcile(desired, observed, FederationState(), now=0.0)
    requested = {c.name: Resources() for c in desired.clusters}
    plans = []
    turn = sorted(
        result.workloads,
        key=lambda k: (-_priority(desired, k), k),
    )
    for order, key in enumerate(turn):
        st = result.workloads[key]
        w = desired.workloads[key]
        label, method = _policy_label(desired, key)
        fits: dict[str, int | None] = {}
        for c in desired.clusters:
            free = observed.clusters.get(c.name)
            room = free.free if free is not None else None
            if room is not None and w.divisible:
                fits[c.name] = (room - requested[c.name]).replicas_fitting(w.request)
            else:
                fits[c.name] = None
        why: dict[str, str] = {}
        division = ""
        if w.divisible:
            why, division = _why(desired, w, st.assignment, st.excluded, fits)
        for target, n in st.assignment.items():
            member = desired.cluster(target)
            if w.divisible and member is not None:
                eff = desired.rendered(w, member, n)[2] or 0
                requested[target] = requested[target] + w.request.scaled(eff)
        plans.append(
            WorkloadPlan(
                key=key,
                policy=label,
                method=method,
                replicas=w.replicas if w.divisible else None,
                assignment=dict(sorted(st.assignment.items())),
                unschedulable=st.unschedulable,
                excluded=dict(sorted(st.excluded.items())),
                fits=fits,
                conditions=st.conditions,
                order=order,
                priority=_priority(desired, key),
                why=why,
                division=division,
                affinity=st.affinity,
            )
        )
    use = {
        c.name: ClusterUse(
            None if not capacity or c.capacity == Resources() else c.capacity,
            requested[c.name],
        )
        for c in desired.clusters
    }
    plans.sort(key=lambda p: p.key)
    return WhatIf(name, source, tuple(c.name for c in desired.clusters), tuple(plans), use)


def _priority(desired: DesiredState, key: str) -> int:
    p = desired.policy_for(desired.workloads[key])
    return p.schedule_priority if p is not None else 0


def _why(
    desired: DesiredState,
    w: Workload,
    assignment: Mapping[str, int],
    excluded: Mapping[str, str],
    fits: Mapping[str, int | None],
) -> tuple[dict[str, str], str]:
    """Why each target got its count: its weight and bounds, the room left for it, what the
    division method says, and an override that changes what the member runs."""
    p = desired.policy_for(w)
    if p is None:
        return {}, ""
    rs = p.placement.replicas
    if rs.type == "Duplicated":
        return {c: "Duplicated: every target runs all replicas" for c in assignment}, ""
    rows = []
    out: dict[str, str] = {}
    for cluster in desired.clusters:
        c = cluster.name
        if c in excluded:
            continue
        weight, lo, hi = weight_and_bounds(p, cluster)
        rows.append({"name": c, "weight": weight, "min": lo, "max": hi, "capacity": fits.get(c)})
        n = assignment.get(c, 0)
        parts = [f"weight {weight}"]
        if lo:
            parts.append(f"min {lo}")
        if hi is not None:
            parts.append(f"max {hi}" + (" reached" if n >= hi else ""))
        room = fits.get(c)
        if room is not None and n >= room:
            parts.append(f"room for {room} left (capacity)")
        eff = desired.rendered(w, cluster, n)[2]
        if eff is not None and eff != n:
            parts.append(f"an override makes it run {eff}")
        out[c] = ", ".join(parts)
    division = ""
    if rows:
        div = divide(
            w.replicas or 0,
            rows,
            method=rs.method_name(),
            key=w.tie_key(rs.method_name()),
            rebalance=True,
        )
        division = div.reason
    return out, division


# ------------------------------------------------------------------ presentation


def to_json(plans: Sequence[WhatIf]) -> dict[str, Any]:
    return {
        "federations": [
            {
                "name": p.name,
                "source": p.source,
                "clusters": list(p.clusters),
                "workloads": [
                    {
                        "workload": w.key,
                        "policy": w.policy,
                        "method": w.method,
                        "replicas": w.replicas,
                        "assignment": dict(w.assignment),
                        "unschedulable": w.unschedulable,
                        "excluded": dict(w.excluded),
                        "fits": dict(w.fits),
                        "order": w.order,
                        "schedule_priority": w.priority,
                        "why": dict(w.why),
                        "division": w.division,
                        "affinity": w.affinity,
                        "conditions": [
                            {
                                "type": c.type,
                                "status": c.status,
                                "reason": c.reason,
                                "message": c.message,
                            }
                            for c in w.conditions
                            if c.type == "Scheduled"
                        ],
                    }
                    for w in p.workloads
                ],
                "capacity": {
                    c: {
                        "allocatable": None if u.allocatable is None else _res(u.allocatable),
                        "requested": _res(u.requested),
                    }
                    for c, u in p.use.items()
                },
            }
            for p in plans
        ]
    }


def _res(r: Resources) -> dict[str, float]:
    return {"cpu": round(r.cpu, 6), "memory": r.memory, "pods": r.pods}


def render_json(plans: Sequence[WhatIf]) -> str:
    return json.dumps(to_json(plans), indent=2, sort_keys=True) + "\n"


def cluster_rows(p: WhatIf, w: WorkloadPlan) -> list[tuple[str, str, str, str]]:
    """One line per cluster of a workload's plan: (cluster, replicas, fits, reason), as `kfed
    plan` prints them (replicas "copy" for a workload copied whole, "-" where it does not go)."""
    rows = []
    for c in p.clusters:
        fits = w.fits.get(c)
        room = "" if fits is None else str(fits)
        if w.policy is None:
            rows.append((c, "-", room, "no policy"))
        elif c in w.assignment:
            n = "copy" if w.replicas is None else str(w.assignment[c])
            rows.append((c, n, room, w.why.get(c, "")))
        elif c in w.excluded:
            rows.append((c, "-", room, w.excluded[c]))
        elif w.policy.startswith("follows"):
            rows.append((c, "-", room, "what it follows does not run here"))
        else:
            why = w.why.get(c)
            rows.append(
                (
                    c,
                    "0",
                    room,
                    f"{why}: the division gives it 0"
                    if why
                    else "selected; the division gives it 0",
                )
            )
    return rows


def render_text(plans: Sequence[WhatIf], *, width: int = 100) -> str:
    """Plain, deterministic text: one table per workload (cluster, replicas, fits, reason)."""
    from rich.box import Box
    from rich.console import Console
    from rich.table import Table

    # rich's SIMPLE_HEAD box in ASCII: a dashed line under the header, nothing else
    ascii_head = Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        color_system=None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        force_jupyter=False,
    )
    for i, p in enumerate(plans):
        if i:
            console.print()
        title = p.name or "documents"
        # a long path stays on the header's line; a path is text, never markup
        header = f"== {title}" + (f" ({p.source})" if p.source else "")
        console.print(header, soft_wrap=True, markup=False)
        if not p.workloads:
            console.print("no workloads")
        for w in p.workloads:
            head = f"{w.key}: "
            head += "copied whole" if w.replicas is None else f"{w.replicas} replicas"
            head += f", {w.policy}" if w.policy else ", no policy selects it"
            if w.method:
                head += f", method {w.method}"
            if w.replicas is not None:
                head += f", takes capacity {_ordinal(w.order + 1)}"
                if w.priority:
                    head += f" (schedulePriority {w.priority})"
            console.print()
            console.print(head)
            table = Table(box=ascii_head, show_edge=False, pad_edge=False)
            table.add_column("cluster", no_wrap=True)
            table.add_column("replicas", justify="right", no_wrap=True)
            table.add_column("fits", justify="right", no_wrap=True)
            table.add_column("reason", overflow="fold")
            for row in cluster_rows(p, w):
                table.add_row(*row)
            console.print(table)
            if w.affinity:
                console.print(f"affinity: {w.affinity}")
            if w.division:
                console.print(f"division: {w.division}")
            if w.unschedulable:
                console.print(f"unschedulable: {w.unschedulable} replica(s) fit on no cluster")
            for c in w.conditions:
                if c.type == "Scheduled" and not c.status and c.reason != "Unschedulable":
                    console.print(f"not scheduled: {c.reason}: {c.message}")
        if p.workloads and any(u.allocatable is not None for u in p.use.values()):
            console.print()
            console.print("capacity: what the plan requests of each cluster")
            table = Table(box=ascii_head, show_edge=False, pad_edge=False)
            for col in ("cluster", "cpu", "memory", "pods"):
                table.add_column(col, justify="left" if col == "cluster" else "right")
            for name, u in p.use.items():
                table.add_row(name, *_use_cells(u))
            console.print(table)
    text = out.getvalue()
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _use_cells(u: ClusterUse) -> tuple[str, str, str]:
    """'12 / 15 (80%)' per resource: requested of allocatable."""
    r, a = u.requested, u.allocatable
    gi = 2**30

    def cell(req: float, alloc: float | None, fmt: str) -> str:
        if alloc is None:
            return f"{fmt.format(req)} / -"
        pct = f" ({100 * req / alloc:.0f}%)" if alloc > 0 else ""
        return f"{fmt.format(req)} / {fmt.format(alloc)}{pct}"

    return (
        cell(r.cpu, None if a is None else a.cpu, "{:g}"),
        cell(r.memory / gi, None if a is None else a.memory / gi, "{:.3g}Gi"),
        cell(r.pods, None if a is None else a.pods, "{:g}"),
    )
