"""The shared control loop: one write in flight per object, resent only after an answer, a
failure or a timeout; probes on schedule; deltas make workloads dirty."""

from __future__ import annotations

from collections.abc import Sequence

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
from federation.recorder import Recorder
from federation.runtime import ControlLoop, Delta


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
