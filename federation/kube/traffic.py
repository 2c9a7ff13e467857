"""The kube backend's side of the traffic model: the members' Ready pods (ground truth, from the
truth recorder), the ready endpoints of the EndpointSlices imported into the members
(`federation.kube.mcs`) and client cuts reach the shared `TrafficEngine` through one queue, so
the engine runs on the driver's thread only, at the driver's clock."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from federation.api.scenario import Fault, Scenario
from federation.core.actions import Event
from federation.kube.mcs import EndpointCollector
from federation.kube.members import MemberHandle
from federation.recorder import Recorder
from federation.traffic.engine import TrafficEngine, backend_totals


class KubeTraffic:
    def __init__(
        self,
        scenario: Scenario,
        handles: Mapping[str, MemberHandle],
        recorder: Recorder,
        clock: Callable[[], float],
    ) -> None:
        self.clock = clock
        self.engine = TrafficEngine(
            scenario.traffic,
            scenario.desired.clusters,
            recorder,
            scenario.seed,
            scenario.duration,
            backend_totals(scenario.desired, scenario.traffic),
        )
        # (what, args, when): applied on the driver's thread, each at the time it happened
        self.inbox: queue.Queue[tuple[str, tuple[Any, ...], float]] = queue.Queue()
        self.news = threading.Event()  # the driver's wake-up (its gateway's), set on news
        self.collector = EndpointCollector(
            handles, [s.key for s in scenario.traffic.services], self._endpoints
        )
        self.handles = handles

    def start(self) -> None:
        self.collector.start()

    def close(self) -> None:
        self.collector.close()

    # ---------------------------------------------------------------- from other threads

    def _put(self, what: str, *args: Any) -> None:
        self.inbox.put((what, args, self.clock()))
        self.news.set()

    def on_ready(self, cluster: str, key: str, n: int) -> None:
        if key in self.engine.backing:
            self._put("ready", cluster, key, n)

    def _endpoints(self, cluster: str, service: str, n: int) -> None:
        self._put("observed_endpoints", cluster, service, n)

    def on_events(self, events: Sequence[Event]) -> None:
        """Decisions of the control plane the traffic model acts on: clients steered away."""
        for e in events:
            if e.kind == "steer":
                for c in e.fields.get("away", ()):
                    self._put("steer", c, e.workload, True)
                for c in e.fields.get("back", ()):
                    self._put("steer", c, e.workload, False)

    def client_partition(self, f: Fault, on: bool) -> None:
        region = str(f.params.get("clients", ""))
        if f.params.get("healthChecks"):
            self._put("cut_health_checks", list(f.clusters), on)
        elif f.params.get("dns"):
            self._put("cut_dns", region, on)
        else:
            self._put("cut", region, list(f.clusters), on)

    # ---------------------------------------------------------------- on the driver's thread

    def step(self, now: float) -> float | None:
        """Apply what arrived, run what is due at `now`; return the engine's next deadline."""
        while True:
            try:
                what, args, when = self.inbox.get_nowait()
            except queue.Empty:
                break
            getattr(self.engine, what)(*args, min(when, now))
        t = self.engine.deadline()
        if t is not None and t <= now:
            self.engine.advance(now)
            t = self.engine.deadline()
        return t


def watched_kinds(services: Sequence[Any]) -> tuple[str, ...]:
    from federation.kube.resources import BUILTIN_KINDS

    return (*BUILTIN_KINDS, "ServiceExport") if services else BUILTIN_KINDS
