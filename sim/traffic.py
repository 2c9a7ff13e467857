"""The sim's side of the traffic model: feeds `federation.traffic.engine.TrafficEngine` the
members' Ready replicas (ground truth, as they change), the endpoints the control plane has seen
(from the watch messages it receives, so stale while a member is cut off), and client cuts, and
wakes it at its deadlines with one timer at a time. Idle time costs nothing."""

from __future__ import annotations

from collections.abc import Sequence

from federation.core.actions import Event
from federation.observed import Delta
from federation.traffic.engine import TrafficEngine
from sim.world import World


class SimTraffic:
    def __init__(self, world: World, engine: TrafficEngine) -> None:
        self.world = world
        self.engine = engine
        self._armed: set[float] = set()
        self._seen: dict[str, set[str]] = {}  # cluster -> backend keys the control plane saw

    # ---------------------------------------------------------------- inputs

    def on_ready(self, cluster: str, key: str, n: int) -> None:
        if key in self.engine.backing:
            self.engine.ready(cluster, key, n, self.world.env.now)
            self._arm()

    def on_delta(self, d: Delta) -> None:
        backing = self.engine.backing
        seen = self._seen.setdefault(d.cluster, set())
        now = self.world.env.now
        touched = False
        if d.full:
            for key in [k for k in seen if k not in d.upserts]:
                seen.discard(key)
                self.engine.observed(d.cluster, key, 0, now)
                touched = True
        for key, obj in d.upserts.items():
            if key in backing:
                seen.add(key)
                self.engine.observed(d.cluster, key, obj.ready_replicas or 0, now)
                touched = True
        for key in d.removals:
            if key in seen:
                seen.discard(key)
                self.engine.observed(d.cluster, key, 0, now)
                touched = True
        if touched:
            self._arm()

    def cut(self, region: str, clusters: Sequence[str], on: bool) -> None:
        self.engine.cut(region, clusters, on, self.world.env.now)
        self._arm()

    def cut_dns(self, region: str, on: bool) -> None:
        self.engine.cut_dns(region, on, self.world.env.now)
        self._arm()

    def on_events(self, events: Sequence[Event]) -> None:
        """Decisions of the control plane the traffic model acts on: clients steered away."""
        for e in events:
            if e.kind == "steer":
                for c in e.fields.get("away", ()):
                    self.engine.steer(c, e.workload, True, self.world.env.now)
                for c in e.fields.get("back", ()):
                    self.engine.steer(c, e.workload, False, self.world.env.now)
                self._arm()

    def cut_health_checks(self, clusters: Sequence[str], on: bool) -> None:
        self.engine.cut_health_checks(clusters, on, self.world.env.now)
        self._arm()

    # ---------------------------------------------------------------- the clock

    def _arm(self) -> None:
        t = self.engine.deadline()
        if t is None or (self._armed and min(self._armed) <= t):
            return
        self._armed.add(t)
        self.world.at(t, self._fire, t)

    def _fire(self, t: float) -> None:
        self._armed.discard(t)
        self.engine.advance(self.world.env.now)
        self._arm()
