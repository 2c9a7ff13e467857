"""The scenario's fault timeline on real clusters: each fault injected and reverted on its own
thread, on the run's clock, through the real mechanism (kwokctl stop/start, SIGSTOP, toxiproxy,
node deletion) or the kind provider's docker commands."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from federation.api.scenario import Fault, Scenario
from federation.kube.truth import TruthRecorder
from federation.recorder import Recorder

if TYPE_CHECKING:
    from federation.kube.fleet import Members
    from federation.kube.traffic import KubeTraffic

T = TypeVar("T")
R = TypeVar("R")


class FaultRunner:
    """Injects and reverts scenario faults on a background thread, on the run's clock, so a
    slow mechanism (a cluster restart takes seconds) never stalls the control loop."""

    def __init__(
        self,
        scenario: Scenario,
        members: Members,
        recorder: Recorder,
        clock: Callable[[], float],
        on_load: Callable[[str, int], None],
        truth: TruthRecorder,
        traffic: KubeTraffic | None = None,
    ) -> None:
        self.members, self.recorder, self.clock, self.on_load = members, recorder, clock, on_load
        self.truth = truth
        self.traffic = traffic
        self.steps: list[tuple[float, int, str, Fault]] = []
        for i, f in enumerate(scenario.faults):
            self.steps.append((f.at, i, "start", f))
            if f.end is not None and f.end < scenario.duration:
                self.steps.append((f.end, i, "end", f))
        self.steps.sort(key=lambda s: (s[0], s[1]))
        self.active: dict[int, list[Any]] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="faults", daemon=True)
        self.errors: list[str] = []

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        for at, i, phase, f in self.steps:
            if self.stop.wait(max(0.0, at - self.clock())):
                return
            try:
                self._step(i, phase, f)
            except Exception as e:  # a failed injection is reported, not fatal
                self.errors.append(f"{phase} {f.kind} on {list(f.clusters)}: {e}")

    def _step(self, i: int, phase: str, f: Fault) -> None:
        if f.kind == "client-partition":  # modelled traffic only: kwok pods serve no requests
            params = {k: v for k, v in f.params.items()}
            extra = {"duration": f.duration, **params} if phase == "start" else {}
            for c in f.clusters or ("",):
                self.recorder.row(self.clock(), "fault", c, "", phase=phase, fault=f.kind, **extra)
            if self.traffic is not None:
                self.traffic.client_partition(f, phase == "start")
            return
        if f.kind == "load-surge":
            key = str(f.params["workload"])
            if phase == "start":
                self.recorder.row(
                    self.clock(),
                    "fault",
                    "",
                    key,
                    phase="start",
                    fault=f.kind,
                    replicas=f.params["replicas"],
                )
                self.on_load(key, int(f.params["replicas"]))
            else:
                self.on_load(key, -1)
                self.recorder.row(self.clock(), "fault", "", key, phase="end", fault=f.kind)
            return
        if phase == "start":
            # a region's members go down together and come back together, as in the sim: one
            # thread per member, each stamped when its own mechanism acts (restarting members
            # one after another would end the last one's outage seconds late)
            done, failed = _each(f.clusters, lambda c: self._start_one(f, c))
            self.active[i] = done
        else:
            _, failed = _each(self.active.pop(i, []), lambda entry: self._end_one(f, *entry))
        if failed:
            raise failed[0]

    def _start_one(self, f: Fault, c: str) -> tuple[str, list[Any]]:
        params = dict(f.params)
        self.recorder.row(self.clock(), "fault", c, "", phase="start", fault=f.kind, **params)
        return c, self._inject(f, c)

    def _end_one(self, f: Fault, c: str, handles: list[Any]) -> None:
        for h in reversed(handles):
            self.members.injector.revert(h)
        if f.kind == "outage":
            self.truth.cluster_up(c)
        self.recorder.row(self.clock(), "fault", c, "", phase="end", fault=f.kind)

    def _inject(self, f: Fault, c: str) -> list[Any]:
        """Map one scenario fault on cluster `c` onto its real mechanism (see
        docs/real-clusters.md); returns what `_revert` needs to undo it."""
        from federation.kube.faults import Fault as RealFault

        inj = self.members.injector
        if inj is None:
            raise RuntimeError(f"members bound by context: cannot inject {f.kind}")
        p = f.params
        if f.kind == "flapping":
            # the kube flap is a link flap: the partition toggles; restarting a control plane
            # every few seconds is not something a real cluster can do
            t = threading.Thread(target=self._flap, args=(f, c), daemon=True)
            t.start()
            return []
        if f.kind == "outage":
            self.truth.cluster_down(c)  # its workloads are down with it
            real = RealFault("outage", c)
        elif f.kind == "api-hang":
            real = RealFault("hang", c)
        elif f.kind == "partition":
            real = RealFault("partition", c, (("mode", "blackhole"),))
        elif f.kind == "latency":
            real = RealFault(
                "latency",
                c,
                (
                    ("ms", int(float(p.get("latency", 0.2)) * 1000)),
                    ("jitter_ms", int(float(p.get("jitter", 0)) * 1000)),
                ),
            )
        elif f.kind == "node-loss":
            real = RealFault("node-loss", c, (("count", int(p.get("nodes", 1))),))
        else:
            raise ValueError(f"fault {f.kind} has no real mechanism")
        inj.inject(real)
        return [real]

    def _flap(self, f: Fault, c: str) -> None:
        inj = self.members.injector
        period, down = float(f.params.get("period", 10)), float(f.params.get("down", 3))
        end = f.end if f.end is not None else float("inf")
        from federation.kube.faults import Fault as RealFault

        cut = RealFault("partition", c, (("mode", "blackhole"),))
        while not self.stop.is_set() and self.clock() < end:
            inj.inject(cut)
            self.stop.wait(down)
            inj.revert(cut)
            if self.stop.wait(max(0.0, period - down)):
                return

    def close(self) -> None:
        self.stop.set()
        for i in list(self.active):
            for _, handles in self.active.pop(i):
                for h in reversed(handles):
                    try:
                        self.members.injector.revert(h)
                    except Exception as e:
                        self.errors.append(f"revert: {e}")


def _each(items: Sequence[T], act: Callable[[T], R]) -> tuple[list[R], list[Exception]]:
    """`act` on every item at once (one thread each; inline for one): the results of those that
    succeeded, in order, and the errors of the others."""
    results: list[tuple[int, R]] = []
    errors: list[Exception] = []

    def one(n: int, item: T) -> None:
        try:
            results.append((n, act(item)))
        except Exception as e:  # collected; the caller reports the first
            errors.append(e)

    if len(items) == 1:
        one(0, items[0])
    else:
        threads = [
            threading.Thread(target=one, args=(n, x), daemon=True) for n, x in enumerate(items)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return [r for _, r in sorted(results, key=lambda x: x[0])], errors
