"""A workload's plan: placement, division, drains and migration turned into its actions,
status and remembered state (one workload of a reconcile pass, see `federation.core.planner`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from federation.core.actions import (
    Action,
    ClusterStatus,
    Condition,
    Event,
    WorkloadState,
    WorkloadStatus,
)
from federation.core.affinity_groups import Trial, schedule_groups
from federation.core.conditions import available_condition, condition, scheduled_conditions
from federation.core.context import Context
from federation.core.eviction import Drain
from federation.core.migration import Migration, Progress, advance
from federation.core.model import PropagationPolicy, Resources, Workload
from federation.core.pending import Limit, settle, watch_pending
from federation.core.placement import PlacementResult, place
from federation.core.sync import sync
from federation.core.targets import divide_replicas, placement_memo

_NO_REQUEST = Resources()


@dataclass
class _Pending:
    """A trial's record of Pending replicas (federation.core.pending), kept if it is chosen."""

    since: dict[str, float]
    limits: dict[str, Limit]
    wakeups: list[float]
    proposed: dict[str, Limit]


def _divide(
    ctx: Context,
    w: Workload,
    ws: WorkloadState,
    policy: PropagationPolicy,
    res: PlacementResult,
    free: Mapping[str, int | None],
    failback: bool,
    since: Mapping[str, float],
    limits: Mapping[str, Limit],
    followed: set[str],
) -> Trial:
    """Divide `w` over one placement: what stays of its assignment, the caps on clusters whose
    replicas stay Pending (on copies: only the chosen trial's are kept), the division."""
    leaving = {c for c in res.evict if c in ws.assignment}
    current = {c: n for c, n in ws.assignment.items() if c not in leaving}
    pend = _Pending(dict(since), dict(limits), [], {})
    if not w.divisible:
        targets = {c: 0 for c in (*res.selected, *sorted(followed))}
        return Trial(targets, 0, False, None, current, pend)
    if policy.placement.replicas.type == "Divided":
        # a Duplicated workload runs everything everywhere: nowhere to move to
        pend.proposed = watch_pending(ctx, w, current, pend.since, pend.limits, free, pend.wakeups)
    got = divide_replicas(
        ctx, w, policy, res.selected, current, free, failback, pend.limits, res.tiers
    )
    return Trial(got.replicas, got.unschedulable, got.bound, got.room, current, pend)


@dataclass
class Outcome:
    """What planning one workload yields: its actions, status, new state, events, wake-up."""

    actions: list[Action]
    status: WorkloadStatus
    state: WorkloadState
    events: list[Event]
    wakeup: float | None


