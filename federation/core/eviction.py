"""Eviction: leaving clusters that failed or no longer fit, gracefully (the old replicas stay
until their replacements are Ready, or the grace period ends) or directly, and failback to a
recovered cluster once it has been Ready for the policy's stabilization window."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from federation.core.actions import Event, EvictionTask, WorkloadState
from federation.core.context import Context
from federation.core.model import Health, PropagationPolicy, Workload


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

    @classmethod
    def of(cls, ctx: Context, w: Workload, ws: WorkloadState) -> Drain:
        return cls(w.key, ctx.now, dict(ws.evictions), dict(ws.evicted_from))

    def failback_due(
        self,
        ctx: Context,
        policy: PropagationPolicy,
        selected: tuple[str, ...],
        leaving: Mapping[str, str],
    ) -> bool:
        """Has a cluster this workload was evicted from been Ready long enough to come back?
        When one has, the caller re-divides from scratch (a one-shot rebalance)."""
        fb = policy.failover.failback
        due_now = False
        for c, t_ev in sorted(self.evicted_from.items()):
            h = ctx.health.get(c)
            if c in leaving or h is None or h.state is not Health.READY:
                continue
            if not fb.enabled or c not in selected:
                continue
            due = max(h.since, t_ev) + fb.stabilization_seconds
            if self.now >= due:
                due_now = True
                del self.evicted_from[c]
                self.events.append(Event(self.now, "failback", c, self.key, {"evicted_at": t_ev}))
            else:
                self.wakeups.append(due)
        return due_now

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
        self, policy: PropagationPolicy, before: Mapping[str, int], targets: Mapping[str, int]
    ) -> None:
        """On failback, keep the clusters that give replicas back at their old size until the
        returning replicas are Ready: a failback must never dip availability."""
        for c, old in before.items():
            if targets.get(c, 0) < old and c not in self.tasks:
                self.tasks[c] = EvictionTask(
                    c,
                    old,
                    "failback",
                    "Graceful",
                    self.now,
                    self.now + policy.failover.grace_period_seconds,
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
            else:
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
    if not held:
        _, digest = ctx.desired.rendered(w, c, replicas)
        if obj.hash != digest:
            return False
    return replicas is None or (obj.ready_replicas or 0) >= replicas
