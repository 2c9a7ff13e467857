"""Fault injection: each `scenario.faults` entry becomes a SimPy process that changes the state of
members and links at its start and undoes it at its end (`duration` None: it never ends).

Every fault writes `fault` rows (`phase` "start"/"end", `fault` = kind, plus its params and
duration) — one per cluster, or one per workload for load-surge; flapping also writes a
`phase` "down"/"up" row per flap. Overlapping faults stack: members count active outages, hangs
and partitions, and latency faults add up.

* outage: API refuses everything, every workload stops (truth ready 0); on recovery every bound
  replica restarts after a start-up delay; objects persist (etcd).
* api-hang: API requests never answer (probes time out, writes are lost, the watch is broken);
  running workloads keep serving; the scheduler cannot bind.
* partition: every message between control plane and member is lost both ways; the member and
  its workloads run on.
* latency: the link gets `latency` seconds more one-way delay and `jitter` more std deviation.
* flapping: an outage of `down` seconds at the start of every `period` seconds.
* node-loss: `nodes` random nodes (stream "nodes/<cluster>") vanish with their replicas, which go
  Pending and are rebound where room is left; the nodes come back empty.
* load-surge: workload `workload` (a key, "namespace/name" or a unique name) wants `replicas`;
  the previous count is restored at the end.
* client-partition: clients of region `clients` cannot reach the clusters (or, with `dns`, the
  DNS); with `healthChecks`, the DNS's health checks cannot reach the clusters. Traffic only:
  members, links and the control plane are untouched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import Any

import simpy

from federation.api.scenario import FAULT_KINDS, Fault
from federation.recorder import Recorder
from sim.member import Member
from sim.traffic import SimTraffic
from sim.world import World

CLUSTER_KINDS = frozenset(FAULT_KINDS) - {"load-surge", "client-partition"}
# faults that leave the control plane's probes of a member alone (the API, the link): every other
# kind, a new one included, counts as one that may change a probe's outcome
PROBE_NEUTRAL = frozenset({"node-loss", "load-surge", "client-partition"})
_RESERVED = frozenset({"t", "kind", "cluster", "workload", "phase", "fault"})

Surge = Callable[[str, int | None], int | None]  # (workload key, replicas) -> previous


def _param(f: Fault, name: str, default: float | None = None) -> float:
    value = f.params.get(name, default)
    if value is None:
        raise ValueError(f"fault {f.kind} at t={f.at:g}: missing param {name!r}")
    return float(value)


def validate(f: Fault, members: Mapping[str, Member]) -> None:
    """Reject what cannot run, naming the fault."""
    if f.kind not in FAULT_KINDS:
        raise ValueError(f"fault at t={f.at:g}: unknown kind {f.kind!r}")
    if f.kind in CLUSTER_KINDS:
        if not f.clusters:
            raise ValueError(f"fault {f.kind} at t={f.at:g}: no clusters")
        unknown = [c for c in f.clusters if c not in members]
        if unknown:
            raise ValueError(f"fault {f.kind} at t={f.at:g}: unknown clusters {unknown}")
    if f.kind == "flapping" and not 0 < _param(f, "down") <= _param(f, "period"):
        raise ValueError(f"fault flapping at t={f.at:g}: need 0 < down <= period")
    if f.kind == "latency" and (_param(f, "latency") < 0 or _param(f, "jitter", 0.0) < 0):
        raise ValueError(f"fault latency at t={f.at:g}: latency and jitter must be >= 0")
    if f.kind == "node-loss" and _param(f, "nodes", 1) < 1:
        raise ValueError(f"fault node-loss at t={f.at:g}: nodes must be >= 1")
    if f.kind == "load-surge":
        _param(f, "replicas")
        if not f.params.get("workload"):
            raise ValueError(f"fault load-surge at t={f.at:g}: missing param 'workload'")


def probe_windows(faults: Iterable[Fault]) -> dict[str, list[tuple[float, float]]]:
    """Per cluster, the spans [start, end] (sorted by start) during which a fault may change
    what a probe of that cluster sees; an open-ended fault's end is infinity."""
    out: dict[str, list[tuple[float, float]]] = {}
    for f in faults:
        if f.kind in PROBE_NEUTRAL:
            continue
        start = max(0.0, f.at)
        end = math.inf if f.end is None else f.end
        for c in f.clusters:
            out.setdefault(c, []).append((start, max(start, end)))
    for spans in out.values():
        spans.sort()
    return out