def plan_workload(ctx: Context, w: Workload, ws: WorkloadState) -> Outcome:
    """Plan `w` (its remembered state `ws`) in this pass; the room it reserves goes to `ctx`."""
    now, key = ctx.now, w.key
    drain = Drain.of(ctx, w, ws)
    policy = ctx.desired.policy_for(w)
    excluded: Mapping[str, str] = {}
    unschedulable = 0
    bound = False
    conditions: list[Condition] = []
    since = dict(ws.pending_since)
    limits: dict[str, Limit] = dict(ws.limits)
    followed = ctx.followed(key) if not w.divisible else set()
    moving: dict[str, int] | None = None
    progress = ws.migration
    group, affinity = ws.group, ""  # the affinity group scheduled with (Karmada's observed)
    if policy is None and followed:
        targets: dict[str, int] = {c: 0 for c in sorted(followed)}
        msg = f"follows {', '.join(ctx.desired.required_by(key))} (propagateDeps)"
        conditions.append(condition("Scheduled", True, "Dependency", msg))
    elif policy is None:
        targets = {}
        conditions.append(
            condition("Scheduled", False, "NoPolicy", "no PropagationPolicy selects this workload")
        )
    else:
        free = ctx.free_replicas(w) if w.divisible else {}
        barred = drain.barred(ctx, policy) if drain.evicted_from else None
        operational = ctx.desired.barred_for(w)  # drained, unjoining, migrated away
        if operational:
            barred = {**operational, **(barred or {})}
        failback = bool(drain.readmitted) and policy.failover.failback.enabled

        def trial(res: PlacementResult) -> Trial:
            return _divide(ctx, w, ws, policy, res, free, failback, since, limits, followed)

        if len(policy.placement.affinity_groups) > 1:
            choice = schedule_groups(
                ctx, w, policy, ws.group, ws.assignment.keys(), free, barred, failback, trial
            )
            res, chosen, group, affinity = choice.placement, choice.trial, choice.group, choice.note
        else:
            res = place(
                policy.placement,
                policy.failover,
                ctx.desired.clusters,
                ctx.taints,
                ws.assignment.keys(),
                now,
                free,
                memo=placement_memo(policy, w),
                barred=barred,
            )
            chosen = trial(res)
        excluded = res.excluded
        if res.next_eviction_at is not None:
            drain.wakeups.append(res.next_eviction_at)
        leaving = {c: r for c, r in res.evict.items() if c in ws.assignment}
        current = chosen.current
        targets, unschedulable, bound = chosen.targets, chosen.unschedulable, chosen.bound
        pend = chosen.extra
        assert isinstance(pend, _Pending)
        since, limits = pend.since, pend.limits
        drain.wakeups.extend(pend.wakeups)
        if pend.proposed:
            settle(ctx, w, pend.proposed, current, targets, since, limits, drain.events)
            # replicas stuck Pending with nowhere to go: room anywhere may free them
            bound = bound or bool(set(pend.proposed) - set(limits))
        drain.evict(policy, leaving, ws.assignment, targets)
        if drain.readmitted:
            drain.readmit_events(policy, moved=targets != current)
        kept = {c: n for c, n in ws.assignment.items() if c not in leaving}
        mig = ctx.desired.migrations.get(key) if w.divisible else None
        if mig is not None:
            moving, progress = _migrate(ctx, w, mig, ws, targets, drain)
        else:
            reason = "failback" if failback else "rebalance"
            drain.hold_donors(ctx, w, policy, kept, targets, reason, _draining(ctx, kept))
        if targets != dict(ws.assignment) or unschedulable != ws.unschedulable:
            drain.events.append(
                Event(
                    now,
                    "schedule",
                    "",
                    key,
                    {
                        "assignment": dict(sorted(targets.items())),
                        "unschedulable": unschedulable,
                        "desired": _effective(ctx, w, targets),
                    },
                )
            )
        conditions.extend(scheduled_conditions(res.degraded, unschedulable, len(targets)))
    replicas_of = (lambda n: n) if w.divisible else (lambda n: None)
    drain.finish(ctx, w, targets, replicas_of)
    want: dict[str, int | None] = {c: replicas_of(n) for c, n in targets.items()}
    if moving is not None:  # a migration asks the layout of its current step instead
        want = {c: n for c, n in moving.items()}
    for c, n in drain.kept(targets).items():
        want[c] = replicas_of(n)
    actions, clusters = sync(ctx, w, want, policy)
    ready = sum((cs.ready or 0) for cs in clusters.values())
    if w.divisible:
        conditions.append(available_condition(ready, w.replicas or 0))
    applied = all(cs.applied for c, cs in clusters.items() if c in want)
    conditions.append(condition("FullyApplied", applied, "Applied" if applied else "Pending", ""))
    status = WorkloadStatus(
        key,
        w.replicas,
        dict(targets),
        ready,
        unschedulable,
        clusters,
        excluded,  # read-only (placement results are never changed), often shared
        tuple(conditions),
        bound,
        affinity,
    )
    # its in-flight replicas count as held (targets.divide_replicas) and their room stays
    # reserved while it is planned (re-read from this observation before the pass, see
    # `refresh_reservation`); now its reservation is what this plan leaves in flight
    reserved, asked = _reservation(ctx, w, clusters)
    for name, amount in ws.reserved.items():
        ctx.reserve(name, Resources() - amount)
    for name, amount in reserved.items():
        ctx.reserve(name, amount)
    new_state = WorkloadState(
        dict(targets),
        drain.tasks,
        drain.evicted_from,
        since,
        {**limits},
        unschedulable,
        reserved,
        progress,
        group,
        asked,
    )
    wakeup = min(drain.wakeups) if drain.wakeups else None
    return Outcome(actions, status, new_state, drain.events, wakeup)


