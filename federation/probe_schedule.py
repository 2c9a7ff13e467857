"""When the control loop probes each member: a fixed-rate clock, minus the probes known to succeed.

Probes tick at a fixed rate a quarter period off the run's whole seconds (0.5 s, 2.5 s, ... with
the default 2 s). Faults are mostly scheduled at whole seconds; a probe due at the very instant a
fault starts would race it (on real clusters an outage takes ~0.15 s to bite), turning detection
into a coin flip between two probe periods. Fixed rate: a late cycle does not shift every later
probe. Probe k of a cluster is due at origin + k x period (multiplied, not summed, so that a run
of left-out probes is skipped in one step to the same times).

Probes the backend guarantees to succeed are left out while the cluster's health is steady
(Ready, its run of probes good): one more good probe changes nothing there, so a quiet member
costs no cycles until its next possible trouble. Only the sim can promise (it knows its faults:
the gateway's optional `quiet_until`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

from federation.core.health import ClusterHealth, HealthThresholds
from federation.core.model import Health, ProbeResult
from federation.observed import Gateway


class ProbeSchedule:
    """Each member's next probe, the probes awaited, and the count of those sent and left out."""

    def __init__(
        self,
        clusters: Iterable[str],
        gateway: Gateway,
        thresholds: HealthThresholds,
        skip_certain_probes: bool = True,
        cycle_lag: float = 0.0,
    ) -> None:
        self.gateway = gateway
        self.thresholds = thresholds
        # leave out probes the gateway guarantees while the cluster's health is steady; off: the
        # reference the skipping must match (tests)
        self.skip_certain_probes = skip_certain_probes
        # the most a cycle can run after the deadline it asked for (the sim's minimum cycle
        # interval): a left-out probe must be certain at any moment it could have been sent
        self.cycle_lag = cycle_lag
        self._quiet_until = getattr(gateway, "quiet_until", None)
        offset = thresholds.probe_period / 4
        self._next_probe = {c: offset for c in clusters}
        self._probe_clock = {c: (offset, 0) for c in self._next_probe}  # (origin, k)
        self._awaiting: dict[str, int] = {}  # probes sent whose result has not come back
        self.probes_sent = 0
        self._left_out_now = 0  # probes left out at the cycle they were due
        self._left_out: list[tuple[float, int, float]] = []  # ahead: (origin, first k, how many)

    @property
    def clusters(self) -> set[str]:
        """The members on the schedule."""
        return set(self._next_probe)

    def add(self, c: str, now: float) -> None:
        """A member joined: its probe clock starts at `now`."""
        self._next_probe[c] = now
        self._probe_clock[c] = (now, 0)
        self._awaiting.pop(c, None)

    def remove(self, c: str) -> None:
        """A member left: it is probed no more."""
        del self._next_probe[c]
        del self._probe_clock[c]

    def answered(self, probes: Sequence[ProbeResult]) -> None:
        """These probes' results came back."""
        awaiting = self._awaiting
        for p in probes:
            n = awaiting.get(p.cluster, 0)
            if n > 1:
                awaiting[p.cluster] = n - 1
            else:
                awaiting.pop(p.cluster, None)

    def next_due(self, default: float) -> float:
        """When the next probe is due (`default` with no member)."""
        return min(self._next_probe.values(), default=default)

    def send(self, now: float, health: Mapping[str, ClusterHealth]) -> None:
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
            if (
                quiet is None
                or within <= 0
                or not self._leave_out(c, now, health.get(c), quiet, within)
            ):
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
        self,
        c: str,
        now: float,
        h: ClusterHealth | None,
        quiet_until: Callable[..., float],
        within: float,
    ) -> bool:
        """Leave out cluster c's probe due now, and those after it, while the gateway guarantees
        they are answered within `within` and one more good probe changes nothing (steady
        health `h`, no result awaited). Moves c's next probe to the first one not certain at
        every moment it could be sent (up to `cycle_lag` late). False: send the one due now."""
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

    def left_out(self, until: float) -> int:
        """How many probes due before `until` were left out as certain (`probes_sent` + this
        = the probes a schedule that leaves none out sends by then)."""
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