class Injector:
    """Runs the faults of one scenario against the members."""

    def __init__(
        self,
        world: World,
        members: Mapping[str, Member],
        recorder: Recorder,
        surge: Surge,
        resolve: Callable[[str], str],
        until: float,
        traffic: SimTraffic | None = None,
    ) -> None:
        self.world = world
        self.members = members
        self.recorder = recorder
        self.surge = surge
        self.resolve = resolve  # workload name or key -> key
        self.until = until
        self.traffic = traffic

    def schedule(self, faults: tuple[Fault, ...]) -> None:
        for f in faults:
            validate(f, self.members)
            if f.kind == "load-surge":
                self.resolve(str(f.params["workload"]))  # fail before the run, not during it
        for f in faults:
            self.world.env.process(self._run(f))

    def _rows(self, f: Fault, phase: str, **extra: Any) -> None:
        t = self.world.env.now
        fields = {k: v for k, v in f.params.items() if k not in _RESERVED}
        fields.update(extra)
        if phase == "start":
            fields["duration"] = f.duration
        if f.kind == "load-surge":
            key = self.resolve(str(f.params["workload"]))
            self.recorder.row(t, "fault", "", key, phase=phase, fault=f.kind, **fields)
            return
        for c in f.clusters or ("",):
            self.recorder.row(t, "fault", c, "", phase=phase, fault=f.kind, **fields)

    def _run(self, f: Fault) -> Generator[simpy.Event, Any, None]:
        env = self.world.env
        yield env.timeout(max(0.0, f.at))
        self._rows(f, "start")
        members = [self.members[c] for c in f.clusters]
        end = self.until if f.end is None else min(f.end, self.until)
        if f.kind == "flapping":
            yield from self._flap(f, members, end)
            if f.end is None:
                return
            yield env.timeout(max(0.0, f.end - env.now))
        else:
            undo = self._start(f, members)
            if f.end is None:
                return
            yield env.timeout(max(0.0, f.end - env.now))
            undo()
        self._rows(f, "end")

    def _start(self, f: Fault, members: list[Member]) -> Callable[[], None]:
        """Begin fault f; return what ends it."""
        kind = f.kind
        if kind in ("outage", "api-hang", "partition"):
            begin, finish = {
                "outage": (Member.outage_start, Member.outage_end),
                "api-hang": (Member.hang_start, Member.hang_end),
                "partition": (Member.partition_start, Member.partition_end),
            }[kind]
            for m in members:
                begin(m)

            def undo() -> None:
                for m in members:
                    finish(m)

            return undo
        if kind == "latency":
            lat, jit = _param(f, "latency"), _param(f, "jitter", 0.0)
            tokens = [(m, m.link.add_latency(lat, jit)) for m in members]

            def undo_latency() -> None:
                for m, tok in tokens:
                    m.link.remove_latency(tok)

            return undo_latency
        if kind == "node-loss":
            count = int(_param(f, "nodes", 1))
            gone = [(m, m.lose_nodes(count)) for m in members]

            def undo_nodes() -> None:
                for m, nodes in gone:
                    m.restore_nodes(nodes)

            return undo_nodes
        if kind == "client-partition":
            self._client_partition(f, True)

            def undo_cut() -> None:
                self._client_partition(f, False)

            return undo_cut
        if kind == "load-surge":
            key = self.resolve(str(f.params["workload"]))
            before = self.surge(key, int(_param(f, "replicas")))

            def undo_surge() -> None:
                self.surge(key, before)

            return undo_surge
        raise ValueError(f"fault kind {kind!r} cannot start")

    def _client_partition(self, f: Fault, on: bool) -> None:
        t = self.traffic
        if t is None:
            return
        region = str(f.params.get("clients", ""))
        if f.params.get("healthChecks"):
            t.cut_health_checks(f.clusters, on)
        elif f.params.get("dns"):
            t.cut_dns(region, on)
        else:
            t.cut(region, f.clusters, on)

    def _flap(
        self, f: Fault, members: list[Member], end: float
    ) -> Generator[simpy.Event, Any, None]:
        env = self.world.env
        period, down = _param(f, "period"), _param(f, "down")
        t = env.now
        while t < end:
            for m in members:
                m.outage_start()
            self._rows(f, "down")
            yield env.timeout(min(down, end - env.now))
            for m in members:
                m.outage_end()
            self._rows(f, "up")
            t += period
            if t < end:
                yield env.timeout(t - env.now)
