"""The fault timeline's scheduling on real clusters: a region's members are faulted and restored
together, each stamped on its own, and a member that fails to restore does not hold back the
others. The mechanisms themselves are tested on real members in test_backend.py; here an
injector that records calls stands in for them, because what is tested is the timing."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from federation.api import load_scenario
from federation.kube.fault_schedule import FaultRunner, _each
from federation.kube.fleet import Members
from federation.recorder import Recorder

REGION = Path(__file__).resolve().parents[2] / "scenarios" / "region-outage.yaml"


class Truth:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def cluster_down(self, c: str) -> None:
        self.events.append(("down", c))

    def cluster_up(self, c: str) -> None:
        self.events.append(("up", c))


class Injector:
    """Each revert waits at a barrier for every member of the fault: it returns only when all
    reverts run at the same time, so a one-after-another revert times out."""

    def __init__(self, parties: int, broken: str = "") -> None:
        self.barrier = threading.Barrier(parties, timeout=5)
        self.broken = broken
        self.calls: list[tuple[str, str]] = []

    def inject(self, fault: Any) -> None:
        self.calls.append(("inject", fault.member))

    def revert(self, fault: Any) -> None:
        self.barrier.wait()
        self.calls.append(("revert", fault.member))
        if fault.member == self.broken:
            raise RuntimeError(f"{fault.member} did not come back")


def _runner(injector: Injector) -> tuple[FaultRunner, Recorder, Truth]:
    sc = load_scenario(REGION)
    (fault,) = sc.faults
    assert len(fault.clusters) == 2
    sc = replace(sc, faults=(fault,))
    rec, truth = Recorder(), Truth()
    members = Members(handles={}, injector=injector)
    runner = FaultRunner(sc, members, rec, lambda: 0.0, lambda k, n: None, truth)  # type: ignore[arg-type]
    return runner, rec, truth


def test_a_region_goes_down_and_comes_back_together() -> None:
    injector = Injector(parties=2)
    runner, rec, truth = _runner(injector)
    (fault,) = runner.steps[0][3:]
    runner._step(0, "start", fault)
    runner._step(0, "end", fault)
    assert sorted(injector.calls) == sorted(
        [("inject", c) for c in fault.clusters] + [("revert", c) for c in fault.clusters]
    )
    ends = [(r.cluster, r.fields["phase"]) for r in rec.rows if r.kind == "fault"]
    assert sorted(ends) == sorted((c, p) for c in fault.clusters for p in ("start", "end"))
    assert sorted(truth.events) == sorted((e, c) for c in fault.clusters for e in ("down", "up"))
    assert runner.active == {}


def test_one_member_failing_to_come_back_does_not_hold_back_the_other() -> None:
    injector = Injector(parties=2, broken="eu-1")
    runner, rec, truth = _runner(injector)
    (fault,) = runner.steps[0][3:]
    runner._step(0, "start", fault)
    with pytest.raises(RuntimeError, match="eu-1 did not come back"):
        runner._step(0, "end", fault)
    ended = [r.cluster for r in rec.rows if r.kind == "fault" and r.fields["phase"] == "end"]
    assert ended == ["eu-2"]
    assert ("up", "eu-2") in truth.events and ("up", "eu-1") not in truth.events


def test_each_keeps_order_and_collects_errors() -> None:
    def act(x: int) -> int:
        if x == 2:
            raise ValueError("two")
        return x * 10

    done, failed = _each([1, 2, 3], act)
    assert done == [10, 30]
    assert [str(e) for e in failed] == ["two"]
    assert _each([], act) == ([], [])
