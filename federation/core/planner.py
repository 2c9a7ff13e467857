"""The reconcile plan: `reconcile(desired, observed, state, now) -> Plan`, the core's single entry.

Level-triggered: every decision is made from the desired documents, what was observed and the
core's remembered state, never from the event that woke us. Idempotent: applying a plan and
reconciling again with the resulting observation yields no actions. Incremental: given `dirty`,
only those workloads are looked at, plus, when a cluster's health changes, the workloads that
cluster can matter to (see `touching`): cost grows with what changed, not with the federation.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from federation.core import fleet
from federation.core.actions import (
    Action,
    Apply,
    ClusterStatus,
    Condition,
    Delete,
    Event,
    FederationState,
    Plan,
    WorkloadState,
    WorkloadStatus,
)
from federation.core.conditions import condition
from federation.core.context import Context
from federation.core.desired import DesiredState
from federation.core.eviction import Drain
from federation.core.health import (
    ClusterHealth,
    HealthThresholds,
    observe_probe,
)
from federation.core.migration import Migration, Progress, advance
from federation.core.model import (
    KIND_ORDER,
    Observation,
    PropagationPolicy,
    Rescheduling,
    Resources,
    Workload,
)
from federation.core.pending import Limit, settle, watch_pending
from federation.core.placement import place
from federation.core.targets import divide_replicas, placement_memo

_NO_STATE = WorkloadState()
_NO_REQUEST = Resources()


def _advance_health(
    desired: DesiredState,
    probes: Iterable[Any],
    before: Mapping[str, ClusterHealth],
    th: HealthThresholds,
) -> tuple[dict[str, ClusterHealth], list[Event]]:
    health = fleet.health_before(desired.clusters, before)
    events: list[Event] = []
    for p in sorted(probes, key=lambda p: (p.t, p.cluster)):
        h = health.get(p.cluster)
        if h is None:
            continue
        nh = observe_probe(h, p, th)
        if nh.state != h.state:
            events.append(
                Event(
                    p.t,
                    "health",
                    p.cluster,
                    "",
                    {
                        "from": h.state.value,
                        "to": nh.state.value,
                        "reason": p.reason,
                        "probes": nh.run,  # consecutive probes with this outcome ...
                        "over": round(p.t - nh.run_start, 3),  # ... over this many seconds
                    },
                )
            )
        health[p.cluster] = nh
    return health, events


def touching(
    desired: DesiredState, state: FederationState, cluster: str, held: Iterable[str]
) -> set[str]:
    """The workloads a change of `cluster`'s health or reachability can affect: those its
    policy's affinity admits there (placement may now pick or drop it), those with replicas, a
    drain or a failback there, and those it `held` (observed objects). Nothing else reads that
    cluster's health, taints or reachability."""
    return touching_any(desired, state, {cluster: held})


def touching_any(
    desired: DesiredState, state: FederationState, held: Mapping[str, Iterable[str]]
) -> set[str]:
    """`touching` for several clusters at once (cluster -> the keys it holds): the union, in
    one pass over the workloads' state."""
    keys: set[str] = set()
    for cluster, objects in held.items():
        keys.update(desired.workloads_near(cluster))
        keys.update(objects)
    names = set(held)
    if len(names) == 1:
        (cluster,) = names
        for key, ws in state.workloads.items():
            if cluster in ws.assignment or cluster in ws.evictions or cluster in ws.evicted_from:
                keys.add(key)
        return keys
    for key, ws in state.workloads.items():
        if (
            not names.isdisjoint(ws.assignment)
            or not names.isdisjoint(ws.evictions)
            or not names.isdisjoint(ws.evicted_from)
        ):
            keys.add(key)
    return keys


@dataclass
class _Outcome:
    actions: list[Action]
    status: WorkloadStatus
    state: WorkloadState
    events: list[Event]
    wakeup: float | None