def _draining(ctx: Context, clusters: Iterable[str]) -> set[str]:
    """The clusters among these drained for maintenance or unjoining."""
    out = set()
    for name in clusters:
        c = ctx.desired.cluster(name)
        if c is not None and c.draining:
            out.add(name)
    return out


def _migrate(
    ctx: Context,
    w: Workload,
    m: Migration,
    ws: WorkloadState,
    targets: Mapping[str, int],
    drain: Drain,
) -> tuple[dict[str, int], Progress]:
    """The layout a migration of `w` asks now (federation.core.migration), its progress; its
    events and wake-up go to `drain`."""
    before = ws.migration.asked if ws.migration is not None else ws.assignment
    ready = {}
    for c in sorted({*targets, *before}):
        obj = ctx.object(c, w.key)
        ready[c] = (obj.ready_replicas or 0) if obj is not None else 0
    moving, progress, events, wake = advance(
        m, ws.migration, targets, ws.assignment, ready, ctx.now
    )
    for kind, fields in events:
        drain.events.append(Event(ctx.now, kind, "", w.key, fields))  # type: ignore[arg-type]
    if wake is not None:
        drain.wakeups.append(wake)
    # evictions (a failover while moving) still keep their replicas
    for c, n in drain.kept(targets).items():
        moving[c] = max(moving.get(c, 0), n)
    return moving, progress


def _reservation(
    ctx: Context, w: Workload, clusters: Mapping[str, ClusterStatus]
) -> tuple[dict[str, Resources], dict[str, int]]:
    """The room `w` holds reserved: on each cluster it asks replicas of, those not on a node
    (asked minus scheduled, as observed: on their way, or Pending until the rescheduling
    threshold moves them), times its request; and what it asked where it holds some."""
    asked = {name: cs.desired for name, cs in clusters.items() if cs.desired}
    reserved = _unplaced(ctx, w, asked)
    return reserved, {name: asked[name] for name in reserved}


def _unplaced(ctx: Context, w: Workload, asked: Mapping[str, int]) -> dict[str, Resources]:
    """The room the replicas `asked` of each cluster that members do not report on a node
    take (none where a member does not tell what it placed)."""
    out: dict[str, Resources] = {}
    if not w.divisible or w.request == _NO_REQUEST:
        return out
    for name, n in asked.items():
        obj = ctx.object(name, w.key)
        placed = 0
        if obj is not None:
            if obj.scheduled is None:
                continue  # this member does not tell: no reservation
            placed = obj.scheduled  # Pending ones keep their claim until they are moved
        if n > placed:
            out[name] = w.request.scaled(n - placed)
    return out


def refresh_reservation(ctx: Context, w: Workload, ws: WorkloadState) -> WorkloadState:
    """`ws` with its reservation re-read from this observation, `ctx`'s adjusted: what it
    asked against what members now report placed. Replicas placed since the reservation was
    taken are out of their cluster's observed free room already; keeping their room reserved
    until `w` is planned again would take it twice from whatever reads it before."""
    if not ws.reserved:
        return ws
    kept = {c: a for c, a in ws.reserved.items() if c not in ws.asked}  # nothing to re-read
    reserved = {**kept, **_unplaced(ctx, w, ws.asked)}
    if reserved == ws.reserved:
        return ws
    for name, amount in ws.reserved.items():
        ctx.reserve(name, Resources() - amount)
    for name, amount in reserved.items():
        ctx.reserve(name, amount)
    asked = {c: n for c, n in ws.asked.items() if c in reserved}
    return replace(ws, reserved=reserved, asked=asked)


def _effective(ctx: Context, w: Workload, targets: Mapping[str, int]) -> dict[str, int]:
    """What each target cluster is asked to run (its rendered replica count, after overrides);
    for kinds without replicas, 0."""
    out = {}
    for name, n in sorted(targets.items()):
        c = ctx.desired.cluster(name)
        assert c is not None
        out[name] = (ctx.desired.rendered(w, c, n)[2] or 0) if w.divisible else 0
    return out
