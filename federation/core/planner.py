"""The reconcile plan: `reconcile(desired, observed, state, now) -> Plan`, the core's single entry.

Level-triggered: every decision is made from the desired documents, what was observed and the
core's remembered state, never from the event that woke us. Idempotent: applying a plan and
reconciling again with the resulting observation yields no actions. Incremental: given `dirty`,
only those workloads are looked at, plus, when a cluster's health changes, the workloads that
cluster can matter to (see `federation.core.impact`): cost grows with what changed, not with the
federation. Each workload is planned by `federation.core.workload_plan`.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

from federation.core import fleet
from federation.core.actions import (
    Action,
    Delete,
    Event,
    FederationState,
    Plan,
    WorkloadState,
    WorkloadStatus,
)
from federation.core.context import Context
from federation.core.desired import DesiredState
from federation.core.health import (
    ClusterHealth,
    HealthThresholds,
    observe_probe,
)
from federation.core.impact import touching_any
from federation.core.model import (
    KIND_ORDER,
    Observation,
    Rescheduling,
    Resources,
)
from federation.core.workload_plan import plan_workload, refresh_reservation

# the control loop imports these from here
__all__ = ["reconcile"]

_NO_STATE = WorkloadState()


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
    # before anything reads the room: the reservations of the workloads looked at, re-read
    # from this observation (replicas placed since leave them; a workload whose objects did
    # not change is not looked at, and its reservation is as this observation would give it)
    fresh: dict[str, WorkloadState] = {}
    for key in sorted(k for k in keys if state.workloads.get(k, _NO_STATE).reserved):
        w = desired.workloads.get(key)
        if w is not None:
            ws = refresh_reservation(ctx, w, state.workloads[key])
            if ws is not state.workloads[key]:
                fresh[key] = ws
    if fresh:  # the room reserved changed before anyone was planned
        for item in later:
            if item[-1] not in queued:
                queued.add(item[-1])
                heapq.heappush(queue, item)
    while queue:
        here = heapq.heappop(queue)
        key = here[-1]
        w = desired.workloads.get(key)
        ws = fresh.get(key) or state.workloads.get(key, _NO_STATE)
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
        out = plan_workload(ctx, w, ws)
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
