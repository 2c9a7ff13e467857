"""`SimGateway`: the sim backend's `federation.observed.Gateway` — probes, applies and the watch
inbox of the control plane, carried over each member's `Link`.

All three calls return at once; what they cause arrives later and is handed out by the next
`observe`. `wait()` is a SimPy event that fires when something arrives, so the driver sleeps
until news or its own deadline, never on a fixed tick.

Timing, per request (every draw is taken when the request is sent, so the streams do not shift
with outcomes): request link delay, API latency, reply link delay. Writes draw them from the
link's and the member's streams; a probe from its own draws, keyed by cluster and send time
(`World.keyed`), so whether other probes were sent or left out changes nothing else.

* probe: reaches the member after the request delay; the API answers ok after its latency
  ("up"), refuses at once ("down", outage), or never answers ("hang"). The result reaches the
  control plane after the reply delay; a probe without an answer by `sent + timeout` fails
  there with reason "timeout", or "lost" when the link dropped the request or the reply (the sim
  knows; a real client would just see a timeout). Partitions are checked when each leg is sent.
* certainty: `quiet_until` tells the loop until when every probe of a member is sure to succeed
  (no fault that can touch probes active or due before the probe's deadline, a link that drops
  nothing, and the longest possible round trip under the timeout), so it need not send them.
* apply/delete: takes effect on the member after request delay + API latency if the API is up.
  Refused (outage) or lost (hang, link loss, partition) writes are not applied; the client
  learns it after the reply delay (refused) or `APPLY_TIMEOUT`, and after a per-(cluster, key)
  exponential backoff the key comes back as `Delta(touched=(key,))`, so the loop reconciles it
  again (the observation did not change, so nothing else would).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import simpy

from federation.core.actions import Action, Apply
from federation.core.model import ProbeResult
from federation.observed import Delta
from sim.member import Member
from sim.network import Link
from sim.world import World, upper

APPLY_TIMEOUT = 5.0  # seconds a client waits for an API write (as the kube backend)
RETRY_BASE = 1.0  # first retry delay after a failed write; doubles per failure ...
RETRY_CAP = 60.0  # ... up to this
CERTAIN_MARGIN = 1e-6  # seconds a certain probe's longest round trip stays under its timeout


class SimGateway:
    def __init__(self, world: World, links: Mapping[str, Link]) -> None:
        self.world = world
        self.links = links
        self.members: dict[str, Member] = {}
        self._probes: list[ProbeResult] = []
        self._deltas: list[Delta] = []
        self._failures: dict[tuple[str, str], int] = {}
        self._news: simpy.Event | None = None
        self._unsynced: dict[str, None] = {c: None for c in links}
        self.synced = world.env.event()  # every member's first relist has arrived
        if not self._unsynced:
            self.synced.succeed()
        self.on_delta: Callable[[Delta], None] | None = None  # watch messages, for traffic
        self._flying: dict[str, list[_Flight]] = {}  # probes answered ahead, per member
        self.probes_sent = 0
        # per cluster, spans in which a fault may touch probes (`sim.faults.probe_windows`)
        self.windows: Mapping[str, Sequence[tuple[float, float]]] = {}
        self.actions_sent = 0
        self.actions_failed = 0

    def attach(self, members: Mapping[str, Member]) -> None:
        self.members.update(members)
        for m in members.values():
            m.on_change = self._replan


    # ---------------------------------------------------------------- Gateway protocol

    def probe(self, clusters: Sequence[str], now: float, timeout: float) -> None:
        world = self.world
        deadline = now + timeout
        for c in clusters:
            link, member = self.links[c], self.members[c]
            self.probes_sent += 1
            rng = world.keyed(f"probe/{c}/{now!r}")
            d_req = link.delay(rng)
            api = member.api_latency(rng)
            d_rep = link.sample(rng)
            if d_req is None:
                world.at(deadline, self._probe_done, c, now, False, "lost")
            elif now + d_req >= deadline:
                world.at(deadline, self._probe_done, c, now, False, "timeout")
            elif not self._fly(c, now, deadline, d_req, api, d_rep):
                world.later(d_req, self._probe_arrives, c, now, deadline, api, d_rep)

    def quiet_until(self, cluster: str, now: float, timeout: float) -> float:
        """A time until which every probe of `cluster` sent (from `now` on, with `timeout`)
        succeeds for sure; `now` when the next one might not. Final: faults are known ahead."""
        link, member = self.links.get(cluster), self.members.get(cluster)
        if link is None or member is None or member.down or member.hang or link.partitioned:
            return now
        leg = link.worst()
        if leg is None or 2 * leg + upper(member.settings.api_latency) + CERTAIN_MARGIN >= timeout:
            return now
        for start, end in self.windows.get(cluster, ()):  # sorted by start
            if end >= now:  # the first fault not over: the probe's deadline must come before it
                return max(now, start - timeout)
        return math.inf

    def observe(self, now: float) -> tuple[Sequence[ProbeResult], Sequence[Delta]]:
        probes, deltas = self._probes, self._deltas
        self._probes, self._deltas = [], []
        if self._news is not None and self._news.triggered:
            self._news = None
        return probes, deltas

    def apply(self, actions: Sequence[Action], now: float) -> None:
        world = self.world
        for a in actions:
            link, member = self.links[a.cluster], self.members[a.cluster]
            self.actions_sent += 1
            d_req = link.delay()
            api = member.api_latency()
            d_rep = link.sample()
            if d_req is None:
                self._failed(a, now + APPLY_TIMEOUT)
            else:
                world.later(d_req + api, self._write_arrives, a, now, d_rep)

    # ---------------------------------------------------------------- driver side

    def wait(self) -> simpy.Event:
        """An event that fires when something arrives (at once if something already has)."""
        ev = self._news
        if ev is None:
            ev = self._news = self.world.env.event()
            if self._probes or self._deltas:
                ev.succeed()
        return ev

    def poke(self) -> None:
        """Wake the driver (the desired state changed)."""
        self._notify()

    def deliver(self, delta: Delta) -> None:
        """A watch message arrived from a member."""
        self._deltas.append(delta)
        if self.on_delta is not None:
            self.on_delta(delta)
        if delta.full and self._unsynced:
            self._unsynced.pop(delta.cluster, None)
            if not self._unsynced:
                self.synced.succeed()
        self._notify()

    # ---------------------------------------------------------------- plumbing

    def _notify(self) -> None:
        ev = self._news
        if ev is not None and not ev.triggered:
            ev.succeed()

    def _probe_done(self, cluster: str, sent: float, ok: bool, reason: str) -> None:
        now = self.world.env.now
        self._probes.append(ProbeResult(cluster, now, ok, now - sent, reason))
        self._notify()

    # A probe to a member whose API is up, over a link that is not partitioned, is answered
    # as it is sent unless that changes before the probe arrives: its result is scheduled at
    # once, one event instead of two (an arrival, then the reply), at exactly the time the
    # arrival would have given it. A change of the member's state voids the answer of every
    # probe still on its way there, and they arrive as usual (`_replan`).

    def _fly(
        self, c: str, now: float, deadline: float, d_req: float, api: float, d_rep: float | None
    ) -> bool:
        if d_rep is None or self.links[c].partitioned or self.members[c].api_state() != "up":
            return False
        arrives = now + (d_req if d_req > 0.0 else 0.0)  # as `World.later` and SimPy get there
        t = arrives + api + d_rep  # as `_probe_arrives` computes it there
        if t > deadline:
            return False
        step = t - arrives
        flight = _Flight(c, now, deadline, api, d_rep, arrives)
        self.world.at_exactly(arrives + (step if step > 0.0 else 0.0), self._answered, flight)
        self._flying.setdefault(c, []).append(flight)
        return True

    def _answered(self, flight: _Flight) -> None:
        self._flying[flight.cluster].remove(flight)
        if not flight.void:
            self._probe_done(flight.cluster, flight.sent, True, "")

    def _replan(self, c: str) -> None:
        """Member `c`'s state changed: the probes not there yet arrive as usual."""
        now = self.world.env.now
        for f in self._flying.get(c, ()):
            if not f.void and f.arrives >= now:
                f.void = True
                self.world.at_exactly(
                    f.arrives, self._probe_arrives, c, f.sent, f.deadline, f.api, f.d_rep
                )

    def _probe_arrives(
        self, c: str, sent: float, deadline: float, api: float, d_rep: float | None
    ) -> None:
        state = self.members[c].api_state()
        if state == "hang":
            self.world.at(deadline, self._probe_done, c, sent, False, "timeout")
            return
        if d_rep is None or self.links[c].partitioned:
            self.world.at(deadline, self._probe_done, c, sent, False, "lost")
            return
        now = self.world.env.now
        ok = state == "up"
        t = now + (api if ok else 0.0) + d_rep
        if t > deadline:
            self.world.at(deadline, self._probe_done, c, sent, False, "timeout")
        else:
            self.world.at(t, self._probe_done, c, sent, ok, "" if ok else "refused")

    def _write_arrives(self, a: Action, sent: float, d_rep: float | None) -> None:
        member = self.members[a.cluster]
        state = member.api_state()
        if state == "up":
            if isinstance(a, Apply):
                member.apply(a)
            else:
                member.delete(a)
            self._failures.pop((a.cluster, a.key), None)
            return
        if state == "down" and d_rep is not None and not self.links[a.cluster].partitioned:
            self._failed(a, self.world.env.now + d_rep)  # refused: the client hears at once
        else:
            self._failed(a, sent + APPLY_TIMEOUT)  # hung or lost: the client times out

    def _failed(self, a: Action, noticed: float) -> None:
        self.actions_failed += 1
        k = (a.cluster, a.key)
        n = self._failures[k] = self._failures.get(k, 0) + 1
        backoff = min(RETRY_CAP, RETRY_BASE * 2.0 ** min(n - 1, 30))
        self.world.at(noticed + backoff, self._retry, a.cluster, a.key)

    def _retry(self, cluster: str, key: str) -> None:
        self._deltas.append(Delta(cluster, touched=(key,)))
        self._notify()


class _Flight:
    """A probe answered as it was sent (see `SimGateway._fly`)."""

    __slots__ = ("api", "arrives", "cluster", "d_rep", "deadline", "sent", "void")

    def __init__(
        self, cluster: str, sent: float, deadline: float, api: float, d_rep: float, arrives: float
    ) -> None:
        self.cluster = cluster
        self.sent = sent
        self.deadline = deadline
        self.api = api
        self.d_rep = d_rep
        self.arrives = arrives
        self.void = False
