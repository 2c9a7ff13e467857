"""The clients of one region calling one service, as a fluid population: `cohorts` equal slices
of the region's requests, each holding the DNS answer it last resolved and resolving again when
its cache (TTL + client cache) expires, at its own phase within the cache period. A new answer
therefore reaches the population one slice at a time over one cache period, and only then;
nothing happens at an expiry when the answer a slice holds is still current.

A slice holds an answer (a tuple of (cluster, share); empty = the name resolved to nothing) or
None (it could not resolve: its region was cut off from the DNS when its cache expired).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from federation.core.healthcheck import next_expiry
from federation.core.steering import Answer
from federation.traffic.demand import Steps

Held = Answer | None


@dataclass
class Stream:
    """One (service, client region) pair: its demand, its slices and what they send where."""

    index: int
    service: int  # index of the service in the engine
    key: str  # the service's key
    region: str
    steps: Steps
    period: float  # cache period, seconds
    phases: list[float]  # one per slice, in [0, period)
    rtt: dict[str, float] = field(default_factory=dict)  # cluster -> ms (filled as needed)
    active: bool = False  # the service has started (it had a ready endpoint once)
    rate: float = 0.0
    step: int = 0  # index of the current demand step
    answer: Answer = ()  # what the DNS answers now
    held: list[Held] = field(default_factory=list)
    due: list[float | None] = field(default_factory=list)  # when a stale slice resolves again
    counts: dict[Held, int] = field(default_factory=dict)  # slices holding each answer
    sent: dict[str, float] = field(default_factory=dict)  # last mix: requests/s per cluster
    dns_cut: int = 0  # active cuts between this region's clients and the DNS
    version: int = 0  # invalidates scheduled expiry timers

    def start(self, answer: Answer) -> None:
        self.active = True
        self.answer = answer
        self.held = [answer] * len(self.phases)
        self.due = [None] * len(self.phases)
        self.counts = {answer: len(self.phases)}

    def _hold(self, k: int, h: Held) -> None:
        old = self.held[k]
        self.held[k] = h
        n = self.counts[old] - 1
        if n:
            self.counts[old] = n
        else:
            del self.counts[old]
        self.counts[h] = self.counts.get(h, 0) + 1

    def adopt(self) -> None:
        """Every slice takes the current answer at once (no cache to wait for)."""
        for k in range(len(self.held)):
            if self.held[k] != self.answer:
                self._hold(k, self.answer)

    def stale(self, k: int) -> bool:
        if self.dns_cut:
            return self.held[k] is not None
        return self.held[k] != self.answer

    def next_expiry(self, now: float) -> float | None:
        """When the first slice that would change resolves again (None: none would). A slice
        keeps the expiry it was given while it stays stale."""
        best: float | None = None
        for k, phase in enumerate(self.phases):
            if not self.stale(k):
                self.due[k] = None
                continue
            t = self.due[k]
            if t is None:
                t = self.due[k] = next_expiry(now, phase, self.period)
            if best is None or t < best:
                best = t
        return best

    def expire(self, now: float) -> bool:
        """Stale slices whose cache has expired by `now` resolve again; True when one changed."""
        changed = False
        for k, t in enumerate(self.due):
            if t is not None and t <= now + 1e-9:
                self.due[k] = None
                if self.stale(k):
                    self._hold(k, None if self.dns_cut else self.answer)
                    changed = True
        return changed

    def reconnect(self) -> bool:
        """The DNS is reachable again: slices that could not resolve do so at once."""
        changed = False
        for k, h in enumerate(self.held):
            if h is None:
                self._hold(k, self.answer)
                changed = True
        return changed

    def mix(self) -> tuple[dict[str, float], float]:
        """Requests per second sent to each cluster, and those that resolved to nothing."""
        sent: dict[str, float] = {}
        unresolved = 0.0
        if not self.active or self.rate <= 0 or not self.held:
            return sent, 0.0
        slice_rate = self.rate / len(self.held)
        for h, n in self.counts.items():
            if not h:
                unresolved += slice_rate * n
                continue
            for c, share in h:
                sent[c] = sent.get(c, 0.0) + slice_rate * n * share
        return sent, unresolved
