"""The sim driver: `run(scenario) -> SimRun` builds the simulated world of a scenario, drives the
shared `ControlLoop` in virtual time, injects the scenario's faults and records ground truth.

The control plane is one SimPy process: wait until the loop's deadline or until the gateway has
news, read the clock once, run one cycle. Cycles are at least `min_cycle_interval` apart, as a
work queue that collects a burst of events before it reconciles: without it, a burst of status
updates arriving microseconds apart would cost one full cycle each. Idle time costs nothing.

While it runs, `run` raises the cyclic garbage collector's first threshold (restored after):
the sim and the core allocate many short-lived containers, and collecting every 700 allocations
cost about 30 % of the wall time of a 100-cluster x 10,000-workload run.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from typing import Any

import simpy

from federation.api.scenario import Scenario
from federation.autoscaling.driving import autoscaler
from federation.operations import Operator
from federation.recorder import Recorder
from federation.runtime import ControlLoop
from federation.traffic.engine import TrafficEngine, backend_totals
from sim.faults import Injector
from sim.gateway import SimGateway
from sim.member import Member
from sim.network import Link
from sim.traffic import SimTraffic
from sim.world import World

Progress = Callable[[float, float], None]  # (simulated time, duration)
GC_THRESHOLD = 100_000  # allocations between young collections while a run is on


@dataclass
class SimRun:
    """What one simulated run produced."""

    scenario: Scenario
    recorder: Recorder  # the timeline
    loop: ControlLoop  # statuses, state, cycles of the control plane
    gateway: SimGateway
    members: dict[str, Member]  # ground truth per member cluster
    traffic: SimTraffic | None  # the traffic model, when the scenario has clients
    events: int  # SimPy events processed
    simulated_seconds: float
    wall_seconds: float  # the whole call, building the world included
    control_seconds: float  # of which inside `ControlLoop.cycle` (core + runtime, not the sim)

    @property
    def events_per_second(self) -> float:
        return self.events / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def speed(self) -> float:
        """Simulated seconds per wall-clock second."""
        return self.simulated_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0


def run(
    scenario: Scenario,
    *,
    progress: Progress | None = None,
    recorder: Recorder | None = None,
    min_cycle_interval: float = 0.02,
    gc_threshold: int | None = GC_THRESHOLD,
    always_full: bool = False,
    metrics: bool = False,
) -> SimRun:
    """Simulate `scenario` for `scenario.duration` seconds; `progress(t, duration)` is called
    about every 0.5 % of the run. `gc_threshold` None leaves the garbage collector alone.
    `always_full` reconciles every workload every cycle: the reference the incremental
    control loop must match (slow; for tests). `metrics` adds `metric` rows to the timeline
    under the names controller mode serves on /metrics (`federation.telemetry`; durations of
    reconciles are not measured in the sim)."""
    before = gc.get_threshold()
    if gc_threshold is not None:
        gc.set_threshold(max(before[0], gc_threshold), before[1], before[2])
    try:
        return _run(scenario, progress, recorder, min_cycle_interval, always_full, metrics)
    finally:
        gc.set_threshold(*before)


def _run(
    scenario: Scenario,
    progress: Progress | None,
    recorder: Recorder | None,
    min_cycle_interval: float,
    always_full: bool = False,
    metrics: bool = False,
) -> SimRun:
    started = time.perf_counter()
    desired = scenario.desired
    settings = scenario.sim
    world = World(scenario.seed)
    env = world.env
    recorder = recorder if recorder is not None else Recorder()
    links = {
        c.name: Link(settings.links.get(c.name, settings.link), world.stream(f"link/{c.name}"))
        for c in desired.clusters
    }
    gateway = SimGateway(world, links)
    requests = {k: w.request for k, w in desired.workloads.items()}
    members = {
        c.name: Member(world, c, settings, links[c.name], gateway.deliver, recorder, requests)
        for c in desired.clusters
    }
    for m in members.values():
        m.record_capacity()
    gateway.attach(members)
    traffic = None
    if scenario.traffic.enabled:
        engine = TrafficEngine(
            scenario.traffic,
            desired.clusters,
            recorder,
            scenario.seed,
            scenario.duration,
            backend_totals(desired, scenario.traffic),
        )
        traffic = SimTraffic(world, engine)
        for m in members.values():
            m.workloads.on_ready = traffic.on_ready
        gateway.on_delta = traffic.on_delta
    loop = ControlLoop(
        desired,
        gateway,
        recorder,
        scenario.health,
        settings.resync_period,
        rescheduling=scenario.rescheduling,
        always_full=always_full,
        operator=Operator(scenario.operations, desired, recorder) if scenario.operations else None,
        autoscaler=autoscaler(scenario, recorder, traffic.engine if traffic else None),
    )

    def surge(key: str, replicas: int | None) -> int | None:
        w = loop.desired.workloads[key]
        new = loop.desired.with_workloads([replace(w, replicas=replicas)])
        loop.update_desired(new, [key], env.now)
        gateway.poke()
        return w.replicas

    def resolve(ref: str) -> str:
        if ref in desired.workloads:
            return ref
        named = sorted(
            k for k, w in desired.workloads.items() if ref in (w.name, f"{w.namespace}/{w.name}")
        )
        if len(named) != 1:
            raise ValueError(f"load-surge: workload {ref!r} matches {len(named)} workloads")
        return named[0]

    if traffic is not None:
        loop.watchers.append(traffic.on_events)
    Injector(world, members, recorder, surge, resolve, scenario.duration, traffic).schedule(
        scenario.faults
    )
    timing = [0.0]
    telemetry = None
    if metrics:
        from federation.telemetry import LoopTelemetry, TimelineSink

        telemetry = LoopTelemetry(TimelineSink(recorder, lambda: env.now))
    env.process(
        _control(
            env, loop, gateway, scenario.health.probe_timeout, min_cycle_interval, timing, telemetry
        )
    )
    if settings.sample_period > 0:
        env.process(_sampler(env, members, settings.sample_period))
    duration = scenario.duration
    if progress is None:
        env.run(until=duration)
    else:
        # step between reports instead of env.run(until=t): each `until` costs SimPy event ids
        # (two per call), which would make `events` differ from a run without progress
        step = max(1.0, duration / 200)
        peek, advance = env.peek, env.step
        t = 0.0
        while t < duration:
            t = min(duration, t + step)
            if t < duration:
                while peek() < t:
                    advance()
            else:
                env.run(until=duration)
            progress(t, duration)
    return SimRun(
        scenario=scenario,
        recorder=recorder,
        loop=loop,
        gateway=gateway,
        members=members,
        traffic=traffic,
        events=world.events(),
        simulated_seconds=duration,
        wall_seconds=time.perf_counter() - started,
        control_seconds=timing[0],
    )


def _control(
    env: simpy.Environment,
    loop: ControlLoop,
    gateway: SimGateway,
    sync_timeout: float,
    interval: float,
    timing: list[float],
    telemetry: Any = None,
) -> Generator[simpy.Event, Any, None]:
    # wait for the informer caches (every member's first relist), as controllers do, so the
    # first reconcile sees capacity; a member down from the start does not hold us long
    yield gateway.synced | env.timeout(sync_timeout)
    alarm: simpy.Event | None = None
    alarm_at = -1.0
    while True:
        now = env.now
        t0 = time.perf_counter()
        deadline = loop.cycle(now)
        timing[0] += time.perf_counter() - t0
        if telemetry is not None:
            telemetry.cycle(loop, None)
        if alarm is None or alarm.processed or alarm_at != deadline:
            # reusing the pending alarm when the deadline is unchanged keeps stale timeouts
            # from piling up in the event queue
            alarm = env.timeout(deadline - now)
            alarm_at = deadline
        yield alarm | gateway.wait()
        rest = now + interval - env.now
        if rest > 0:
            yield env.timeout(rest)


def _sampler(
    env: simpy.Environment, members: dict[str, Member], period: float
) -> Generator[simpy.Event, Any, None]:
    while True:
        yield env.timeout(period)
        for m in members.values():
            m.sample_rows()
