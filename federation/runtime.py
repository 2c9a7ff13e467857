"""The control loop both backends share: read the clock once, take what the members reported,
reconcile what changed, hand the actions to the gateway, record, and say when to wake up.

A backend supplies a `Gateway` (probe, observe, apply) and drives `ControlLoop.cycle(now)`:
the sim from a SimPy process, the kube backend from a wall-clock thread. Nothing in here knows
which one it is.

Probes the backend guarantees to succeed are left out while the cluster's health is steady
(Ready, its run of probes good): one more good probe changes nothing there, so a quiet member
costs no cycles until its next possible trouble. Only the sim can promise (it knows its faults).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
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
from federation.observed import Delta, Gateway, ObservedView
from federation.recorder import Recorder

if TYPE_CHECKING:
    from federation.autoscaling.autoscaler import Autoscaler
    from federation.operations import Operator


_NO_STATE = WorkloadState()


@dataclass(frozen=True)
class CycleStats:
    """What one cycle took in and did (for metrics: `federation.telemetry`)."""

    now: float
    queued: int  # workload keys waiting for this cycle (changed, woken, or all on a resync)
    reconciled: int
    sent: int
    probes: int
    deltas: int
    full: bool  # a full resync
    events: int = 0  # events of the plan (health changes among them)

    @property
    def idle(self) -> bool:
        """The cycle took in no news from the members, decided no event and sent no write: at
        most probe results that changed no health came in and probes went out (so the same as
        if those probes had been left out). Told by what came in and out, not by how much was
        reconciled, so a loop that reconciles everything every cycle agrees."""
        return not (self.sent or self.deltas or self.events)


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
        # leave out probes the gateway guarantees while the cluster's health is steady; off: the
        # reference the skipping must match (tests)
        self.skip_certain_probes = skip_certain_probes
        # the most a cycle can run after the deadline it asked for (the sim's minimum cycle
        # interval): a left-out probe must be certain at any moment it could have been sent
        self.cycle_lag = cycle_lag
        self._quiet_until = getattr(gateway, "quiet_until", None)
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
        # Probes tick at a fixed rate a quarter period off the run's whole seconds (0.5 s,
        # 2.5 s, ... with the default 2 s). Faults are mostly scheduled at whole seconds; a
        # probe due at the very instant a fault starts would race it (on real clusters an
        # outage takes ~0.15 s to bite), turning detection into a coin flip between two
        # probe periods. Fixed rate: a late cycle does not shift every later probe.
        # Probe k of a cluster is due at origin + k x period (multiplied, not summed, so that a
        # run of left-out probes is skipped in one step to the same times).
        offset = thresholds.probe_period / 4
        self._next_probe = {c.name: offset for c in desired.clusters}
        self._probe_clock = {c.name: (offset, 0) for c in desired.clusters}  # (origin, k)
        self._awaiting: dict[str, int] = {}  # probes sent whose result has not come back
        self.probes_sent = 0
        self._left_out_now = 0  # probes left out at the cycle they were due
        self._left_out: list[tuple[float, int, float]] = []  # ahead: (origin, first k, how many)
        self._next_resync = resync_period
        # writes sent but not yet seen on the member: (cluster, key) -> (hash or "", sent at)
        self._inflight: dict[tuple[str, str], tuple[str, float]] = {}
        self.inflight_timeout = inflight_timeout
        self.suppressed = 0  # actions not re-sent because the same write was still on its way
        self._record_desired(sorted(desired.workloads), 0.0)

    def update_desired(
        self, desired: DesiredState, changed: Collection[str], now: float | None = None
    ) -> None:
        """Take new documents (a load change); `changed` are the workload keys that differ.
        With `now`, their new nominal desired replicas go to the timeline at that time.

        Members may join or leave: a new cluster is probed from the next cycle on; a cluster
        that left is forgotten (its health, the core's memory of it, writes in flight). Take a
        cluster out only once nothing is assigned to it (`FederationState.holds`)."""
        old = set(self._next_probe)
        new = {c.name for c in desired.clusters}
        self._gone |= self.desired.workloads.keys() - desired.workloads.keys()
        self._gone -= desired.workloads.keys()
        self.desired = desired
        changed = set(changed)
        for c in sorted(new - old):
            self.view.add(c)
            self._next_probe[c] = 0.0 if now is None else now
            self._probe_clock[c] = (self._next_probe[c], 0)
            self._awaiting.pop(c, None)
        for c in sorted(old - new):
            changed |= self.view.remove(c)
            del self._next_probe[c]
            del self._probe_clock[c]
            self.state = self.state.forget(c)
            self._inflight = {k: v for k, v in self._inflight.items() if k[0] != c}
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
        awaiting = self._awaiting
        for p in probes:
            n = awaiting.get(p.cluster, 0)
            if n > 1:
                awaiting[p.cluster] = n - 1
            else:
                awaiting.pop(p.cluster, None)
        orphaned = self._settle(deltas)
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
        sent = self._unsent(plan.actions, now)
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
        self._probe(now)
        deadline = min(self._next_probe.values(), default=now + self.resync_period)
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

    def _probe(self, now: float) -> None:
        """Send the probes that are due, leaving out those the gateway guarantees."""
        due = [c for c, t in self._next_probe.items() if t <= now]
        if not due:
            return
        th = self.thresholds
        quiet = self._quiet_until if self.skip_certain_probes else None
        # a left-out probe must be certain to have been answered before the next one is sent,
        # so that the results of the probes that are sent come in the same order either way
        within = min(th.probe_timeout, th.probe_period - self.cycle_lag)
        send = []
        for c in due:
            self._tick(c, now)
            if quiet is None or within <= 0 or not self._leave_out(c, now, quiet, within):
                send.append(c)
                self._awaiting[c] = self._awaiting.get(c, 0) + 1
        if send:
            self.gateway.probe(send, now, th.probe_timeout)
            self.probes_sent += len(send)

    def _tick(self, c: str, now: float) -> None:
        """Cluster c's due probe goes (or is left out) now: schedule the next one."""
        period = self.thresholds.probe_period
        origin, k = self._probe_clock[c]
        nxt = origin + (k + 1) * period
        if nxt > now:
            self._probe_clock[c] = (origin, k + 1)
        else:  # late by a whole period: restart the clock
            nxt = now + period
            self._probe_clock[c] = (nxt, 0)
        self._next_probe[c] = nxt

    def _leave_out(
        self, c: str, now: float, quiet_until: Callable[..., float], within: float
    ) -> bool:
        """Leave out cluster c's probe due now, and those after it, while the gateway guarantees
        they are answered within `within` and one more good probe changes nothing (steady
        health, no result awaited). Moves c's next probe to the first one not certain at every
        moment it could be sent (up to `cycle_lag` late). False: send the one due now."""
        h = self.state.health.get(c)
        if h is not None and (h.state is not Health.READY or not h.run_ok):
            return False
        if c in self._awaiting:
            return False
        until = quiet_until(c, now, within)
        lag = self.cycle_lag
        if now + lag >= until:
            return False
        self._left_out_now += 1
        origin, k = self._probe_clock[c]
        period = self.thresholds.probe_period
        if until == math.inf:
            self._left_out.append((origin, k, math.inf))
            self._next_probe[c] = math.inf
            return True
        # the first j >= k whose probe could be sent at or after `until`
        j = max(k, math.ceil((until - lag - origin) / period))
        while j > k and origin + (j - 1) * period + lag >= until:
            j -= 1
        while origin + j * period + lag < until:
            j += 1
        if j > k:
            self._left_out.append((origin, k, j - k))
            self._probe_clock[c] = (origin, j)
            self._next_probe[c] = origin + j * period
        return True

    def probes_left_out(self, until: float) -> int:
        """How many probes due before `until` were left out as certain (`probes_sent` + this
        = the probes a loop that leaves none out sends by then)."""
        period = self.thresholds.probe_period
        n = self._left_out_now
        for origin, k, count in self._left_out:
            if origin + k * period >= until:
                continue
            # due times origin + j x period, j = k, k+1, ... below `until`
            last = math.ceil((until - origin) / period) - 1
            while last >= k and origin + last * period >= until:
                last -= 1
            while origin + (last + 1) * period < until:
                last += 1
            n += int(min(count, last - k + 1))
        return n

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
            self._inflight.pop((mw.cluster, mw.key), None)
        if actions:
            self.gateway.apply(actions, now)
        return len(actions)

    # A level-triggered core asks for the same write again whenever it looks at a workload
    # before the member has answered; the loop sends it once and waits for the answer (or a
    # failure, or `inflight_timeout`) before sending it again.

    def _unsent(self, actions: Sequence[Action], now: float) -> list[Action]:
        out = []
        for a in actions:
            sig = a.hash if isinstance(a, Apply) else ""
            k = (a.cluster, a.key)
            prev = self._inflight.get(k)
            if prev is not None and prev[0] == sig and now - prev[1] < self.inflight_timeout:
                self.suppressed += 1
                continue
            self._inflight[k] = (sig, now)
            out.append(a)
        return out

    def _settle(self, deltas: Sequence[Delta]) -> set[str]:
        """Forget writes the members have answered: applied, deleted, or failed. Return the
        keys of writes a member's relist showed it never got (reconnected after a fault): they
        are reconciled again at once, not after their retry back-off."""
        orphaned: set[str] = set()
        if not self._inflight:
            return orphaned
        for d in deltas:
            for key, obj in d.upserts.items():
                prev = self._inflight.get((d.cluster, key))
                if prev is not None and prev[0] == obj.hash:
                    del self._inflight[(d.cluster, key)]
            for key in (*d.removals, *d.touched):
                self._inflight.pop((d.cluster, key), None)
            if d.full:
                for k in [k for k in self._inflight if k[0] == d.cluster]:
                    del self._inflight[k]
                    orphaned.add(k[1])
        return orphaned
