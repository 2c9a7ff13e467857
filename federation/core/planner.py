"""The reconcile plan: `reconcile(desired, observed, state, now) -> Plan`, the core's single entry.

Level-triggered: every decision is made from the desired documents, what was observed and the
core's remembered state, never from the event that woke us. Idempotent: applying a plan and
reconciling again with the resulting observation yields no actions. Incremental: given `dirty`,
only those workloads are looked at (a change of any cluster's health makes every workload dirty).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from federation.core.actions import (
    Action,
    Apply,
    ClusterStatus,
    Condition,
    Delete,
    Event,
    EvictionTask,
    FederationState,
    Plan,
    WorkloadState,
    WorkloadStatus,
)
from federation.core.desired import DesiredState
from federation.core.division import divide
from federation.core.health import (
    ClusterHealth,
    HealthThresholds,
    health_taints,
    observe_probe,
)
from federation.core.model import (
    KIND_ORDER,
    Cluster,
    ClusterObservation,
    Health,
    Observation,
    ObservedObject,
    PropagationPolicy,
    Resources,
    Taint,
    Workload,
)
from federation.core.placement import place
from federation.core.webster import tie_ascending

_NO_OBSERVATION = ClusterObservation(cluster="")


@dataclass
class _Context:
    desired: DesiredState
    observed: Observation
    health: Mapping[str, ClusterHealth]
    taints: Mapping[str, tuple[Taint, ...]]
    now: float
    free_memo: dict[Resources, dict[str, int | None]] = field(default_factory=dict)

    def obs(self, cluster: str) -> ClusterObservation:
        return self.observed.clusters.get(cluster, _NO_OBSERVATION)

    def reachable(self, cluster: str) -> bool:
        h = self.health.get(cluster)
        return (h is None or h.state is not Health.OFFLINE) and self.obs(cluster).reachable

    def object(self, cluster: str, key: str) -> ObservedObject | None:
        return self.obs(cluster).objects.get(key)

    def free_replicas(self, w: Workload) -> dict[str, int | None]:
        """Replicas of `w` each cluster can still take (None = unknown); shared by workloads
        asking the same request, and by later reconciles while no cluster's free room changes
        (see `_memo`), so treat as read-only."""
        request = w.request
        out = self.free_memo.get(request)
        if out is not None:
            return out
        clusters = self.desired.clusters
        frees = tuple(self.obs(c.name).free for c in clusters)
        last = _FREE.get(request)
        if last is not None and last[0] is clusters and last[1] == frees:
            out = last[2]
        else:
            out = {
                c.name: None if free is None else free.replicas_fitting(request)
                for c, free in zip(clusters, frees, strict=True)
            }
            _memo(_FREE, request, (clusters, frees, out))
        self.free_memo[request] = out
        return out


_FRESH = ClusterHealth()
_NO_STATE = WorkloadState()


def _advance_health(
    desired: DesiredState,
    probes: Iterable[Any],
    before: Mapping[str, ClusterHealth],
    th: HealthThresholds,
) -> tuple[dict[str, ClusterHealth], list[Event]]:
    health = {c.name: before.get(c.name, _FRESH) for c in desired.clusters}
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
                    {"from": h.state.value, "to": nh.state.value, "reason": p.reason},
                )
            )
        health[p.cluster] = nh
    return health, events


def _cluster_conditions(
    health: Mapping[str, ClusterHealth], ctx: _Context
) -> dict[str, tuple[Condition, ...]]:
    out = {}
    for name, h in health.items():
        failed = 0 if h.run_ok else h.run
        reachable = ctx.obs(name).reachable
        k = (h.state, h.since, failed, reachable)
        conds = _CONDITIONS.get(k)
        if conds is None:
            conds = _memo(_CONDITIONS, k, _conditions(h.state, h.since, failed, reachable))
        out[name] = conds
    return out


# the same few conditions every cycle: memoised by value (cheap to keep, costly to format)
_CONDITIONS: dict[tuple[Health, float, int, bool], tuple[Condition, ...]] = {}


def _condition(type_: str, status: bool, reason: str, message: str = "") -> Condition:
    """A Condition, shared with every equal one (they are frozen; most workloads repeat a few)."""
    k = (type_, status, reason, message)
    c = _WORKLOAD_CONDITIONS.get(k)
    if c is None:
        c = _memo(_WORKLOAD_CONDITIONS, k, Condition(type_, status, reason, message))
    return c


_WORKLOAD_CONDITIONS: dict[tuple[str, bool, str, str], Condition] = {}


def _conditions(state: Health, since: float, failed: int, reachable: bool) -> tuple[Condition, ...]:
    msg = f"{state.value} since t={since:g}s"
    if failed:
        msg += f"; {failed} failed probe(s) in a row"
    conds = [Condition("Ready", state is Health.READY, state.value, msg)]
    if not reachable:
        conds.append(Condition("Observed", False, "Unreachable", "last observation failed"))
    return tuple(conds)


def _weight_and_bounds(policy: PropagationPolicy, c: Cluster) -> tuple[int, int, int | None]:
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
# Rows are keyed as (base rows, selected clusters, the rows that differ from the base): the
# base rows of a (policy, request) are interned as a number when they change, so a lookup
# hashes a tuple of names, not a tuple of rows. Numbers are never reused, so clearing the
# tables only costs misses.
_DIVISIONS: dict[tuple[Any, ...], tuple[tuple[tuple[str, int], ...], int]] = {}
_BASES: dict[tuple[_Row, ...], int] = {}
_TIES: dict[str, bool] = {}
_NUMBERS = itertools.count()
_MEMO_MAX = 50_000
# Per-cluster work every reconcile repeats, kept between reconciles while its inputs are the
# same objects (or, for taints, equal): free replicas per request, placement verdicts and base
# division rows per (policy, request). Each entry holds its inputs and is checked before use.
_FREE: dict[Resources, tuple[Any, tuple[Resources | None, ...], dict[str, int | None]]] = {}
_PLACEMENTS: dict[tuple[str, str, Resources | None], dict[Any, Any]] = {}
_ROWS: dict[tuple[str, str, Resources | None], tuple[Any, ...]] = {}


def _memo(table: dict[Any, Any], key: Any, value: Any) -> Any:
    """Store `value` in a bounded memo table (cleared when full: entries are only caches)."""
    if len(table) >= _MEMO_MAX:
        table.clear()
    table[key] = value
    return value


def _bucket(policy: PropagationPolicy, w: Workload) -> tuple[str, str, Resources | None]:
    """Workloads of one policy asking the same request see the same free room everywhere."""
    return (policy.namespace, policy.name, w.request if w.divisible else None)


def _base_rows(
    ctx: _Context, w: Workload, policy: PropagationPolicy, free: Mapping[str, int | None]
) -> tuple[dict[str, _Row], int]:
    """Each cluster's division row for a workload that has nothing there yet, and the number
    standing for exactly these rows."""
    k = _bucket(policy, w)
    clusters = ctx.desired.clusters
    hit = _ROWS.get(k)
    if hit is not None and hit[0] is policy and hit[1] is clusters and hit[2] is free:
        return hit[3], hit[4]
    rows: dict[str, _Row] = {}
    for c in clusters:
        weight, lo, hi = _weight_and_bounds(policy, c)
        rows[c.name] = (c.name, weight, lo, hi, 0, free.get(c.name))
    content = tuple(rows.values())
    number = _BASES.get(content)
    if number is None:
        number = _memo(_BASES, content, next(_NUMBERS))
    _memo(_ROWS, k, (policy, clusters, free, rows, number))
    return rows, number


def _tie(method: str, uid: str) -> str | bool:
    """What of the workload key a division method reads (see the memo note above)."""
    if method != "kfed":
        return uid
    tie = _TIES.get(uid)
    if tie is None:
        tie = _memo(_TIES, uid, tie_ascending(uid))
    return bool(tie)


def _divide(
    ctx: _Context,
    w: Workload,
    policy: PropagationPolicy,
    selected: tuple[str, ...],
    current: Mapping[str, int],
    free: Mapping[str, int | None],
    rebalance: bool,
) -> tuple[dict[str, int], int]:
    total = w.replicas or 0
    rs = policy.placement.replicas
    if rs.type == "Duplicated":
        return {c: total for c in selected}, 0
    if not selected:
        return {}, total
    key = w.key
    base, number = _base_rows(ctx, w, policy, free)
    # rows that differ from the base: clusters the workload is assigned to or present on
    special: dict[str, _Row] = {}
    for name in (*current, *_holders(ctx, key)):
        if name in special or name not in base:
            continue
        _, weight, lo, hi, _, room = base[name]
        obj = ctx.object(name, key)
        # capacity = replicas already holding resources there + what still fits
        held = 0
        if obj is not None:
            held = obj.scheduled if obj.scheduled is not None else (obj.ready_replicas or 0)
        cap = None if room is None else held + room
        special[name] = (name, weight, lo, hi, current.get(name, 0), cap)
    if special:
        chosen = set(selected)
        differ = tuple(sorted(r for n, r in special.items() if n in chosen and r != base[n]))
    else:
        differ = ()
    method = rs.method_name()
    uid = w.uid or key
    rebalance = rebalance or rs.rebalance
    memo_key = (total, method, _tie(method, uid), rebalance, number, selected, differ)
    hit = _DIVISIONS.get(memo_key)
    if hit is None:
        changed = {r[0]: r for r in differ}
        div = divide(
            total,
            [
                {"name": n, "weight": wt, "min": lo, "max": hi, "current": cur, "capacity": cap}
                for n, wt, lo, hi, cur, cap in (changed.get(n) or base[n] for n in selected)
            ],
            method=method,
            key=uid,
            rebalance=rebalance,
        )
        hit = _memo(
            _DIVISIONS,
            memo_key,
            (tuple((c, n) for c, n in div.replicas.items() if n > 0), div.unschedulable),
        )
    return dict(hit[0]), hit[1]


def _ready_on(ctx: _Context, w: Workload, cluster: str, replicas: int | None, held: bool) -> bool:
    """Does `cluster` serve `replicas` Ready replicas of `w`? A cluster held at a larger size
    (draining gracefully) counts when enough of its replicas are Ready, whatever its spec."""
    obj = ctx.object(cluster, w.key)
    c = ctx.desired.cluster(cluster)
    if obj is None or c is None:
        return False
    if not held:
        _, digest = ctx.desired.rendered(w, c, replicas)
        if obj.hash != digest:
            return False
    return replicas is None or (obj.ready_replicas or 0) >= replicas


@dataclass
class _Outcome:
    actions: list[Action]
    status: WorkloadStatus
    state: WorkloadState
    events: list[Event]
    wakeup: float | None


def _plan_workload(ctx: _Context, w: Workload, ws: WorkloadState) -> _Outcome:
    now, key = ctx.now, w.key
    events: list[Event] = []
    wakeups: list[float] = []
    policy = ctx.desired.policy_for(w)
    excluded: Mapping[str, str] = {}
    unschedulable = 0
    evictions = dict(ws.evictions)
    evicted_from = dict(ws.evicted_from)
    conditions: list[Condition] = []
    if policy is None:
        targets: dict[str, int] = {}
        conditions.append(
            _condition("Scheduled", False, "NoPolicy", "no PropagationPolicy selects this workload")
        )
    else:
        free = ctx.free_replicas(w) if w.divisible else {}
        bucket = _bucket(policy, w)
        res = place(
            policy.placement,
            policy.failover,
            ctx.desired.clusters,
            ctx.taints,
            ws.assignment.keys(),
            now,
            free,
            memo=_PLACEMENTS.get(bucket) or _memo(_PLACEMENTS, bucket, {}),
        )
        excluded = res.excluded
        if res.next_eviction_at is not None:
            wakeups.append(res.next_eviction_at)
        evicted_now = {c: r for c, r in res.evict.items() if c in ws.assignment}
        current = {c: n for c, n in ws.assignment.items() if c not in evicted_now}
        failback = False
        fb = policy.failover.failback
        for c, t_ev in sorted(ws.evicted_from.items()):
            h = ctx.health.get(c)
            if c in evicted_now or h is None or h.state is not Health.READY:
                continue
            if not fb.enabled or c not in res.selected:
                continue
            due = max(h.since, t_ev) + fb.stabilization_seconds
            if now >= due:
                failback = True
                del evicted_from[c]
                events.append(Event(now, "failback", c, key, {"evicted_at": t_ev}))
            else:
                wakeups.append(due)
        if w.divisible:
            targets, unschedulable = _divide(ctx, w, policy, res.selected, current, free, failback)
        else:
            targets = {c: 0 for c in res.selected}
        mode = policy.failover.purge_mode
        for c, reason in sorted(evicted_now.items()):
            old = ws.assignment[c]
            events.append(
                Event(now, "evict", c, key, {"reason": reason, "replicas": old, "purge": mode})
            )
            evicted_from[c] = now
            if mode == "Graceful" and c not in targets:
                evictions[c] = EvictionTask(
                    c, old, reason, mode, now, now + policy.failover.grace_period_seconds
                )
        if failback:
            # keep the clusters that give replicas back at their old size until the returning
            # replicas are Ready: a failback must never dip availability
            for c, old in ws.assignment.items():
                if targets.get(c, 0) < old and c not in evictions:
                    evictions[c] = EvictionTask(
                        c,
                        old,
                        "failback",
                        "Graceful",
                        now,
                        now + policy.failover.grace_period_seconds,
                    )
        if targets != dict(ws.assignment):
            events.append(
                Event(
                    now,
                    "schedule",
                    "",
                    key,
                    {"assignment": dict(sorted(targets.items())), "unschedulable": unschedulable},
                )
            )
        if res.degraded:
            conditions.append(_condition("SpreadSatisfied", False, "Degraded", res.degraded))
        if unschedulable:
            conditions.append(
                _condition(
                    "Scheduled",
                    False,
                    "Unschedulable",
                    f"{unschedulable} replica(s) fit on no cluster",
                )
            )
        elif not targets:
            conditions.append(
                _condition("Scheduled", False, "NoCluster", "no cluster passes placement")
            )
        else:
            conditions.append(
                _condition("Scheduled", True, "Scheduled", f"{len(targets)} cluster(s)")
            )
    replicas_of = (lambda n: n) if w.divisible else (lambda n: None)
    done = all(_ready_on(ctx, w, c, replicas_of(n), c in evictions) for c, n in targets.items())
    for c, task in sorted(evictions.items()):
        if done or now >= task.deadline:
            del evictions[c]
            events.append(
                Event(
                    now,
                    "purge",
                    c,
                    key,
                    {
                        "reason": task.reason,
                        "why": "replacements ready" if done else "grace period over",
                    },
                )
            )
        else:
            wakeups.append(task.deadline)
    want: dict[str, int | None] = {c: replicas_of(n) for c, n in targets.items()}
    for c, task in evictions.items():
        kept = max(targets.get(c, 0), task.replicas)
        want[c] = replicas_of(kept)
    actions, clusters = _sync(ctx, w, want)
    ready = sum((cs.ready or 0) for cs in clusters.values())
    if w.divisible:
        conditions.append(
            _condition(
                "Available",
                ready >= (w.replicas or 0),
                "Available" if ready >= (w.replicas or 0) else "Degraded",
                f"{ready}/{w.replicas} ready",
            )
        )
    applied = all(cs.applied for c, cs in clusters.items() if c in want)
    conditions.append(_condition("FullyApplied", applied, "Applied" if applied else "Pending", ""))
    status = WorkloadStatus(
        key,
        w.replicas,
        dict(targets),
        ready,
        unschedulable,
        clusters,
        dict(excluded),
        tuple(conditions),
    )
    new_state = WorkloadState(dict(targets), evictions, evicted_from)
    return _Outcome(actions, status, new_state, events, min(wakeups) if wakeups else None)


def _sync(
    ctx: _Context, w: Workload, want: Mapping[str, int | None]
) -> tuple[list[Action], dict[str, ClusterStatus]]:
    """Actions that make every member hold exactly `want`, and per-cluster status."""
    actions: list[Action] = []
    clusters: dict[str, ClusterStatus] = {}
    for name, replicas in sorted(want.items()):
        c = ctx.desired.cluster(name)
        assert c is not None
        manifest, digest = ctx.desired.rendered(w, c, replicas)
        obj = ctx.object(name, w.key)
        applied = obj is not None and obj.hash == digest
        ready = None if obj is None else obj.ready_replicas
        if not ctx.reachable(name):
            clusters[name] = ClusterStatus(replicas, ready, applied, "ClusterUnreachable")
            continue
        if not applied:
            actions.append(
                Apply(
                    name, w.key, manifest, digest, "create" if obj is None else "update", replicas
                )
            )
        clusters[name] = ClusterStatus(replicas, ready, applied, "")
    for name in _holders(ctx, w.key):
        if name in want:
            continue
        obj = ctx.object(name, w.key)
        ready = None if obj is None else obj.ready_replicas
        if w.kind == "Namespace":
            # a namespace may hold more than what we put there: moving a workload away from a
            # cluster never deletes it (removing it from the federation does)
            clusters[name] = ClusterStatus(None, None, True, "Retained")
            continue
        if ctx.reachable(name):
            actions.append(Delete(name, w.key, "not a target"))
            clusters[name] = ClusterStatus(0, ready, False, "Deleting")
        else:
            clusters[name] = ClusterStatus(0, ready, False, "ClusterUnreachable")
    return actions, clusters


def _holders(ctx: _Context, key: str) -> Collection[str]:
    index = ctx.observed.index
    if index is not None:
        return sorted(index.get(key, ()))
    return [c for c, o in sorted(ctx.observed.clusters.items()) if key in o.objects]


def _action_order(a: Action) -> tuple[int, int, str, str]:
    kind = a.key.split("/", 1)[0]
    rank = KIND_ORDER.get(kind, 2)
    if isinstance(a, Delete):
        return (1, -rank, a.key, a.cluster)
    return (0, rank, a.key, a.cluster)


def reconcile(
    desired: DesiredState,
    observed: Observation,
    state: FederationState,
    now: float,
    *,
    thresholds: HealthThresholds = HealthThresholds(),
    dirty: Collection[str] | None = None,
) -> Plan:
    """Decide what every member should hold now.

    `observed` carries the latest view of each member (objects, free capacity) and the probe
    results that arrived since the previous call; `state` is the previous plan's state; `now` is
    seconds since the run started. With `dirty`, only those workload keys are reconciled (plus
    every workload when a cluster's health changed).
    """
    health, events = _advance_health(desired, observed.probes, state.health, thresholds)
    changed = tuple(sorted({e.cluster for e in events}))
    taints = {c.name: c.taints + health_taints(health[c.name]) for c in desired.clusters}
    ctx = _Context(desired, observed, health, taints, now)
    everything = dirty is None or bool(changed)
    keys = set(desired.workloads) | set(state.workloads) if everything else set(dirty or ())
    actions: list[Action] = []
    statuses: dict[str, WorkloadStatus] = {}
    # a cycle with nothing to reconcile (only probe results came) keeps the old mapping
    workloads = dict(state.workloads) if keys else {}
    wakeups: dict[str, float] = {}
    for key in sorted(keys):
        w = desired.workloads.get(key)
        ws = state.workloads.get(key, _NO_STATE)
        if w is None:
            # removed from the desired state: delete every copy we can reach
            for name in _holders(ctx, key):
                if ctx.reachable(name):
                    actions.append(Delete(name, key, "workload removed"))
            if not _holders(ctx, key):
                workloads.pop(key, None)
            continue
        out = _plan_workload(ctx, w, ws)
        actions.extend(out.actions)
        statuses[key] = out.status
        events.extend(out.events)
        workloads[key] = out.state
        if out.wakeup is not None:
            wakeups[key] = out.wakeup
    actions.sort(key=_action_order)
    soonest = min(wakeups.values(), default=None)
    return Plan(
        actions=tuple(actions),
        requeue_after=None if soonest is None else max(0.0, soonest - now),
        cluster_conditions=_cluster_conditions(health, ctx),
        workloads=statuses,
        events=tuple(events),
        state=FederationState(health, workloads if keys else state.workloads),
        wakeups=wakeups,
        health_changed=changed,
    )
