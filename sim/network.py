"""The network between the control plane and one member cluster: latency, jitter, loss, faults.

A `Link` is a cable in the SimPy sense: processes never sleep for network time themselves; they
hand a message to the link, which decides whether it is lost and when it arrives, and the sender
schedules the arrival. Every message draws the same two numbers from the cluster's link stream
(one for loss, one for jitter) whatever happens to it, so a fault does not shift later draws.
A probe brings its own draws (`sim.world.KeyedDraws`), so probes never move the link's stream.
"""

from __future__ import annotations

import math
import random

from federation.api.scenario import Link as LinkSpec
from sim.world import Z_HIGH, Z_LOW, Uniforms, std_normal


class Link:
    """One member's link. `delay()` samples one message; faults change the state below."""

    __slots__ = ("_extra", "_rng", "dropped", "jitter", "latency", "loss", "partitioned", "sent")

    def __init__(self, spec: LinkSpec, rng: random.Random) -> None:
        self.latency = spec.latency
        self.jitter = spec.jitter
        self.loss = spec.loss
        self._rng = rng
        self._extra: list[tuple[float, float]] = []  # active latency faults: (latency, jitter)
        self.partitioned = 0  # active partition faults (they may overlap)
        self.sent = 0
        self.dropped = 0

    def delay(self, rng: Uniforms | None = None) -> float | None:
        """One-way delay of a message sent now, or None when it is lost (loss or partition).
        `rng`: draw from there instead of the link's stream."""
        d = self.sample(rng)
        if d is None or not self.partitioned:
            return d
        self.dropped += 1
        return None

    def sample(self, rng: Uniforms | None = None) -> float | None:
        """Delay of one message, or None when random loss drops it. Ignores partitions: for a
        reply drawn ahead of time, whose partition check belongs to the moment it is sent."""
        if rng is None:
            rng = self._rng
        lost = rng.random() < self.loss
        z = std_normal(rng)
        self.sent += 1
        if lost:
            self.dropped += 1
            return None
        latency, jitter = self.latency, self.jitter
        if self._extra:
            var = jitter * jitter
            for lat, jit in self._extra:
                latency += lat
                var += jit * jit
            jitter = math.sqrt(var)
        d = latency + jitter * z
        return d if d > 0.0 else 0.0

    def worst(self) -> float | None:
        """The longest one-way delay `sample` can return on the link as it is now (latency
        faults included), or None when it may drop a message."""
        if self.loss > 0.0:
            return None
        latency, var = self.latency, self.jitter * self.jitter
        for lat, jit in self._extra:
            latency += lat
            var += jit * jit
        jitter = math.sqrt(var) if self._extra else self.jitter
        d = latency + jitter * (Z_HIGH if jitter >= 0.0 else Z_LOW)
        return d if d > 0.0 else 0.0

    def add_latency(self, latency: float, jitter: float) -> tuple[float, float]:
        """Start a latency fault; pass the returned token to `remove_latency` to end it."""
        token = (latency, jitter)
        self._extra.append(token)
        return token

    def remove_latency(self, token: tuple[float, float]) -> None:
        self._extra.remove(token)


class Stream:
    """A FIFO byte stream over a link (a watch connection): a message never overtakes the one
    sent before it, as on one TCP connection, however the jitter falls."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = 0.0

    def arrival(self, now: float, delay: float) -> float:
        t = now + delay
        if t < self.last:
            t = self.last
        self.last = t
        return t
