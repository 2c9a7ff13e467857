"""Eviction: leaving clusters that failed or no longer fit, gracefully (the old replicas stay
until their replacements are Ready, or the grace period ends) or directly; readmission of a
cluster once it has been Ready for the policy's stabilization window (with failback: a fresh
division); and make-before-break holds whenever replicas move between clusters."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from federation.core.actions import Event, EvictionTask, WorkloadState
from federation.core.context import Context
from federation.core.model import Health, PropagationPolicy, Workload

# eviction tasks that hold a cluster during a move (make before break), not a failover
_MOVES = frozenset({"failback", "rebalance", "drain"})


@dataclass
class Drain:
    """One workload's evictions while it is being planned: the tasks, the clusters it left
    (failback candidates), and the events and wake-up times they produce."""

    key: str
    now: float
    tasks: dict[str, EvictionTask]
    evicted_from: dict[str, float]
    events: list[Event] = field(default_factory=list)
    wakeups: list[float] = field(default_factory=list)
    readmitted: list[tuple[str, float]] = field(default_factory=list)  # (cluster, evicted at)

    @classmethod
    def of(cls, ctx: Context, w: Workload, ws: WorkloadState) -> Drain:
        return cls(w.key, ctx.now, dict(ws.evictions), dict(ws.evicted_from))

    def barred(self, ctx: Context, policy: PropagationPolicy) -> dict[str, str]:
        """Clusters this workload left by eviction and may not be placed on yet (cluster ->
        why), readmitting those whose time has come.

        A cluster is readmitted once it has been Ready for the policy's stabilization window
        since both its recovery and the eviction, and no graceful eviction of this workload is
        still draining it (as Karmada never re-selects a cluster with an eviction task). Until
        then every division method treats it as excluded, so no bound (min) or weight pulls
        replicas back early. Readmitted clusters are in `readmitted`; with failback enabled the
        caller re-divides from scratch (see `federation.core.targets`)."""
        window = policy.failover.failback.stabilization_seconds
        out: dict[str, str] = {}
        for c, t_ev in sorted(self.evicted_from.items()):
            h = ctx.health.get(c)
            head = f"evicted at {t_ev:g}s"
            if h is None:
                del self.evicted_from[c]  # no longer a member
                continue
            task = self.tasks.get(c)
            if task is not None and task.reason not in _MOVES:
                out[c] = f"{head}; its replicas there are still draining"
                self.wakeups.append(task.deadline)
                continue
            if h.state is not Health.READY:
                out[c] = f"{head}; cluster is {h.state.value}"
                continue
            due = max(h.since, t_ev) + window
            if self.now < due:
                out[c] = f"{head}; Ready, readmitted at {due:g}s (stabilization window {window:g}s)"
                self.wakeups.append(due)
                continue
            del self.evicted_from[c]
            self.tasks.pop(c, None)
            self.readmitted.append((c, t_ev))
        return out

    def readmit_events(self, policy: PropagationPolicy, moved: bool) -> None:
        """Events for the clusters readmitted this time: `failback` when the policy fails back
        and replicas moved, else `readmit` (the cluster is a candidate again)."""
        fb = policy.failover.failback.enabled
        for c, t_ev in self.readmitted:
            kind: Literal["failback", "readmit"] = "failback" if fb and moved else "readmit"
            self.events.append(Event(self.now, kind, c, self.key, {"evicted_at": t_ev}))

    def evict(
        self,
        policy: PropagationPolicy,
        leaving: Mapping[str, str],
        before: Mapping[str, int],
        targets: Mapping[str, int],
    ) -> None:
        """Leave each cluster in `leaving` (cluster -> reason); `before` is the old layout."""
        fo = policy.failover
        for c, reason in sorted(leaving.items()):
            old = before[c]
            self.events.append(
                Event(
                    self.now,
                    "evict",
                    c,
                    self.key,
                    {"reason": reason, "replicas": old, "purge": fo.purge_mode},
                )
            )
            self.evicted_from[c] = self.now
            if fo.purge_mode == "Graceful" and c not in targets:
                self.tasks[c] = EvictionTask(
                    c, old, reason, fo.purge_mode, self.now, self.now + fo.grace_period_seconds
                )

    def hold_donors(
        self,
        ctx: Context,
        w: Workload,
        policy: PropagationPolicy,
        before: Mapping[str, int],
        targets: Mapping[str, int],
        reason: str,
        draining: Collection[str] = (),
    ) -> None:
        """Make before break: when replicas move (some cluster gains while others lose), the
        clusters that give replicas keep their old count until the new layout is Ready (or the
        grace period ends), so a failback, a return from a fallback group or any rebalance never
        dips availability. Only with purge mode Graceful; a plain scale-down (nobody gains) goes
        at once. Replicas that never got a node (Pending) are not held. Clusters `draining`
        (planned maintenance, an unjoin) are held without a deadline: nothing there goes before
        its replacement is Ready."""
        fo = policy.failover
        if fo.purge_mode != "Graceful":
            return
        if not any(n > before.get(c, 0) for c, n in targets.items()):
            return
        for c, old in sorted(before.items()):
            if targets.get(c, 0) >= old or c in self.tasks:
                continue
            obj = ctx.object(c, w.key)
            bound = old if obj is None or obj.scheduled is None else min(old, obj.scheduled)
            if bound <= targets.get(c, 0):
                continue
            if c in draining:
                self.tasks[c] = EvictionTask(c, bound, "drain", "Graceful", self.now, math.inf)
                continue
            self.tasks[c] = EvictionTask(
                c, bound, reason, "Graceful", self.now, self.now + fo.grace_period_seconds
            )

    def finish(
        self,
        ctx: Context,
        w: Workload,
        targets: Mapping[str, int],
        replicas_of: Callable[[int], int | None],
    ) -> None:
        """End every task whose replacements are all Ready, or whose grace period is over."""
        if not self.tasks:  # nothing draining: no need to look at the targets
            return
        done = all(ready_on(ctx, w, c, replicas_of(n), c in self.tasks) for c, n in targets.items())
        for c, task in sorted(self.tasks.items()):
            if done or self.now >= task.deadline:
                del self.tasks[c]
                why = "replacements ready" if done else "grace period over"
                self.events.append(
                    Event(self.now, "purge", c, self.key, {"reason": task.reason, "why": why})
                )
                if c in self.evicted_from:
                    # it was barred as still draining: look again at once, it may be readmitted
                    self.wakeups.append(self.now)
            elif task.deadline != math.inf:
                self.wakeups.append(task.deadline)

    def kept(self, targets: Mapping[str, int]) -> dict[str, int]:
        """Replicas each draining cluster keeps for now (at least its target)."""
        return {c: max(targets.get(c, 0), t.replicas) for c, t in self.tasks.items()}


def ready_on(ctx: Context, w: Workload, cluster: str, replicas: int | None, held: bool) -> bool:
    """Does `cluster` serve `replicas` Ready replicas of `w`? A cluster held at a larger size
    (draining gracefully) counts when enough of its replicas are Ready, whatever its spec."""
    obj = ctx.object(cluster, w.key)
    c = ctx.desired.cluster(cluster)
    if obj is None or c is None:
        return False
    want = replicas
    if replicas is not None:
        _, digest, want = ctx.desired.rendered(w, c, replicas)
        if not held and obj.hash != digest:
            return False
    return want is None or (obj.ready_replicas or 0) >= want