def _plan_workload(ctx: Context, w: Workload, ws: WorkloadState) -> _Outcome:
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
        excluded = res.excluded
        if res.next_eviction_at is not None:
            drain.wakeups.append(res.next_eviction_at)
        leaving = {c: r for c, r in res.evict.items() if c in ws.assignment}
        current = {c: n for c, n in ws.assignment.items() if c not in leaving}
        failback = bool(drain.readmitted) and policy.failover.failback.enabled
        if w.divisible:
            proposed: dict[str, Limit] = {}
            if policy.placement.replicas.type == "Divided":
                # a Duplicated workload runs everything everywhere: nowhere to move to
                proposed = watch_pending(ctx, w, current, since, limits, free, drain.wakeups)
            targets, unschedulable, bound = divide_replicas(
                ctx, w, policy, res.selected, current, free, failback, limits, res.tiers
            )
            if proposed:
                settle(ctx, w, proposed, current, targets, since, limits, drain.events)
                # replicas stuck Pending with nowhere to go: room anywhere may free them
                bound = bound or bool(set(proposed) - set(limits))
        else:
            targets = {c: 0 for c in (*res.selected, *sorted(followed))}
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
        conditions.extend(_scheduled(res.degraded, unschedulable, len(targets)))
    replicas_of = (lambda n: n) if w.divisible else (lambda n: None)
    drain.finish(ctx, w, targets, replicas_of)
    want: dict[str, int | None] = {c: replicas_of(n) for c, n in targets.items()}
    if moving is not None:  # a migration asks the layout of its current step instead
        want = {c: n for c, n in moving.items()}
    for c, n in drain.kept(targets).items():
        want[c] = replicas_of(n)
    actions, clusters = _sync(ctx, w, want, policy)
    ready = sum((cs.ready or 0) for cs in clusters.values())
    if w.divisible:
        conditions.append(_available(ready, w.replicas or 0))
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
    )
    # its in-flight replicas count as held (targets.divide_replicas) and their room stays
    # reserved while it is planned; now its reservation is what this plan leaves in flight
    reserved = _reservation(ctx, w, clusters)
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
    )
    wakeup = min(drain.wakeups) if drain.wakeups else None
    return _Outcome(actions, status, new_state, drain.events, wakeup)


def _emptied(ctx: Context, cluster: str, key: str) -> bool:
    """Is `cluster` unjoining with nothing else of ours assigned or draining there? Only then
    do its namespaces go (deleting one would take what is still draining in it along)."""
    c = ctx.desired.cluster(cluster)
    if c is None or c.draining != "unjoin":
        return False
    return not any(
        cluster in ws.assignment or cluster in ws.evictions
        for k, ws in ctx.states.items()
        if k != key
    )


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
) -> dict[str, Resources]:
    """The room `w` holds reserved: on each cluster it asks replicas of, those not on a node
    (asked minus scheduled, as observed: on their way, or Pending until the rescheduling
    threshold moves them), times its request."""
    out: dict[str, Resources] = {}
    if not w.divisible or w.request == _NO_REQUEST:
        return out
    for name, cs in clusters.items():
        if not cs.desired:
            continue
        obj = ctx.object(name, w.key)
        placed = 0
        if obj is not None:
            if obj.scheduled is None:
                continue  # this member does not tell: no reservation
            placed = obj.scheduled  # Pending ones keep their claim until they are moved
        if cs.desired > placed:
            out[name] = w.request.scaled(cs.desired - placed)
    return out


def _rank(desired: DesiredState, key: str) -> tuple[int, int]:
    """Where a workload comes in the order workloads take capacity in within one pass: the
    dependencies that follow workloads (propagateDeps) last, once the clusters of what they
    follow are known; otherwise its policy's schedule priority (higher first); the workload key
    breaks ties."""
    w = desired.workloads.get(key)
    p = desired.policy_for(w) if w is not None else None
    follows = 1 if desired.required_by(key) else 0
    return (follows, -(p.schedule_priority if p is not None else 0))


class _Order:
    """The order workloads are planned in within one pass, (`_rank`, key), as numbers: an entry
    of the desired state's workloads is (2i + 1, key), i its place among them; any other key
    (removed, or only held by a member) is (2j, rank, key), j the place it would take, so
    entries compare as their (rank, key) would, mostly by one integer."""

    __slots__ = ("desired", "place", "ranks")
    _last: _Order | None = None  # the order of the last desired state asked for

    def __init__(self, desired: DesiredState) -> None:
        self.desired = desired
        self.ranks = sorted((_rank(desired, k), k) for k in desired.workloads)
        self.place = {k: 2 * i + 1 for i, (_, k) in enumerate(self.ranks)}

    @classmethod
    def of(cls, desired: DesiredState) -> _Order:
        last = cls._last
        if last is None or last.desired is not desired:
            last = cls._last = cls(desired)
        return last

    def entry(self, key: str) -> tuple[Any, ...]:
        at = self.place.get(key)
        if at is not None:
            return (at, key)
        rank = _rank(self.desired, key)
        return (2 * bisect.bisect_left(self.ranks, (rank, key)), rank, key)


