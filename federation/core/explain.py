"""Why each replica of a workload is where it is: one reconcile of that workload at `now` on the
federation's remembered state, annotated per cluster with what decided its count (affinity,
taints and health, eviction and readmission, weight, bounds, room, Pending caps, draining)."""

from __future__ import annotations

from dataclasses import dataclass, field

from federation.core.actions import FederationState
from federation.core.desired import DesiredState
from federation.core.division import divide
from federation.core.health import HealthThresholds
from federation.core.model import Observation, Rescheduling
from federation.core.planner import reconcile
from federation.core.targets import weight_and_bounds


@dataclass(frozen=True)
class ClusterWhy:
    """One cluster's part in a workload's placement at one moment."""

    cluster: str
    health: str
    asked: int | None  # replicas the federation asks of it (None: not a target)
    ready: int | None  # as last observed
    pending: int
    weight: int | None = None
    min: int | None = None
    max: int | None = None
    room: int | None = None  # more replicas of this workload that fit (None: unknown)
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    key: str
    now: float
    policy: str | None
    method: str | None
    replicas: int | None
    unschedulable: int
    clusters: tuple[ClusterWhy, ...] = ()
    division: str = ""  # the division method's own account
    notes: tuple[str, ...] = field(default_factory=tuple)
    # with ordered affinity groups: the group used and why earlier ones were skipped
    affinity: str = ""


def explain(
    desired: DesiredState,
    observed: Observation,
    state: FederationState,
    now: float,
    key: str,
    *,
    thresholds: HealthThresholds = HealthThresholds(),
    rescheduling: Rescheduling = Rescheduling(),
) -> Explanation:
    """Explain `key` at `now` from the same inputs a reconcile takes (nothing is changed)."""
    w = desired.workloads[key]
    plan = reconcile(
        desired,
        observed,
        state,
        now,
        thresholds=thresholds,
        dirty={key},
        rescheduling=rescheduling,
    )
    status = plan.workloads[key]
    ws = plan.state.workloads.get(key)
    policy = desired.policy_for(w)
    label = (
        None
        if policy is None
        else (
            f"PropagationPolicy {policy.namespace}/{policy.name}"
            if policy.namespace
            else f"ClusterPropagationPolicy {policy.name}"
        )
    )
    duplicated = policy is not None and policy.placement.replicas.type == "Duplicated"
    method = None
    if policy is not None and w.divisible:
        method = "duplicated" if duplicated else policy.placement.replicas.method_name()
    rows: list[ClusterWhy] = []
    division_rows = []
    for c in desired.clusters:
        name = c.name
        h = plan.state.health.get(name)
        obs = observed.clusters.get(name)
        obj = obs.objects.get(key) if obs is not None else None
        reasons: list[str] = []
        if name in status.excluded:
            reasons.append(status.excluded[name])
        cs = status.clusters.get(name)
        if cs is not None and cs.reason:
            reasons.append(
                {
                    "ClusterUnreachable": "the federation cannot reach it",
                    "Deleting": "not a target: its copy is being deleted",
                    "Retained": "not a target; a namespace is kept",
                }.get(cs.reason, cs.reason)
            )
        weight = lo = hi = room = None
        if policy is not None and w.divisible and not duplicated and name not in status.excluded:
            weight, lo, hi = weight_and_bounds(policy, c)
            free = obs.free if obs is not None else None
            room = None if free is None else free.replicas_fitting(w.request)
            division_rows.append(
                {
                    "name": name,
                    "weight": weight,
                    "min": lo,
                    "max": hi,
                    "capacity": None if room is None else room + _held(obj),
                }
            )
        if ws is not None:
            task = ws.evictions.get(name)
            if task is not None:
                reasons.append(
                    f"keeps {task.replicas} replica(s) until their replacements are Ready or "
                    f"{task.deadline:g}s ({task.reason})"
                )
            limit = ws.limits.get(name)
            if limit is not None:
                reasons.append(
                    f"capped at {limit.replicas}: {limit.moved} replica(s) stayed "
                    "Pending there and were moved"
                )
            since = ws.pending_since.get(name)
            if since is not None:
                after = since + rescheduling.unschedulable_seconds
                reasons.append(
                    f"Pending since {since:g}s; moved elsewhere at {after:g}s if still Pending"
                )
        asked = status.clusters[name].desired if name in status.assignment else None
        rows.append(
            ClusterWhy(
                cluster=name,
                health=h.state.value if h is not None else "Ready",
                asked=asked,
                ready=None if obj is None else obj.ready_replicas,
                pending=0 if obj is None else obj.pending,
                weight=weight,
                min=lo,
                max=hi,
                room=room,
                reasons=tuple(reasons),
            )
        )
    division = ""
    if division_rows and w.replicas is not None and policy is not None:
        before = state.workloads.get(key)
        for row in division_rows:
            row["current"] = before.assignment.get(str(row["name"]), 0) if before else 0
        division = divide(
            w.replicas,
            division_rows,
            method=method or "kfed",
            key=w.tie_key(method or "kfed"),
            rebalance=policy.placement.replicas.rebalance,
        ).reason
    notes = [f"{c.type}: {c.message or c.reason}" for c in status.conditions if not c.status]
    return Explanation(
        key,
        now,
        label,
        method,
        w.replicas if w.divisible else None,
        status.unschedulable,
        tuple(rows),
        division,
        tuple(notes),
        status.affinity,
    )


def _held(obj: object) -> int:
    scheduled = getattr(obj, "scheduled", None)
    return int(scheduled) if scheduled is not None else 0


__all__ = ["ClusterWhy", "Explanation", "explain"]
