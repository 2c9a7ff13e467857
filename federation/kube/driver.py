"""The kube backend's driver: run a scenario on real member clusters in real time — provisioned
(kwok, kind) or bound to given kubeconfig contexts — with the shared control loop, real fault
mechanisms and the same timeline rows as the sim, so the same report and plots follow."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from federation.api.scenario import Scenario
from federation.autoscaling.driving import autoscaler
from federation.kube.cleanup import delete_managed
from federation.kube.fault_schedule import FaultRunner
from federation.kube.fleet import DEFAULT_WORKDIR, Members, obtain
from federation.kube.members import MemberHandle
from federation.kube.traffic import watched_kinds
from federation.kube.truth import TruthRecorder
from federation.operations import Operator
from federation.recorder import Recorder
from federation.runtime import ControlLoop


@dataclass
class KubeRun:
    recorder: Recorder
    loop: ControlLoop
    events: int
    simulated_seconds: float
    wall_seconds: float
    handles: Mapping[str, MemberHandle]
    stats: dict[str, Any] = field(default_factory=dict)


def run(
    scenario: Scenario,
    *,
    progress: Callable[[float, float], None] | None = None,
    workdir: Path | None = None,
    keep: bool = False,
    duration: float | None = None,
    log: Callable[[str], None] | None = None,
    members: Members | None = None,
) -> KubeRun:
    """Run `scenario` on real clusters for `duration` (default: the scenario's) wall seconds.

    Members come from `members` when given (already running, e.g. a test session's), else
    from the scenario's kube binding: provisioned with kwok or kind, or bound by context.
    """
    say = log or (lambda m: print(f"kfed: {m}", file=sys.stderr))
    duration = scenario.duration if duration is None else duration
    # Only members this run provisioned are its to mention; a caller's members are the caller's.
    obtained = members is None
    members = members or obtain(scenario, workdir, say)
    from federation.kube.gateway import KubeGateway

    try:
        delete_managed(members.handles.values())
        if scenario.traffic.services:
            from federation.kube.mcs import install_crds

            install_crds(members.handles.values())  # before the clock starts
        recorder = Recorder()
        t0 = time.monotonic()

        def clock() -> float:
            return time.monotonic() - t0

        traffic = None
        if scenario.traffic.services:
            from federation.kube.traffic import KubeTraffic

            traffic = KubeTraffic(scenario, members.handles, recorder, clock)
        kinds = watched_kinds(scenario.traffic.services)
        gateway = KubeGateway(members.handles, clock, kinds=kinds)
        if traffic is not None:
            traffic.news = gateway.news  # news for the traffic model wakes the loop too
        truth = TruthRecorder(members.handles, recorder, clock)
        if traffic is not None and scenario.traffic.enabled:
            truth.on_ready = traffic.on_ready
        else:
            traffic = None
        loop = ControlLoop(
            scenario.desired,
            gateway,
            recorder,
            scenario.health,
            scenario.sim.resync_period,
            rescheduling=scenario.rescheduling,
            operator=(
                Operator(scenario.operations, scenario.desired, recorder)
                if scenario.operations
                else None
            ),
            autoscaler=autoscaler(scenario, recorder, traffic.engine if traffic else None),
        )
        if traffic is not None:
            loop.watchers.append(traffic.on_events)
        base = dict(scenario.desired.workloads)

        def on_load(key: str, replicas: int) -> None:
            w = base[key]
            new = w if replicas < 0 else replace(w, replicas=replicas)
            pending_load.append((key, new))
            gateway.news.set()

        pending_load: list[tuple[str, Any]] = []
        for c in scenario.desired.clusters:
            recorder.row(
                0.0,
                "capacity",
                c.name,
                "",
                region=c.region,
                cpu=c.capacity.cpu,
                pods=c.capacity.pods,
            )
        faults = FaultRunner(scenario, members, recorder, clock, on_load, truth, traffic)
        gateway.start()
        truth.start()
        if traffic is not None:
            traffic.start()
        faults.start()
        try:
            while (now := clock()) < duration:
                while pending_load:
                    key, w = pending_load.pop(0)
                    loop.update_desired(loop.desired.with_workloads([w]), [key], now)
                deadline = loop.cycle(now)
                if traffic is not None:
                    due = traffic.step(clock())
                    deadline = deadline if due is None else min(deadline, due)
                if progress is not None:
                    progress(now, duration)
                gateway.wait(min(deadline, duration) - clock())
            if traffic is not None:
                traffic.step(min(clock(), duration))
        finally:
            faults.close()
            gateway.close()
            truth.close()
            if traffic is not None:
                traffic.close()
        wall = clock()
        stats = {
            "applied": gateway.stats.applied,
            "deleted": gateway.stats.deleted,
            "retries": gateway.stats.retries,
            "failed": gateway.stats.failed,
            "errors": gateway.stats.errors[:20],
            "fault_errors": faults.errors,
            "cycles": loop.cycles,
        }
        return KubeRun(recorder, loop, loop.cycles, duration, wall, members.handles, stats)
    finally:
        if not keep:
            try:
                if members.injector is not None and hasattr(members.injector, "restore"):
                    members.injector.restore(wait=True)
                delete_managed(members.handles.values())
            except Exception as e:  # cleanup must not hide the run's result
                say(f"cleanup: {e}")
        if obtained and members.created:
            where = (workdir or DEFAULT_WORKDIR).expanduser()
            say(
                f"members {', '.join(sorted(members.handles))} keep running for the next run; "
                f"stop them with: kfed clusters down --workdir {where}"
            )
