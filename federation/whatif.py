"""What-if planning: run the core once over loaded documents and show where every workload would
go, how many replicas fit nowhere, and why each left-out cluster was left out.

No placement logic lives here: `plan` calls `federation.core.planner.reconcile` on a fresh
federation (no state, `now=0`) whose members are empty, i.e. each member's free capacity is its
declared `spec.capacity` (members without one have unknown capacity, which the core treats as
unlimited). Each workload is planned on its own against empty members: workloads do not compete
for capacity here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.core.actions import Condition, FederationState
from federation.core.desired import DesiredState
from federation.core.model import ClusterObservation, Observation, Resources
from federation.core.planner import reconcile

__all__ = [
    "WhatIf",
    "WorkloadPlan",
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
    fits: Mapping[str, int | None]  # replicas that fit on each empty cluster (None = unknown)
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class WhatIf:
    """The plan of one federation (a scenario, or the documents given together)."""

    name: str
    source: str
    clusters: tuple[str, ...]
    workloads: tuple[WorkloadPlan, ...] = field(default_factory=tuple)


def _policy_label(desired: DesiredState, key: str) -> tuple[str | None, str | None]:
    w = desired.workloads[key]
    p = desired.policy_for(w)
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
    plans = []
    for key, st in sorted(result.workloads.items()):
        w = desired.workloads[key]
        label, method = _policy_label(desired, key)
        fits: dict[str, int | None] = {}
        for c in desired.clusters:
            free = observed.clusters.get(c.name)
            room = free.free if free is not None else None
            if room is not None and w.divisible:
                fits[c.name] = room.replicas_fitting(w.request)
            else:
                fits[c.name] = None
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
            )
        )
    return WhatIf(name, source, tuple(c.name for c in desired.clusters), tuple(plans))


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
            }
            for p in plans
        ]
    }


def render_json(plans: Sequence[WhatIf]) -> str:
    return json.dumps(to_json(plans), indent=2, sort_keys=True) + "\n"


def _rows(p: WhatIf, w: WorkloadPlan) -> list[tuple[str, str, str, str]]:
    rows = []
    for c in p.clusters:
        fits = w.fits.get(c)
        room = "" if fits is None else str(fits)
        if w.policy is None:
            rows.append((c, "-", room, "no policy"))
        elif c in w.assignment:
            n = "copy" if w.replicas is None else str(w.assignment[c])
            rows.append((c, n, room, ""))
        elif c in w.excluded:
            rows.append((c, "-", room, w.excluded[c]))
        else:
            rows.append((c, "0", room, "selected; division gave it 0 replicas"))
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
        console.print(f"== {title}" + (f" ({p.source})" if p.source else ""))
        if not p.workloads:
            console.print("no workloads")
        for w in p.workloads:
            head = f"{w.key}: "
            head += "copied whole" if w.replicas is None else f"{w.replicas} replicas"
            head += f", {w.policy}" if w.policy else ", no policy selects it"
            if w.method:
                head += f", method {w.method}"
            console.print()
            console.print(head)
            table = Table(box=ascii_head, show_edge=False, pad_edge=False)
            table.add_column("cluster", no_wrap=True)
            table.add_column("replicas", justify="right", no_wrap=True)
            table.add_column("fits", justify="right", no_wrap=True)
            table.add_column("reason", overflow="fold")
            for row in _rows(p, w):
                table.add_row(*row)
            console.print(table)
            if w.unschedulable:
                console.print(f"unschedulable: {w.unschedulable} replica(s) fit on no cluster")
            for c in w.conditions:
                if c.type == "Scheduled" and not c.status and c.reason != "Unschedulable":
                    console.print(f"not scheduled: {c.reason}: {c.message}")
    text = out.getvalue()
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
