"""The health checks a federated service's DNS runs against each member cluster, and the client
caches behind it, as pure arithmetic over probe and expiry times (no clock: times are arguments).

A check of one cluster for one service runs at `phase + k * interval` (k = 0, 1, ...). Its outcome
is whether the cluster serves the service at that instant (data plane: a ready endpoint, the
checker not cut off). `threshold` consecutive outcomes that contradict the current state flip it
(Healthy <-> Unhealthy; Route 53's FailureThreshold works both ways); threshold 0 never flips.
A check at the very instant an outcome changes sees the new outcome.

Because outcomes only change at events, the machine is advanced in jumps: `advance` accounts for
every check up to an index with one outcome, `flip_index` says at which check the state will flip
if the outcome stays as it is. Nothing ticks per check.

| state     | check passes        | check fails                  |
| --------- | ------------------- | ---------------------------- |
| Healthy   | streak = 0          | streak + 1; at threshold: Unhealthy, streak = 0 |
| Unhealthy | streak + 1; at threshold: Healthy, streak = 0 | streak = 0 |
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckSchedule:
    interval: float  # seconds between checks (> 0)
    phase: float = 0.0  # the first check, in [0, interval)

    def time(self, index: int) -> float:
        return self.phase + index * self.interval

    def first_at_or_after(self, t: float) -> int:
        """The index of the first check at or after `t` (0 when t is before the first)."""
        if t <= self.phase:
            return 0
        k = math.ceil((t - self.phase) / self.interval)
        # guard the float division both ways: the check at index k must be >= t, k-1 < t
        while k > 0 and self.time(k - 1) >= t:
            k -= 1
        while self.time(k) < t:
            k += 1
        return k


@dataclass(frozen=True)
class EndpointHealth:
    """The health-check state of one (service, cluster)."""

    healthy: bool = True  # a new endpoint counts as healthy until the checks say otherwise
    streak: int = 0  # consecutive checks contradicting `healthy`
    through: int = -1  # the last check index accounted for


def advance(h: EndpointHealth, ok: bool, through: int, threshold: int) -> EndpointHealth:
    """The state after every check with index in (h.through, through] had outcome `ok`."""
    n = through - h.through
    if n <= 0:
        return h
    if ok == h.healthy or threshold <= 0:
        return EndpointHealth(h.healthy, 0, through)
    streak = h.streak + n
    if streak >= threshold:
        # flipped at the check that completed the streak; the later ones agree with the new state
        return EndpointHealth(not h.healthy, 0, through)
    return EndpointHealth(h.healthy, streak, through)


def flip_index(h: EndpointHealth, ok: bool, first: int, threshold: int) -> int | None:
    """The index of the check at which the state flips if every check from index `first` on
    (and after h.through) has outcome `ok`; None when it never does."""
    if ok == h.healthy or threshold <= 0:
        return None
    start = max(first, h.through + 1)
    return start + (threshold - h.streak) - 1


def next_expiry(now: float, phase: float, period: float) -> float:
    """The first time at or after `now` at which a client cache renewed every `period` seconds
    from `phase` expires (`now` itself when period is 0)."""
    if period <= 0:
        return now
    k = math.ceil((now - phase) / period)
    t = phase + k * period
    if t < now:  # float guard
        t += period
    return t
