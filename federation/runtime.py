"""The control loop both backends share: read the clock once, take what the members reported,
reconcile what changed, hand the actions to the gateway, record, and say when to wake up.

A backend supplies a `Gateway` (probe, observe, apply) and drives `ControlLoop.cycle(now)`:
the sim from a SimPy process, the kube backend from a wall-clock thread. Nothing in here knows
which one it is. When to probe is `federation.probe_schedule`'s; writes on their way are
`federation.inflight`'s.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from federation.core.actions import (
    Action,
    Apply,
    Event,
    FederationState,
    Plan,
    WorkloadState,
    WorkloadStatus,
)
from federation.core.desired import DesiredState
from federation.core.health import HealthThresholds
from federation.core.impact import touching_any
from federation.core.model import (
    Health,
    Rescheduling,
)
from federation.core.nominal import nominal
from federation.core.planner import reconcile
from federation.core.sync import refresh_ready
from federation.cycle_stats import CycleStats
from federation.inflight import InflightWrites
from federation.observed import Gateway, ObservedView
from federation.probe_schedule import ProbeSchedule
from federation.recorder import Recorder

if TYPE_CHECKING:
    from federation.autoscaling.autoscaler import Autoscaler
    from federation.operations import Operator


_NO_STATE = WorkloadState()


class ControlLoop:
    """One federation control plane. Call `cycle(now)` whenever the backend wakes it."""

    def __init__(
        self,
        desired: DesiredState,
        gateway: Gateway,
        recorder: Recorder,
        thresholds: HealthThresholds = HealthThresholds(),
        resync_period: float = 3600.0,
        inflight_timeout: float = 10.0,
        rescheduling: Rescheduling = Rescheduling(),
        always_full: bool = False,
        skip_certain_probes: bool = True,
        cycle_lag: float = 0.0,
        operator: Operator | None = None,
        autoscaler: Autoscaler | None = None,
    ) -> None:
        # operations on the timeline (federation.operations): the loop starts from the
        # documents as they are before the first one and carries each out when it is due
        self.operator = operator
        # callbacks given each cycle's events (the traffic model acts on `steer`)
        self.watchers: list[Callable[[Sequence[Event]], None]] = []
        if operator is not None:
            desired = operator.initial()
        self.desired = desired
        # FederatedHPAs and CronFederatedHPAs (federation.autoscaling): they change desired
        # replicas (or, per-cluster, members' copies) at their own times
        self.autoscaler = autoscaler
        self.gateway = gateway
        self.recorder = recorder
        self.thresholds = thresholds
        self.resync_period = resync_period
        self.rescheduling = rescheduling
        # reconcile every workload every cycle: the reference the incremental loop must match
        # (tests and audits; slow)
        self.always_full = always_full
        # workloads whose layout room decided: reconciled again when a member's room changes
        self._bound: set[str] = set()
        self.state = FederationState()
        self.view = ObservedView([c.name for c in desired.clusters])
        self.statuses: dict[str, WorkloadStatus] = {}
        self._gone: set[str] = set()  # workloads deleted from the documents
        self.last_plan: Plan | None = None
        self.last_cycle: CycleStats | None = None
        self.cycles = 0
        self.reconciled = 0  # workload reconciles, summed over cycles
        self._dirty: set[str] | None = None  # None = everything
        self._wakeups: list[tuple[float, str]] = []
        # probes: when each member's is due, which are left out as certain (skip_certain_probes,
        # cycle_lag: `federation.probe_schedule`)
        self.probes = ProbeSchedule(
            [c.name for c in desired.clusters], gateway, thresholds, skip_certain_probes, cycle_lag
        )
        self._next_resync = resync_period
        self.writes = InflightWrites(inflight_timeout)  # writes sent, not yet answered
        self._record_desired(sorted(desired.workloads), 0.0)

    def update_desired(
        self, desired: DesiredState, changed: Collection[str], now: float | None = None
    ) -> None:
        """Take new documents (a load change); `changed` are the workload keys that differ.
        With `now`, their new nominal desired replicas go to the timeline at that time.

        Members may join or leave: a new cluster is probed from the next cycle on; a cluster
        that left is forgotten (its health, the core's memory of it, writes in flight). Take a
        cluster out only once nothing is assigned to it (`FederationState.holds`)."""
        old = self.probes.clusters
        new = {c.name for c in desired.clusters}
        self._gone |= self.desired.workloads.keys() - desired.workloads.keys()
        self._gone -= desired.workloads.keys()
        self.desired = desired
        changed = set(changed)
        for c in sorted(new - old):
            self.view.add(c)
            self.probes.add(c, 0.0 if now is None else now)
        for c in sorted(old - new):
            changed |= self.view.remove(c)
            self.probes.remove(c)
            self.state = self.state.forget(c)
            self.writes.forget_cluster(c)
        if self._dirty is not None:
            self._dirty.update(changed)
        if now is not None:
            self._record_desired(sorted(changed), now)

    def touch(self, keys: Collection[str]) -> None:
        """Reconcile these workloads at the next cycle though nothing changed."""
        if self._dirty is not None:
            self._dirty.update(keys)

    def _record_desired(self, keys: Sequence[str], now: float) -> None:
        """A `desired` row per workload with replicas: the federation-wide total it is meant to
        run and its nominal layout (`federation.core.nominal`), the yardstick of availability."""
        memo: dict[object, object] = {}
        for key in keys:
            w = self.desired.workloads.get(key)
            if w is None or not w.divisible:
                continue
            n = nominal(self.desired, w, memo)
            self.recorder.row(
                now,
                "desired",
                "",
                key,
                replicas=n.total,
                clusters=dict(n.clusters),
                duplicated=n.duplicated,
            )

    def cycle(self, now: float) -> float:
        """Run one cycle at `now` (read once by the caller); return when to run the next."""
        self.cycles += 1
        if self.operator is not None:
            self.operator.due(self, now)
        probes, deltas = self.gateway.observe(now)
        self.probes.answered(probes)
        orphaned = self.writes.settle(deltas)
        changed, flipped = self.view.merge(deltas)
        changed |= orphaned  # writes a relist showed unanswered: look at them again
        # readiness alone decides nothing for a workload with nothing draining (no eviction
        # waits for its replacements): refresh its status, skip the reconcile
        quiet = {
            k
            for k in self.view.ready_only - orphaned
            if not self.always_full
            and k in self.statuses
            and not self.state.workloads.get(k, _NO_STATE).waiting
        }
        changed -= quiet
        autoscaled = 0  # members' own HPAs' writes (per-cluster mode)
        if self.autoscaler is not None and self.autoscaler.due(now):
            autoscaled = self._autoscale(now)
        if flipped:  # like a health change: whatever could go there or is there
            held = {c: self.view.held(c) for c in sorted(flipped)}
            changed |= touching_any(self.desired, self.state, held)
        if self.view.resized:  # room changed somewhere: only workloads room decided can move
            changed |= self._bound
        while self._wakeups and self._wakeups[0][0] <= now:
            changed.add(heapq.heappop(self._wakeups)[1])
        dirty = self._dirty
        if dirty is not None:
            dirty |= changed
        if now >= self._next_resync:
            dirty = None
            self._next_resync = now + self.resync_period
        if self.always_full:
            dirty = None
        plan = reconcile(
            self.desired,
            self.view.observation(probes),
            self.state,
            now,
            thresholds=self.thresholds,
            dirty=dirty,
            rescheduling=self.rescheduling,
            sensitive=self._bound,
        )
        self._dirty = set()
        reserved_changed = (
            plan.state.reserved is not self.state.reserved
            and plan.state.reserved != self.state.reserved
        )
        queued = len(self.desired.workloads) if dirty is None else len(dirty)
        self.state = plan.state
        self.last_plan = plan
        self.statuses.update(plan.workloads)
        for k in self._gone - plan.workloads.keys():  # deleted, and nothing of it left to plan
            self.statuses.pop(k, None)
        if quiet:
            observation = self.view.observation(())
            for k in quiet - plan.workloads.keys():
                self.statuses[k] = refresh_ready(self.statuses[k], observation)
        self.reconciled += len(plan.workloads)
        for key, st in plan.workloads.items():
            if st.capacity_bound:
                self._bound.add(key)
            else:
                self._bound.discard(key)
        if reserved_changed:
            # room reserved for replicas on their way changed: what room decided can change
            self._dirty |= self._bound
        for key, t in plan.wakeups.items():
            heapq.heappush(self._wakeups, (t, key))
        sent = self.writes.unsent(plan.actions, now)
        if sent:
            self.gateway.apply(sent, now)
        self.recorder.plan(now, plan, sent)
        if plan.events:
            for watch in self.watchers:
                watch(plan.events)
        if self.operator is not None:
            self.operator.settle(self, now)
        self.last_cycle = CycleStats(
            now,
            queued,
            len(plan.workloads),
            len(sent) + autoscaled,
            len(probes),
            len(deltas),
            dirty is None,
            len(plan.events),
        )
        self.probes.send(now, self.state.health)
        deadline = self.probes.next_due(default=now + self.resync_period)
        deadline = min(deadline, self._next_resync)
        if self._wakeups:
            deadline = min(deadline, self._wakeups[0][0])
        if plan.requeue_after is not None:
            deadline = min(deadline, now + plan.requeue_after)
        if self.operator is not None and self.operator.next_at is not None:
            deadline = min(deadline, self.operator.next_at)
        if self.autoscaler is not None:
            deadline = min(deadline, self.autoscaler.deadline())
        return max(deadline, now)

    @property
    def probes_sent(self) -> int:
        """Probes sent so far."""
        return self.probes.probes_sent

    def probes_left_out(self, until: float) -> int:
        """How many probes due before `until` were left out as certain (`probes_sent` + this
        = the probes a loop that leaves none out sends by then)."""
        return self.probes.left_out(until)

    @property
    def suppressed(self) -> int:
        """Actions not re-sent because the same write was still on its way."""
        return self.writes.suppressed

    def _autoscale(self, now: float) -> int:
        """Run the autoscalers due at `now`: new global counts become the desired state (only
        the workloads they change are reconciled); a member's own HPA (per-cluster mode) writes
        its copy directly, which the federation then sees as drift. Returns how many such
        writes it sent."""
        assert self.autoscaler is not None
        health = self.state.health
        changes, writes = self.autoscaler.run(
            now,
            self.desired.workloads,
            lambda c: health[c].state if c in health else Health.READY,
            self.view.observation(()).clusters,
        )
        if changes:
            ws = [replace(self.desired.workloads[k], replicas=n) for k, n in changes.items()]
            self.update_desired(self.desired.with_workloads(ws), sorted(changes), now)
        actions: list[Action] = []
        for mw in writes:
            w = self.desired.workloads[mw.key]
            c = self.desired.cluster(mw.cluster)
            if c is None:
                continue
            manifest, digest, effective = self.desired.rendered(w, c, mw.replicas)
            actions.append(Apply(mw.cluster, mw.key, manifest, digest, "member-hpa", effective))
            self.writes.forget(mw.cluster, mw.key)
        if actions:
            self.gateway.apply(actions, now)
        return len(actions)
