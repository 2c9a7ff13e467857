"""The seven fault kinds, injected by the driver from a scenario."""

from __future__ import annotations

import pytest

from federation.api.scenario import Fault
from sim.driver import SimRun, run
from tests.sim.factory import clusters, deployment, scenario
from tests.sim.test_driver import WEB, probe_time, ready_at, rows


def simulate(*faults: Fault, duration: float = 200.0, **kw: object) -> SimRun:
    return run(scenario(faults=faults, duration=duration, **kw))  # type: ignore[arg-type]


def health(r: SimRun, cluster: str) -> list[tuple[float, str]]:
    return [(x.t, x.fields["to"]) for x in rows(r, "health", cluster)]


def test_partition_keeps_workloads_serving_while_probes_are_lost() -> None:
    r = simulate(Fault("partition", at=50.0, duration=60.0, clusters=("a",)))
    truth = [x for x in rows(r, "ready", "a") if 50.0 <= x.t < 110.0]
    assert truth == []  # nothing changed on the member: its replicas kept serving
    assert ready_at(r, "a", 109.0) == 2
    assert [s for _, s in health(r, "a")][:2] == ["Suspect", "Offline"]
    assert {x.fields["reason"] for x in rows(r, "health", "a")[:2]} == {"lost"}
    # meanwhile the federation failed over; once healed, the stale copy is deleted
    assert ready_at(r, "b", 109.0) + ready_at(r, "c", 109.0) == 6
    assert ready_at(r, "a", 199.0) == 0


def test_api_hang_times_probes_out_but_workloads_keep_serving() -> None:
    r = simulate(Fault("api-hang", at=50.0, duration=60.0, clusters=("a",)))
    reasons = {x.fields["reason"] for x in rows(r, "health", "a") if x.fields["to"] == "Suspect"}
    assert reasons == {"timeout"}
    assert [x for x in rows(r, "ready", "a") if 50.0 <= x.t < 110.0] == []


def test_outage_probes_are_refused() -> None:
    r = simulate(Fault("outage", at=50.0, duration=20.0, clusters=("a",)))
    first = rows(r, "health", "a")[0]
    probe = probe_time(25)  # the first probe after 50 s
    assert first.fields["reason"] == "refused" and probe < first.t < probe + 0.1


def test_flapping_produces_alternating_health() -> None:
    f = Fault(
        "flapping", at=20.0, duration=120.0, clusters=("a",), params={"period": 30, "down": 12}
    )
    r = simulate(f, duration=200.0)
    phases = [x.fields["phase"] for x in rows(r, "fault", "a")]
    assert phases == ["start"] + ["down", "up"] * 4 + ["end"]
    states = [s for _, s in health(r, "a")]
    offline = [i for i, s in enumerate(states) if s == "Offline"]
    assert len(offline) == 4  # once per flap ...
    for i in offline[:-1]:  # ... each followed by a recovery before the next
        assert "Recovering" in states[i + 1 : offline[offline.index(i) + 1]]
    # the first flap takes the replicas down (truth); the federation then moved them away
    assert next(x.t for x in rows(r, "ready", "a") if x.fields["ready"] == 0) == 20.0


def test_latency_fault_slows_probes_and_deltas() -> None:
    f = Fault("latency", at=50.0, duration=50.0, clusters=("b",), params={"latency": 0.3})
    r = simulate(f, duration=150.0)
    assert rows(r, "health") == []  # 0.6 s round trips stay under the 1 s probe timeout
    link = r.members["b"].link
    assert link.delay() == pytest.approx(0.005, abs=0.01)  # back to normal after the fault
    f2 = Fault("latency", at=50.0, duration=50.0, clusters=("b",), params={"latency": 0.6})
    r2 = simulate(f2, duration=150.0)
    assert [s for _, s in health(r2, "b")][:2] == ["Suspect", "Offline"]


def test_node_loss_drops_capacity_and_replicas_are_rescheduled() -> None:
    small = clusters("a", "b", "c", cpu=4.0, nodes=4)
    w = [deployment("web", 12, cpu=0.5)]  # 4 per cluster, first-fit on 2 nodes each
    f = Fault("node-loss", at=50.0, duration=50.0, clusters=("a",), params={"nodes": 3})
    r = simulate(f, duration=150.0, cluster_list=small, workloads=w)
    cap = [(x.t, x.fields["nodes"], x.fields["cpu"]) for x in rows(r, "capacity", "a")]
    assert cap == [(0.0, 4, 4.0), (50.0, 1, 1.0), (100.0, 4, 4.0)]
    # one node (1 cpu) holds 2 of the 4: the other 2 are Pending on a, then moved away by the
    # capacity-aware division or started on a when the nodes come back
    assert ready_at(r, "a", 51.0) <= 2
    total = sum(ready_at(r, c, 149.0) for c in "abc")
    assert total == 12


def test_load_surge_changes_desired_and_restores_it() -> None:
    f = Fault("load-surge", at=30.0, duration=60.0, params={"workload": "web", "replicas": 12})
    r = simulate(f, duration=150.0)
    desired = [(x.t, x.fields["replicas"]) for x in rows(r, "desired")]
    assert desired == [(0.0, 6), (30.0, 12), (90.0, 6)]
    assert sum(ready_at(r, c, 80.0) for c in "abc") == 12
    assert sum(ready_at(r, c, 149.0) for c in "abc") == 6
    (start, end) = rows(r, "fault")
    assert (start.workload, start.fields["phase"], end.fields["phase"]) == (WEB, "start", "end")


def test_fault_without_duration_lasts_to_the_end() -> None:
    r = simulate(Fault("outage", at=50.0, clusters=("a",)), duration=100.0)
    assert [x.fields["phase"] for x in rows(r, "fault")] == ["start"]
    assert r.members["a"].api_state() == "down"


def test_overlapping_outages_stack() -> None:
    r = simulate(
        Fault("outage", at=20.0, duration=40.0, clusters=("a",)),
        Fault("outage", at=40.0, duration=40.0, clusters=("a", "b")),
        duration=70.0,
    )
    assert r.members["a"].api_state() == "down" and r.members["b"].api_state() == "down"
    assert r.members["c"].api_state() == "up"
