"""The shared control loop: one write in flight per object, resent only after an answer, a
failure or a timeout; probes on schedule; deltas make workloads dirty."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from federation.core.actions import Action, Apply
from federation.core.desired import DesiredState
from federation.core.model import (
    Cluster,
    ObservedObject,
    Placement,
    ProbeResult,
    PropagationPolicy,
    ReplicaScheduling,
    Resources,
    ResourceSelector,
    Workload,
)
from federation.observed import Delta
from federation.recorder import Recorder
from federation.runtime import ControlLoop


class SilentMembers:
    """A gateway whose members never answer unless the test says so."""

    def __init__(self) -> None:
        self.sent: list[Action] = []
        self.probed: list[tuple[float, tuple[str, ...]]] = []
        self.inbox: list[Delta] = []

    def probe(self, clusters: Sequence[str], now: float, timeout: float) -> None:
        self.probed.append((now, tuple(clusters)))

    def observe(self, now: float) -> tuple[Sequence[ProbeResult], Sequence[Delta]]:
        out, self.inbox = self.inbox, []
        return (), out

    def apply(self, actions: Sequence[Action], now: float) -> None:
        self.sent.extend(actions)


def loop() -> tuple[ControlLoop, SilentMembers]:
    w = Workload(
        "apps/v1",
        "Deployment",
        "web",
        "default",
        {},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 4},
        },
        4,
        Resources(0.1, 0, 1),
    )
    p = PropagationPolicy(
        "p",
        "default",
        0,
        (ResourceSelector(kind="Deployment"),),
        Placement(replicas=ReplicaScheduling()),
    )
    d = DesiredState.build([Cluster("a"), Cluster("b")], [p], [], [w])
    gw = SilentMembers()
    return ControlLoop(d, gw, Recorder(), resync_period=1000, inflight_timeout=10), gw


def dirty(cl: ControlLoop) -> None:
    cl.update_desired(cl.desired, ["Deployment/default/web"])


def test_a_write_in_flight_is_not_sent_twice() -> None:
    cl, gw = loop()
    cl.cycle(0.0)
    assert sorted(a.cluster for a in gw.sent) == ["a", "b"]
    # something makes the workload dirty again before the members answered
    dirty(cl)
    cl.cycle(1.0)
    assert len(gw.sent) == 2 and cl.suppressed == 2
    recorded = [r for r in cl.recorder.rows if r.kind == "apply"]
    assert len(recorded) == 2  # the timeline shows what was sent


def test_an_answer_or_a_failure_or_a_timeout_lets_it_go_again() -> None:
    cl, gw = loop()
    cl.cycle(0.0)
    first = {a.cluster: a for a in gw.sent if isinstance(a, Apply)}
    # a answers with what we sent; b's write failed
    gw.inbox.append(
        Delta(
            "a",
            upserts={
                "Deployment/default/web": ObservedObject(
                    "Deployment/default/web", first["a"].hash, 2, 2, 2
                )
            },
        )
    )
    gw.inbox.append(Delta("b", touched=("Deployment/default/web",)))
    cl.cycle(1.0)
    assert [a.cluster for a in gw.sent[2:]] == ["b"]  # a is done, b is retried
    dirty(cl)
    cl.cycle(5.0)
    assert len(gw.sent) == 3  # b's retry is in flight
    dirty(cl)
    cl.cycle(12.0)
    assert [a.cluster for a in gw.sent[3:]] == ["b"]  # no answer in 10 s: sent again


def test_probes_follow_the_probe_period_a_quarter_period_off_whole_seconds() -> None:
    cl, gw = loop()
    t = 0.0
    for _ in range(6):
        t = cl.cycle(t)
    assert [p[0] for p in gw.probed] == [0.5, 2.5, 4.5, 6.5, 8.5]
    assert all(p[1] == ("a", "b") for p in gw.probed)


def test_a_late_cycle_does_not_shift_later_probes() -> None:
    cl, gw = loop()
    for t in (0.0, 0.5, 2.9, 4.5, 6.5):  # the probe due at 2.5 goes out late, at 2.9
        cl.cycle(t)
    assert [p[0] for p in gw.probed] == [0.5, 2.9, 4.5, 6.5]
    cl.cycle(20.0)  # more than a period late: the schedule starts again from now
    assert cl.cycle(20.0) == 22.0


class QuietMembers(SilentMembers):
    """Members whose probes are certain to succeed until `quiet[cluster]`."""

    def __init__(self, quiet: dict[str, float]) -> None:
        super().__init__()
        self.quiet = quiet
        self.asked: list[tuple[str, float, float]] = []
        self.results: list[ProbeResult] = []

    def quiet_until(self, cluster: str, now: float, timeout: float) -> float:
        self.asked.append((cluster, now, timeout))
        return self.quiet.get(cluster, now)

    def observe(self, now: float) -> tuple[Sequence[ProbeResult], Sequence[Delta]]:
        out, self.results = self.results, []
        return out, super().observe(now)[1]


def quiet_loop(quiet: dict[str, float], **options: Any) -> tuple[ControlLoop, QuietMembers]:
    cl, _ = loop()
    gw = QuietMembers(quiet)
    return ControlLoop(cl.desired, gw, Recorder(), resync_period=1000, **options), gw


def answer(gw: QuietMembers, now: float) -> None:
    """Every probe sent so far answers ok at `now`."""
    for _, clusters in gw.probed:
        gw.results.extend(ProbeResult(c, now, True, 0.01) for c in clusters)
    gw.probed.clear()


def test_certain_probes_are_left_out_up_to_the_first_that_is_not() -> None:
    cl, gw = quiet_loop({"a": 9.3, "b": math.inf}, cycle_lag=0.02)
    assert cl.cycle(0.0) == 0.5
    # a: 0.5 ... 8.5 are certain when sent up to 0.02 s late; 10.5 is not
    assert cl.cycle(0.5) == 10.5 and gw.probed == []
    assert gw.asked == [("a", 0.5, 1.0), ("b", 0.5, 1.0)]
    assert cl.probes_left_out(10.5) == 5 + 5 and cl.probes_left_out(100.0) == 5 + 50
    assert cl.cycle(10.5) == 12.5 and gw.probed == [(10.5, ("a",))]
    # the answer comes back: nothing awaited, still not certain after 9.3
    answer(gw, 10.6)
    cl.cycle(10.6)
    assert cl.cycle(12.5) == 14.5 and gw.probed[-1] == (12.5, ("a",))


def test_a_probe_due_just_under_the_promise_is_sent_when_it_could_go_late() -> None:
    cl, gw = quiet_loop({"a": 8.51, "b": 0.0}, cycle_lag=0.02)
    cl.cycle(0.0)
    cl.cycle(0.5)  # b is never certain; a's 0.5 ... 6.5 are left out, 8.5 is not (8.52 > 8.51)
    assert gw.probed == [(0.5, ("b",))]
    assert cl.cycle(2.5) == 2.5 + 2.0 and [c for _, c in gw.probed] == [("b",), ("b",)]
    for t in (4.5, 6.5):
        cl.cycle(t)
    assert cl.cycle(8.5) == 10.5 and gw.probed[-1] == (8.5, ("a", "b"))


def test_nothing_is_left_out_while_a_result_is_awaited_or_health_is_not_steady() -> None:
    cl, gw = quiet_loop({}, cycle_lag=0.02)
    cl.cycle(0.0)
    cl.cycle(0.5)
    assert gw.probed == [(0.5, ("a", "b"))]
    gw.quiet = {"a": math.inf, "b": math.inf}
    gw.probed.clear()
    cl.cycle(2.5)  # neither answered the probe at 0.5 yet
    assert gw.probed == [(2.5, ("a", "b"))]
    # a fails both probes: Suspect, so its next probe is sent; b's answers come back ok
    gw.results += [ProbeResult("a", 3.0, False, 1.0, "timeout") for _ in range(2)]
    gw.results += [ProbeResult("b", 3.0, True, 0.01) for _ in range(2)]
    gw.probed.clear()
    cl.cycle(4.5)
    assert cl.state.health["a"].state.value == "Suspect"
    assert gw.probed == [(4.5, ("a",))] and cl.probes_left_out(100.0) == 48


def test_the_switch_and_a_gateway_without_promises_send_every_probe() -> None:
    for cl, gw in (quiet_loop({"a": math.inf}, skip_certain_probes=False), loop()):
        t = 0.0
        for _ in range(6):
            t = cl.cycle(t)
        assert [p[0] for p in gw.probed] == [0.5, 2.5, 4.5, 6.5, 8.5]
        assert cl.probes_left_out(100.0) == 0 and cl.probes_sent == 10


def test_probes_after_a_run_left_out_are_due_on_the_same_clock() -> None:
    """origin + k x period, multiplied: the times a loop sending every probe would use."""
    cl, gw = quiet_loop({"a": 1000.3, "b": 0.0}, cycle_lag=0.0)
    t = 0.0
    while t < 1003.0:
        t = cl.cycle(t)
    a_times = [now for now, clusters in gw.probed if "a" in clusters]
    assert a_times[:2] == [0.5 + 500 * 2.0, 0.5 + 501 * 2.0]
    b_times = [now for now, clusters in gw.probed if "b" in clusters]
    assert b_times[500] == a_times[0]
