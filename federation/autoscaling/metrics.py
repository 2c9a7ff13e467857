"""The utilization the traffic model produces, kept as ground-truth histories per workload and
member: its Ready pods, and each service's requests per second per Ready replica over what one
replica serves. The metric pipeline (`federation.core.autoscaling.scrape`) reads them with its
delay. Fed by `federation.traffic.engine.TrafficEngine` as its rates change: no tick."""

from __future__ import annotations

from collections.abc import Sequence

from federation.core.step_function import Steps, value_at


class Utilization:
    def __init__(self, keep: float) -> None:
        """`keep`: how many seconds of history a scrape can still need (interval + window)."""
        self.keep = keep
        self.ready: dict[tuple[str, str], list[tuple[float, float]]] = {}
        # (service, cluster) -> per-pod utilization; workload -> the services it backs
        self.load: dict[tuple[str, str], list[tuple[float, float]]] = {}
        self.services: dict[str, list[str]] = {}

    def backs(self, key: str, services: Sequence[str]) -> None:
        self.services[key] = list(services)

    def _put(self, steps: list[tuple[float, float]], t: float, v: float) -> None:
        if steps and steps[-1][1] == v:
            return
        if steps and steps[-1][0] >= t:  # the same instant: the last word counts
            steps[-1] = (steps[-1][0], v)
        else:
            steps.append((t, v))
        # forget what no scrape can reach, keeping the step in force at the horizon
        horizon = t - self.keep
        drop = 0
        while drop + 1 < len(steps) and steps[drop + 1][0] <= horizon:
            drop += 1
        if drop:
            del steps[:drop]

    def on_ready(self, cluster: str, key: str, n: int, now: float) -> None:
        self._put(self.ready.setdefault((key, cluster), []), now, float(n))

    def on_serving(
        self,
        service: str,
        cluster: str,
        replicas: int,
        arrival: float,
        per_replica: float,
        now: float,
    ) -> None:
        u = arrival / (replicas * per_replica) if replicas > 0 and per_replica > 0 else 0.0
        self._put(self.load.setdefault((service, cluster), []), now, u)

    def histories(self, key: str, cluster: str) -> tuple[Steps, Steps]:
        """(Ready pods, per-pod utilization) of workload `key` on `cluster`, as step functions."""
        ready = self.ready.get((key, cluster), [])
        services = self.services.get(key, [])
        if len(services) == 1:
            return ready, self.load.get((services[0], cluster), [])
        # a workload behind several services: the sum of their per-replica loads
        times = sorted({t for s in services for t, _ in self.load.get((s, cluster), [])})
        out: list[tuple[float, float]] = []
        for t in times:
            out.append((t, sum(value_at(self.load.get((s, cluster), []), t) for s in services)))
        return ready, out
