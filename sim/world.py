"""The simulated world: one SimPy environment, its seeded named random streams, and timers.

Every random draw in the sim comes from a stream named after what it is for and which cluster it
belongs to (`random.Random(f"{seed}/{name}")`), so adding a cluster or a fault never shifts the
draws another cluster sees, and the same scenario with the same seed replays exactly.

Draws that must not depend on how many came before (a probe's, so that the runtime may leave out
probes whose outcome is certain without shifting anything else) come from `World.keyed`: a few
uniforms hashed from the seed and a key naming the draw, e.g. the cluster and the probe's send time.

Timers are plain `Timeout` events carrying `(function, args)` as their value with one shared
callback, instead of a SimPy process per delayed action: a process costs an `Initialize` event,
a generator and a termination event; a timer costs one event.
"""

from __future__ import annotations

import heapq
import math
import random
import struct
from collections.abc import Callable
from hashlib import blake2b
from statistics import NormalDist
from typing import Any, Protocol

import simpy
from simpy.events import NORMAL, Timeout

from federation.api.scenario import Distribution


def _fire(event: simpy.Event) -> None:
    fn, args = event._value
    fn(*args)


class World:
    """The environment, the seed and the named random streams of one run."""

    def __init__(self, seed: int | str) -> None:
        self.env = simpy.Environment()
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    @property
    def now(self) -> float:
        return self.env.now

    def stream(self, name: str) -> random.Random:
        """The random stream `name` (e.g. "link/eu-1"), created on first use."""
        rng = self._streams.get(name)
        if rng is None:
            rng = self._streams[name] = random.Random(f"{self.seed}/{name}")
        return rng

    def keyed(self, key: str) -> KeyedDraws:
        """`KEYED_DRAWS` uniforms that depend only on the seed and `key`."""
        return KeyedDraws(f"{self.seed}/{key}")

    def later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timeout:
        """Call `fn(*args)` after `delay` simulated seconds (one event, no process)."""
        ev = Timeout(self.env, delay if delay > 0.0 else 0.0, (fn, args))
        ev.callbacks.append(_fire)
        return ev

    def at(self, t: float, fn: Callable[..., Any], *args: Any) -> Timeout:
        """Call `fn(*args)` at simulated time `t` (or now, if `t` has passed)."""
        return self.later(t - self.env.now, fn, *args)

    def at_exactly(self, t: float, fn: Callable[..., Any], *args: Any) -> simpy.Event:
        """Call `fn(*args)` at simulated time `t` (not before now), to the last bit: `at`
        reaches `t` as now + (t - now), which floating point may round off by one unit."""
        env = self.env
        ev = simpy.Event(env)
        ev._ok = True
        ev._value = (fn, args)
        ev.callbacks.append(_fire)
        heapq.heappush(env._queue, (max(t, env.now), NORMAL, next(env._eid), ev))
        return ev

    def events(self) -> int:
        """Events processed so far: every id SimPy handed out minus those still queued."""
        env = self.env
        # count() has no peek; reading it hands out one id nobody uses, which is harmless
        return next(env._eid) - len(env._queue)


class Uniforms(Protocol):
    def random(self) -> float: ...


KEYED_DRAWS = 5  # uniforms per key: one probe takes 5 (loss and jitter both ways, API latency)
_KEYED = struct.Struct(f"<{KEYED_DRAWS}Q")


class KeyedDraws:
    """A short stream of uniforms in [0, 1) hashed from a key (BLAKE2b), as `random.random()`
    gives them: 53 bits each, so at most 1 - 2**-53. Costs one hash, about a tenth of seeding a
    `random.Random`."""

    __slots__ = ("_i", "_words")

    def __init__(self, key: str) -> None:
        self._words: tuple[int, ...] = _KEYED.unpack(
            blake2b(key.encode(), digest_size=_KEYED.size).digest()
        )
        self._i = 0

    def random(self) -> float:
        w = self._words[self._i]  # IndexError past KEYED_DRAWS: a caller took more than its share
        self._i += 1
        return (w >> 11) * 2.0**-53


_STD_NORMAL = NormalDist()
# the extreme standard normal draws `std_normal` can return (u in [1e-300, 1 - 2**-53]), widened
# a hair against rounding: the bounds of every delay the sim samples
Z_HIGH = _STD_NORMAL.inv_cdf(1.0 - 2.0**-53) + 1e-6
Z_LOW = _STD_NORMAL.inv_cdf(1e-300) - 1e-6
_EXP_HIGH = -math.log(2.0**-53) + 1e-6  # the largest -log(1 - u)


def std_normal(rng: Uniforms) -> float:
    """A standard normal draw from exactly one `rng.random()` (inverse CDF; `gauss` caches a
    second value between calls, which would couple unrelated draws of a shared stream)."""
    u = rng.random()
    return _STD_NORMAL.inv_cdf(u if u > 1e-300 else 1e-300)


def sample(d: Distribution, rng: Uniforms) -> float:
    """One draw of `d` (seconds, never negative), clipped to [low, high] when those are given.

    Every kind takes exactly one `rng.random()` (even "constant"), so a stream's position depends
    only on how many samples were taken, not on the distributions' kinds or values.
    """
    kind = d.kind
    if kind == "constant":
        rng.random()
        x = d.value
    elif kind == "uniform":
        lo = d.low if d.low is not None else 0.0
        hi = d.high if d.high is not None else lo
        return lo + (hi - lo) * rng.random()
    elif kind == "exponential":
        x = -d.mean * math.log(1.0 - rng.random())
    elif kind == "lognormal":
        x = d.median * math.exp(d.sigma * std_normal(rng))
    elif kind == "normal":
        x = d.mean + d.sigma * std_normal(rng)
    else:
        raise ValueError(f"unknown distribution kind {kind!r}")
    if d.low is not None and x < d.low:
        x = d.low
    if d.high is not None and x > d.high:
        x = d.high
    return x if x > 0.0 else 0.0


def upper(d: Distribution) -> float:
    """The largest value `sample(d, ...)` can return: a hard bound, since a uniform draw is at
    most 1 - 2**-53 (a normal draw at most `Z_HIGH`), not a quantile."""
    kind = d.kind
    if kind == "constant":
        x = d.value
    elif kind == "uniform":
        lo = d.low if d.low is not None else 0.0
        hi = d.high if d.high is not None else lo
        return max(lo, hi, 0.0)  # returned unclipped, as `sample` does
    elif kind == "exponential":
        x = d.mean * _EXP_HIGH if d.mean > 0 else 0.0
    elif kind == "lognormal":
        x = d.median * math.exp(max(d.sigma * Z_HIGH, d.sigma * Z_LOW)) if d.median > 0 else 0.0
    elif kind == "normal":
        x = d.mean + max(d.sigma * Z_HIGH, d.sigma * Z_LOW)
    else:
        raise ValueError(f"unknown distribution kind {kind!r}")
    if d.low is not None and x < d.low:
        x = d.low
    if d.high is not None and x > d.high:
        x = d.high
    return x if x > 0.0 else 0.0
