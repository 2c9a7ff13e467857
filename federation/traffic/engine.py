"""The fluid traffic engine both backends drive: inputs are events (a workload's Ready replicas on a
member changed, the control plane saw new endpoints, a cut began or ended), outputs are timeline
rows of rates that hold until the next change. Nothing ticks: the engine wakes only when a demand
step starts, a health check would flip a cluster, or a slice of clients' cache expires while
their answer is stale. The report integrates the rows (`federation.report.traffic`).

Rows (workload = the service's "namespace/name"):

* `traffic` (cluster ""): one client region's demand `rate`, what its clients `sent` to each
  cluster, what resolved to nothing (`unresolved`), what could not reach its cluster (`lost`), and
  the round-trip time to each cluster it sent to (`rtt_ms`), all per second;
* `serving` (cluster c): Ready `replicas`, requests per second arriving (`arrival`), the
  fraction `served`, and the queue (`wait_p`, `wait_rate`), `service_ms`, `timeout_ms`;
* `dns` (cluster c): a health-check flip (`healthy`); `answer` (cluster ""): a client region's
  new answer (`clusters`: share per cluster).

A service's clients start when every workload behind it has its nominal replicas published
(the service is up; at the latest START_GRACE s after its first endpoint): they all resolve then.
Call `advance(now)` at `deadline()` (and after inputs); the backend owns the clock.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from federation.core.desired import DesiredState
from federation.core.healthcheck import CheckSchedule
from federation.core.model import Cluster
from federation.core.nominal import nominal
from federation.recorder import Recorder

if TYPE_CHECKING:
    from federation.autoscaling.metrics import Utilization
from federation.traffic.clients import Stream
from federation.traffic.demand import schedule
from federation.traffic.endpoints import Endpoint
from federation.traffic.flows import Flows
from federation.traffic.spec import MultiClusterService, Traffic

_EPS = 1e-9
START_GRACE = 60.0  # seconds after its first endpoint a service's clients start at the latest


class TrafficEngine(Flows):
    def __init__(
        self,
        traffic: Traffic,
        clusters: Sequence[Cluster],
        recorder: Recorder,
        seed: int | str,
        end: float,
        totals: Mapping[str, int] | None = None,
        phase: Callable[[str], float] | None = None,
    ) -> None:
        """`phase(name)` in [0, 1) places a service's health checks on a cluster ("checks/...")
        and a client region's cache expiries ("clients/...") within their periods; by default
        a draw from a stream seeded with `seed` and the name (the same on both backends)."""
        self.phase = phase or (lambda name: self._rng(name).random())
        self.traffic = traffic
        # each backend's nominal replicas: a service's clients start once all are published
        self.totals = dict(totals or {})
        self.recorder = recorder
        self.seed = seed
        self.clusters = {c.name: c for c in clusters}
        self.services: list[MultiClusterService] = list(traffic.services)
        self.index = {s.key: i for i, s in enumerate(self.services)}
        self.backing: dict[str, list[int]] = {}  # workload key -> services it backs
        for i, s in enumerate(self.services):
            for key in s.backends:
                self.backing.setdefault(key, []).append(i)
        self.endpoints: list[dict[str, Endpoint]] = [{} for _ in self.services]
        self.started = [False] * len(self.services)
        self.first_seen: list[float | None] = [None] * len(self.services)
        self.streams: list[Stream] = []
        self.by_service: list[list[Stream]] = [[] for _ in self.services]
        self._rtt: dict[tuple[str, str, str], float] = {}  # (region, zone, cluster) -> ms
        self.zones: dict[tuple[str, str], str] = {}  # stream's (service, region) -> zone
        for client in traffic.clients:
            idx = self.index.get(client.service)
            if idx is None:
                continue
            s = self.services[idx]
            period = s.steering.cache_period
            n = max(1, traffic.cohorts)
            u = self.phase(f"clients/{s.key}/{client.region}") * period / n
            st = Stream(
                index=len(self.streams),
                service=idx,
                key=s.key,
                region=client.region,
                steps=schedule(client.rate, end),
                period=period,
                phases=[u + k * period / n for k in range(n)],
            )
            self.zones[(s.key, client.region)] = client.zone
            self.streams.append(st)
            self.by_service[idx].append(st)
        self.cut_pairs: dict[tuple[str, str], int] = {}  # (client region, cluster) -> cuts
        self.cut_checks: dict[str, int] = {}  # cluster -> cuts of the health checkers
        self.last: dict[tuple[str, str, str], dict[str, object]] = {}
        self.timers: list[tuple[float, int, str, int, str, int]] = []
        self._seq = 0
        # what must be worked out again before the next rows: a service's answers, a stream's
        # mix, a (service, cluster)'s queue
        self.dirty_answers: set[int] = set()
        self.dirty_streams: set[int] = set()
        self.dirty_serving: set[tuple[int, str]] = set()
        self.now = 0.0
        self.rows = 0
        # ground-truth load histories for the autoscaler (`federation.autoscaling.metrics`)
        self.utilization: Utilization | None = None

    def track(self, utilization: Utilization) -> None:
        """Keep `utilization` up to date with every backend's Ready pods and per-pod load."""
        self.utilization = utilization
        for key, idx in self.backing.items():
            utilization.backs(key, [self.services[i].key for i in idx])

    # ---------------------------------------------------------------- inputs

    def ready(self, cluster: str, key: str, n: int, now: float) -> None:
        """Ground truth: `key` has `n` Ready replicas on `cluster`."""
        if self.utilization is not None and key in self.backing:
            self.utilization.on_ready(cluster, key, n, now)
        for i in self.backing.get(key, ()):
            ep = self._endpoint(i, cluster)
            if ep.ready.get(key, 0) == n:
                continue
            ep.ready[key] = n
            self._outcome(i, cluster, ep, now)
            self.dirty_serving.add((i, cluster))

    def observed(self, cluster: str, key: str, n: int, now: float) -> None:
        """The control plane (and so the answerer) sees `n` ready endpoints of `key` there."""
        for i in self.backing.get(key, ()):
            ep = self._endpoint(i, cluster)
            if ep.known.get(key, 0) != n:
                before = ep.endpoints
                ep.known[key] = n
                self.dirty_answers.add(i)
                if ep.withdrawn and before and not ep.endpoints:
                    ep.withdrawn = False  # gone from there: a later comer is answered again

    def steer(self, cluster: str, key: str, away: bool, now: float) -> None:
        """The federation takes `cluster` out of the answers of the services `key` backs
        (`away`: a migration leaving it, or one whose replicas there are still starting) until
        their endpoints there are gone, or puts it back."""
        for i in self.backing.get(key, ()):
            ep = self._endpoint(i, cluster)
            if ep.withdrawn != away:
                ep.withdrawn = away
                self.dirty_answers.add(i)

    def observed_endpoints(self, cluster: str, service: str, n: int, now: float) -> None:
        """The answerer sees `n` ready endpoints of `service` ("namespace/name") on `cluster`
        (from the imported EndpointSlices, on real members)."""
        i = self.index.get(service)
        if i is None:
            return
        ep = self._endpoint(i, cluster)
        if ep.known != {service: n}:
            before = ep.endpoints
            ep.known = {service: n}
            self.dirty_answers.add(i)
            if ep.withdrawn and before and not n:
                ep.withdrawn = False

    def cut(self, region: str, clusters: Sequence[str], on: bool, now: float) -> None:
        """Clients of `region` cannot reach `clusters` (on) or can again (off)."""
        for c in clusters:
            k = (region, c)
            self.cut_pairs[k] = self.cut_pairs.get(k, 0) + (1 if on else -1)
        for st in self.streams:
            if st.region == region:
                self.dirty_streams.add(st.index)

    def cut_dns(self, region: str, on: bool, now: float) -> None:
        """Clients of `region` cannot reach the DNS (on) or can again (off)."""
        for st in self.streams:
            if st.region != region:
                continue
            st.dns_cut += 1 if on else -1
            if st.dns_cut == 0 and st.active:
                st.reconnect()
            self._expiries(st, now)
            self.dirty_streams.add(st.index)

    def cut_health_checks(self, clusters: Sequence[str], on: bool, now: float) -> None:
        """The answerer's health checks cannot reach `clusters` (on) or can again (off)."""
        for c in clusters:
            self.cut_checks[c] = self.cut_checks.get(c, 0) + (1 if on else -1)
            for i, eps in enumerate(self.endpoints):
                ep = eps.get(c)
                if ep is not None:
                    self._outcome(i, c, ep, now)

    # ---------------------------------------------------------------- the clock

    def deadline(self) -> float | None:
        if self.dirty_answers or self.dirty_streams or self.dirty_serving:
            return self.now
        return self.timers[0][0] if self.timers else None

    def advance(self, now: float) -> None:
        """Run what is due at `now`, then write the rows of everything that changed."""
        self.now = now
        while self.timers and self.timers[0][0] <= now + _EPS:
            _, _, kind, i, name, version = heapq.heappop(self.timers)
            if kind == "check":
                ep = self.endpoints[i][name]
                if version == ep.version and ep.checks is not None:
                    # every check up to now ran with the current outcome (a late wake-up on
                    # the wall clock accounts for all of them)
                    k = ep.checks.first_at_or_after(now + _EPS) - 1
                    if ep.check(k):
                        self.recorder.row(
                            now, "dns", name, self.services[i].key, healthy=ep.health.healthy
                        )
                        self.dirty_answers.add(i)
            elif kind == "expiry":
                st = self.streams[i]
                if version == st.version:
                    if st.expire(now):
                        self.dirty_streams.add(st.index)
                    self._expiries(st, now)
            elif kind == "start":
                self.dirty_answers.add(i)
            elif kind == "rate":
                st = self.streams[i]
                if version == st.step:
                    self._rate(st, now)
        self._flush(now)

    # ---------------------------------------------------------------- internals

    def _rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}/traffic/{name}")

    def _push(self, t: float, kind: str, i: int, name: str, version: int) -> None:
        self._seq += 1
        heapq.heappush(self.timers, (t, self._seq, kind, i, name, version))

    def _endpoint(self, i: int, cluster: str) -> Endpoint:
        ep = self.endpoints[i].get(cluster)
        if ep is None:
            st = self.services[i].steering
            checks = None
            if st.failure_threshold > 0 and st.health_check_interval > 0:
                phase = self.phase(f"checks/{self.services[i].key}/{cluster}")
                checks = CheckSchedule(st.health_check_interval, phase * st.health_check_interval)
            ep = self.endpoints[i][cluster] = Endpoint(checks, st.failure_threshold)
        return ep

    def _outcome(self, i: int, cluster: str, ep: Endpoint, now: float) -> None:
        ok = ep.replicas > 0 and not self.cut_checks.get(cluster, 0)
        if ok == ep.ok:
            return
        flip = ep.outcome(ok, now)
        if flip is not None:
            self._push(flip[1], "check", i, cluster, ep.version)

    def _rate(self, st: Stream, now: float) -> None:
        k = st.step
        while k + 1 < len(st.steps) and st.steps[k + 1][0] <= now + _EPS:
            k += 1
        st.step = k
        st.rate = st.steps[k][1]
        if k + 1 < len(st.steps):
            self._push(st.steps[k + 1][0], "rate", st.index, "", k)
        self.dirty_streams.add(st.index)

    def _expiries(self, st: Stream, now: float) -> None:
        st.version += 1
        if not st.active:
            return
        t = st.next_expiry(now)
        if t is not None:
            self._push(t, "expiry", st.index, "", st.version)

    def _flush(self, now: float) -> None:
        for i in sorted(self.dirty_answers):
            self._answers(i, now)
        self.dirty_answers.clear()
        for j in sorted(self.dirty_streams):
            self._stream(self.streams[j], now)
        self.dirty_streams.clear()
        for i, c in sorted(self.dirty_serving):
            self._serving(i, c, now)
        self.dirty_serving.clear()

    def _ready_to_start(self, i: int, now: float) -> bool:
        """Clients start when every backend has its nominal replicas published (the service is
        up), or START_GRACE seconds after the first endpoint if that never happens."""
        eps = self.endpoints[i].values()
        if self.first_seen[i] is None:
            if not any(ep.endpoints > 0 for ep in eps):
                return False
            self.first_seen[i] = now
            self._push(now + START_GRACE, "start", i, "", 0)
        first = self.first_seen[i]
        assert first is not None
        if now >= first + START_GRACE - _EPS:
            return True
        want = sum(self.totals.get(k, 1) for k in self.services[i].backends)
        return sum(ep.endpoints for ep in eps) >= want

    def _answers(self, i: int, now: float) -> None:
        """Answer every client region of service i again (its endpoints or health changed)."""
        if not self.started[i]:
            if not self._ready_to_start(i, now):
                return
            self.started[i] = True
            for st in self.by_service[i]:
                st.start(self._answer(i, st))
                self._row(now, "answer", "", st.key, st.region, clusters=dict(st.answer))
                st.step = -1
                self._rate(st, now)
            return
        for st in self.by_service[i]:
            new = self._answer(i, st)
            if new == st.answer:
                continue
            st.answer = new
            self._row(now, "answer", "", st.key, st.region, clusters=dict(new))
            if st.period <= 0 and not st.dns_cut:
                st.adopt()
                self.dirty_streams.add(st.index)
            self._expiries(st, now)


def backend_totals(desired: DesiredState, traffic: Traffic) -> dict[str, int]:
    """Each backend workload's nominal replica count (`federation.core.nominal`)."""
    out = {}
    for s in traffic.services:
        for key in s.backends:
            w = desired.workloads.get(key)
            if w is not None and w.divisible:
                out[key] = nominal(desired, w).total
    return out