def _effective(ctx: Context, w: Workload, targets: Mapping[str, int]) -> dict[str, int]:
    """What each target cluster is asked to run (its rendered replica count, after overrides);
    for kinds without replicas, 0."""
    out = {}
    for name, n in sorted(targets.items()):
        c = ctx.desired.cluster(name)
        assert c is not None
        out[name] = (ctx.desired.rendered(w, c, n)[2] or 0) if w.divisible else 0
    return out


def _available(ready: int, replicas: int) -> Condition:
    ok = ready >= replicas
    why = "Available" if ok else "Degraded"
    return condition("Available", ok, why, f"{ready}/{replicas} ready")


def refresh_ready(status: WorkloadStatus, observed: Observation) -> WorkloadStatus:
    """`status` with the Ready counts members now report and its Available condition: what a
    reconcile would say of a workload whose only news is readiness and that has nothing
    waiting on it (no eviction draining), so none of its decisions can change."""
    clusters = {}
    for name, cs in status.clusters.items():
        member = observed.clusters.get(name)
        obj = member.objects.get(status.key) if member is not None else None
        ready = None if obj is None else obj.ready_replicas
        clusters[name] = cs if ready == cs.ready else replace(cs, ready=ready)
    ready = sum((cs.ready or 0) for cs in clusters.values())
    conditions = tuple(
        _available(ready, status.desired or 0) if c.type == "Available" else c
        for c in status.conditions
    )
    return replace(status, ready=ready, clusters=clusters, conditions=conditions)


def _scheduled(degraded: str, unschedulable: int, targets: int) -> list[Condition]:
    out = []
    if degraded:
        out.append(condition("SpreadSatisfied", False, "Degraded", degraded))
    if unschedulable:
        msg = f"{unschedulable} replica(s) fit on no cluster"
        out.append(condition("Scheduled", False, "Unschedulable", msg))
    elif not targets:
        out.append(condition("Scheduled", False, "NoCluster", "no cluster passes placement"))
    else:
        out.append(condition("Scheduled", True, "Scheduled", f"{targets} cluster(s)"))
    return out


def _sync(
    ctx: Context, w: Workload, want: Mapping[str, int | None], policy: PropagationPolicy | None
) -> tuple[list[Action], dict[str, ClusterStatus]]:
    """Actions that make every member hold exactly `want`, and per-cluster status. Nothing is
    written to a cluster the policy suspends dispatching to (Karmada's suspension)."""
    actions: list[Action] = []
    clusters: dict[str, ClusterStatus] = {}
    for name, replicas in sorted(want.items()):
        c = ctx.desired.cluster(name)
        assert c is not None
        manifest, digest, effective = ctx.desired.rendered(w, c, replicas)
        obj = ctx.object(name, w.key)
        applied = obj is not None and obj.hash == digest
        ready = None if obj is None else obj.ready_replicas
        if not ctx.reachable(name):
            clusters[name] = ClusterStatus(effective, ready, applied, "ClusterUnreachable")
            continue
        if policy is not None and policy.suspends(name):
            clusters[name] = ClusterStatus(effective, ready, applied, "Suspended")
            continue
        if not applied:
            actions.append(
                Apply(
                    name, w.key, manifest, digest, "create" if obj is None else "update", effective
                )
            )
        clusters[name] = ClusterStatus(effective, ready, applied, "")
    for name in ctx.holders(w.key):
        if name in want:
            continue
        obj = ctx.object(name, w.key)
        ready = None if obj is None else obj.ready_replicas
        if w.kind == "Namespace" and not _emptied(ctx, name, w.key):
            # a namespace may hold more than what we put there: moving a workload away from a
            # cluster never deletes it (removing it from the federation does)
            clusters[name] = ClusterStatus(None, None, True, "Retained")
            continue
        if policy is not None and policy.suspends(name):
            clusters[name] = ClusterStatus(0, ready, False, "Suspended")
        elif ctx.reachable(name):
            actions.append(Delete(name, w.key, "not a target"))
            clusters[name] = ClusterStatus(0, ready, False, "Deleting")
        else:
            clusters[name] = ClusterStatus(0, ready, False, "ClusterUnreachable")
    return actions, clusters


