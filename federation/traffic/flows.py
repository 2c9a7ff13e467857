"""What the engine's rows say, worked out from its state: each client region's answer and where
its requests go (`traffic` rows), each cluster's queue (`serving` rows), written only when they
change. A mixin of `federation.traffic.engine.TrafficEngine`, which owns the state."""

from __future__ import annotations

from typing import Any

from federation.core.model import Cluster
from federation.core.steering import Answer, Candidate, answer
from federation.recorder import Recorder
from federation.traffic.clients import Stream
from federation.traffic.endpoints import Endpoint
from federation.traffic.latency import rtt_ms
from federation.traffic.queueing import queue
from federation.traffic.spec import MultiClusterService, Traffic


def _r(x: float) -> float:
    return round(x, 6)


class Flows:
    """The engine's state this needs (set up by `TrafficEngine.__init__`)."""

    traffic: Traffic
    recorder: Recorder
    clusters: dict[str, Cluster]
    services: list[MultiClusterService]
    endpoints: list[dict[str, Endpoint]]
    started: list[bool]
    by_service: list[list[Stream]]
    zones: dict[tuple[str, str], str]
    _rtt: dict[tuple[str, str, str], float]
    cut_pairs: dict[tuple[str, str], int]
    dirty_serving: set[tuple[int, str]]
    last: dict[tuple[str, str, str], dict[str, Any]]
    rows: int
    utilization: Any  # federation.autoscaling.metrics.Utilization | None

    def _endpoint(self, i: int, cluster: str) -> Endpoint:
        raise NotImplementedError

    def _rtt_to(self, st: Stream, cluster: str) -> float:
        ms = st.rtt.get(cluster)
        if ms is None:
            zone = self.zones.get((st.key, st.region), "")
            k = (st.region, zone, cluster)
            ms = self._rtt.get(k)
            if ms is None:
                cl = self.clusters.get(cluster)
                region, czone = (cl.region, cl.zone) if cl else ("", "")
                ms = self._rtt[k] = rtt_ms(st.region, zone, region, czone, self.traffic.network)
            st.rtt[cluster] = ms
        return ms

    def _answer(self, i: int, st: Stream) -> Answer:
        cands = []
        for c, ep in self.endpoints[i].items():
            n = ep.endpoints
            if n > 0 and not ep.withdrawn:
                cl = self.clusters.get(c)
                region = cl.region if cl else ""
                cands.append(Candidate(c, region, n, ep.health.healthy, self._rtt_to(st, c)))
        return answer(st.region, cands, self.services[i].steering)

    def _stream(self, st: Stream, now: float) -> None:
        """One client region's requests: where they go now; the clusters whose arrivals
        changed get their queues worked out again."""
        if not st.active:
            return
        sent, unresolved = st.mix()
        lost = {c: v for c, v in sent.items() if self.cut_pairs.get((st.region, c), 0)}
        reach = {c: v for c, v in sent.items() if c not in lost}
        for c in set(reach) | set(st.sent):
            if reach.get(c) != st.sent.get(c):
                self.dirty_serving.add((st.service, c))
        st.sent = reach
        self._row(
            now,
            "traffic",
            "",
            st.key,
            st.region,
            rate=_r(st.rate),
            sent={c: _r(v) for c, v in sorted(sent.items())},
            unresolved=_r(unresolved),
            lost={c: _r(v) for c, v in sorted(lost.items())},
            rtt_ms={c: self._rtt_to(st, c) for c in sorted(sent)},
        )

    def _serving(self, i: int, c: str, now: float) -> None:
        if not self.started[i]:
            return
        cap = self.services[i].capacity
        arrival = sum(st.sent.get(c, 0.0) for st in self.by_service[i])
        n = self._endpoint(i, c).replicas
        q = queue(n, cap.requests_per_second, arrival)
        if self.utilization is not None:
            self.utilization.on_serving(
                self.services[i].key, c, n, arrival, cap.requests_per_second, now
            )
        self._row(
            now,
            "serving",
            c,
            self.services[i].key,
            "",
            replicas=n,
            arrival=_r(arrival),
            served=_r(q.served),
            wait_p=_r(q.wait_p),
            wait_rate=_r(q.wait_rate),
            service_ms=cap.service_time * 1000.0,
            timeout_ms=cap.timeout * 1000.0,
        )

    def _row(
        self, now: float, kind: str, cluster: str, service: str, region: str, **fields: object
    ) -> None:
        """A row when its fields differ from the last one of its kind and place."""
        k = (kind, cluster or region, service)
        if self.last.get(k) == fields:
            return
        self.last[k] = fields
        if region:
            fields = {"region": region, **fields}
        self.recorder.row(now, kind, cluster, service, **fields)
        self.rows += 1
