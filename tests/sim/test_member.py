"""One member cluster alone: binding, start-up, Pending, scale-down, delete, node loss, outage."""

from __future__ import annotations

import pytest

from federation.core.model import Resources
from tests.sim.harness import STARTUP, Bench, apply, delete

A, B = "Deployment/default/a", "Deployment/default/b"
CPU1 = Resources(1.0, 0.0, 1)


def bench(**kw: object) -> Bench:
    return Bench("a", requests={A: CPU1, B: CPU1}, **kw)  # type: ignore[arg-type]


def test_replicas_become_ready_after_startup() -> None:
    b = bench()
    m = b.member()
    m.apply(apply("a", A, 3))
    assert m.ready(A) == 0 and m.pending_replicas(A) == 0
    b.run(STARTUP + 0.001)
    assert m.ready(A) == 3
    assert b.ready_rows(key=A) == [(STARTUP, 3)]


def test_pending_replicas_start_when_capacity_frees() -> None:
    b = bench()  # 8 cpu on 4 nodes
    m = b.member()
    m.apply(apply("a", A, 6))
    m.apply(apply("a", B, 4))  # 2 fit, 2 Pending
    assert m.pending_replicas(B) == 2
    b.run(10.0)
    assert (m.ready(A), m.ready(B)) == (6, 2)
    m.apply(apply("a", A, 4))  # frees 2 cpu at once
    assert m.ready(A) == 4
    b.run(10.0 + STARTUP / 2)
    assert m.pending_replicas(B) == 0 and m.ready(B) == 2  # bound, still starting
    b.run(10.0 + STARTUP + 0.001)
    assert m.ready(B) == 4
    assert b.ready_rows(key=B) == [(STARTUP, 2), (10.0 + STARTUP, 4)]


def test_scale_down_removes_pending_then_starting_then_ready() -> None:
    b = bench()
    m = b.member()
    m.apply(apply("a", A, 4))
    b.run(5.0)
    m.apply(apply("a", A, 12))  # 4 more bind (8 cpu), 4 Pending
    assert m.pending_replicas(A) == 4
    m.apply(apply("a", A, 6))  # drop 4 Pending, 2 starting
    assert m.pending_replicas(A) == 0 and m.ready(A) == 4
    b.run(5.0 + STARTUP + 0.001)
    assert m.ready(A) == 6
    m.apply(apply("a", A, 1))
    assert m.ready(A) == 1
    assert m.pool.free() == Resources(7.0, 0.0, 109)


def test_delete_frees_capacity_and_reports_removal() -> None:
    b = bench()
    m = b.member()
    m.apply(apply("a", A, 8))
    m.apply(apply("a", B, 2))
    b.run(5.0)
    m.delete(delete("a", A))
    b.run(5.0 + STARTUP + 0.001)
    assert m.ready(B) == 2 and A not in m.objects
    assert b.ready_rows(key=A) == [(STARTUP, 8), (5.0, 0)]
    assert any(A in d.removals for _, d in b.deltas)


def test_node_loss_drops_capacity_and_moves_replicas_to_pending() -> None:
    b = bench()  # 4 nodes x 2 cpu
    m = b.member()
    m.apply(apply("a", A, 8))
    b.run(5.0)
    gone = m.lose_nodes(1)
    assert len(gone) == 1
    assert m.ready(A) == 6 and m.pending_replicas(A) == 2  # nowhere to go
    pods_left = 110 - m.pool.allocatable[gone[0]][2] - 6
    assert m.pool.free() == Resources(0.0, 0.0, pods_left)
    capacity = [r for r in b.recorder.rows if r.kind == "capacity"]
    assert capacity[-1].fields["nodes"] == 3 and capacity[-1].fields["cpu"] == 6.0
    m.restore_nodes(gone)
    b.run(5.0 + 0.001)
    assert m.pending_replicas(A) == 0  # rebound on the node that came back
    b.run(5.0 + STARTUP + 0.001)
    assert m.ready(A) == 8


def test_node_loss_reschedules_within_the_cluster_when_there_is_room() -> None:
    b = bench()  # 4 nodes x 2 cpu
    m = b.member()
    m.apply(apply("a", A, 2))  # first-fit: both on node 0
    b.run(5.0)
    assert m.objects[A].placed == {0: 2}
    gone = m.lose_nodes(3)
    (survivor,) = sorted(set(range(4)) - set(gone))
    assert m.pending_replicas(A) == 0  # rebound at once (or never lost)
    assert m.objects[A].placed == {survivor: 2}
    b.run(5.0 + STARTUP + 0.001)
    assert m.ready(A) == 2


def test_outage_stops_workloads_and_restarts_them_after_recovery() -> None:
    b = bench()
    m = b.member()
    m.apply(apply("a", A, 3))
    b.run(5.0)
    m.outage_start()
    assert m.ready(A) == 0 and m.api_state() == "down"
    b.run(20.0)
    m.outage_end()
    assert m.ready(A) == 0 and m.objects[A].desired == 3  # persisted, restarting
    b.run(20.0 + STARTUP + 0.001)
    assert m.ready(A) == 3
    assert b.ready_rows(key=A) == [(STARTUP, 3), (5.0, 0), (20.0 + STARTUP, 3)]


def test_objects_without_pods_only_carry_their_hash() -> None:
    b = bench()
    m = b.member()
    m.apply(apply("a", "ConfigMap/default/cfg", None, digest="abc"))
    b.run(1.0)
    obs = m.objects["ConfigMap/default/cfg"].observed()
    assert (obs.hash, obs.replicas, obs.ready_replicas) == ("abc", None, None)
    assert b.ready_rows() == []


@pytest.mark.parametrize("nodes", [1, 3])
def test_free_is_allocatable_minus_requested(nodes: int) -> None:
    b = Bench("a", capacity=Resources(9.0, 9.0, 30), nodes=nodes, requests={A: CPU1})
    m = b.member()
    m.apply(apply("a", A, 5))
    free = m.pool.free()
    assert free is not None
    assert free.cpu == pytest.approx(4.0) and free.pods == 25