def _action_order(a: Action) -> tuple[int, int, str, str]:
    kind = a.key.split("/", 1)[0]
    rank = KIND_ORDER.get(kind, 2)
    if isinstance(a, Delete):
        return (1, -rank, a.key, a.cluster)
    return (0, rank, a.key, a.cluster)


def _held(observed: Observation) -> set[str]:
    if observed.index is not None:
        return set(observed.index)
    return {k for c in observed.clusters.values() for k in c.objects}


def reconcile(
    desired: DesiredState,
    observed: Observation,
    state: FederationState,
    now: float,
    *,
    thresholds: HealthThresholds = HealthThresholds(),
    dirty: Collection[str] | None = None,
    rescheduling: Rescheduling = Rescheduling(),
    sensitive: Collection[str] = (),
) -> Plan:
    """Decide what every member should hold now.

    `observed` carries the latest view of each member (objects, free capacity) and the probe
    results that arrived since the previous call; `state` is the previous plan's state; `now` is
    seconds since the run started. With `dirty`, only those workload keys are reconciled (plus
    those a cluster whose health changed can affect: `touching`); without it, every workload.
    """
    health, events = _advance_health(desired, observed.probes, state.health, thresholds)
    changed = tuple(sorted({e.cluster for e in events}))
    probed = {p.cluster for p in observed.probes}
    taints, conditions = fleet.derive(
        desired.clusters, state.health, health, probed, observed.clusters
    )
    ctx = Context(desired, observed, health, taints, now, rescheduling)
    ctx.reserved.update(state.reserved)
    if dirty is None:
        # everything: what is desired, what the core remembers, and whatever a member holds
        # of ours (a copy left by an earlier run of the control plane, say)
        keys = set(desired.workloads) | set(state.workloads) | _held(observed)
    else:
        keys = set(dirty)
        if changed:
            keys |= touching_any(desired, state, {n: ctx.obs(n).objects for n in changed})
        keys |= {d for k in list(keys) for d in desired.dependencies(k)}
    actions: list[Action] = []
    statuses: dict[str, WorkloadStatus] = {}
    # a cycle with nothing to reconcile (only probe results came) keeps the old mapping
    workloads = dict(state.workloads) if keys else {}
    ctx.states = workloads
    wakeups: dict[str, float] = {}
    # workloads room decided (`sensitive`, from the caller) are planned in this pass too, after
    # any workload that changes the room reserved: as a full pass would see them
    order = _Order.of(desired)
    queue = [order.entry(k) for k in keys]
    heapq.heapify(queue)
    queued = set(keys)
    later = sorted(order.entry(k) for k in sensitive if k in desired.workloads)
    while queue:
        here = heapq.heappop(queue)
        key = here[-1]
        w = desired.workloads.get(key)
        ws = state.workloads.get(key, _NO_STATE)
        if w is None:
            # removed from the desired state: delete every copy we can reach, reserve nothing
            for name, amount in ws.reserved.items():
                ctx.reserve(name, Resources() - amount)
            if ws.reserved and key in workloads:
                workloads[key] = replace(ws, reserved={})
            for name in ctx.holders(key):
                if ctx.reachable(name):
                    actions.append(Delete(name, key, "workload removed"))
            if not ctx.holders(key):
                workloads.pop(key, None)
            continue
        out = _plan_workload(ctx, w, ws)
        actions.extend(out.actions)
        statuses[key] = out.status
        events.extend(out.events)
        workloads[key] = out.state
        if out.wakeup is not None:
            wakeups[key] = out.wakeup
        if out.state.reserved != ws.reserved:
            for item in later:
                if item > here and item[-1] not in queued:
                    queued.add(item[-1])
                    heapq.heappush(queue, item)
    actions.sort(key=_action_order)
    soonest = min(wakeups.values(), default=None)
    return Plan(
        actions=tuple(actions),
        requeue_after=None if soonest is None else max(0.0, soonest - now),
        cluster_conditions=conditions,
        workloads=statuses,
        events=tuple(events),
        state=FederationState(
            health, workloads if keys else state.workloads, ctx.reserved if keys else state.reserved
        ),
        wakeups=wakeups,
        health_changed=changed,
    )
