"""End to end: the sim driver with the real ControlLoop and core."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from federation.api.scenario import Fault, Link
from federation.recorder import Row
from sim.driver import SimRun, run
from sim.gateway import APPLY_TIMEOUT, RETRY_BASE
from tests.sim.factory import clusters, deployment, scenario

WEB = "Deployment/default/web"
ROOT = Path(__file__).resolve().parents[2]


def ready_at(r: SimRun, cluster: str, t: float, key: str = WEB) -> int:
    """Truth: ready replicas of `key` on `cluster` at time t, from the ready rows."""
    n = 0
    for row in r.recorder.rows:
        if row.kind == "ready" and row.cluster == cluster and row.workload == key and row.t <= t:
            n = row.fields["ready"]
    return n


def rows(r: SimRun, kind: str, cluster: str | None = None) -> list[Row]:
    return [
        x for x in r.recorder.rows if x.kind == kind and (cluster is None or x.cluster == cluster)
    ]


def outage(failback: bool) -> SimRun:
    f = Fault("outage", at=60.0, duration=120.0, clusters=("a",))
    return run(scenario(faults=(f,), failback=failback, duration=400.0))


def test_initial_placement_becomes_ready_and_records_desired() -> None:
    r = run(scenario(duration=30.0))
    assert [ready_at(r, c, 30.0) for c in "abc"] == [2, 2, 2]
    (d,) = rows(r, "desired")
    assert (d.t, d.workload, d.fields["replicas"]) == (0.0, WEB, 6)
    assert d.fields["clusters"] == {"a": 2, "b": 2, "c": 2} and not d.fields["duplicated"]
    assert len(rows(r, "capacity")) == 3
    assert r.events > 0 and r.simulated_seconds == 30.0 and r.wall_seconds > 0


def test_outage_fails_over_to_the_survivors() -> None:
    r = outage(failback=False)
    assert ready_at(r, "a", 60.0) == 0  # truth: the cluster's workloads are down
    (ev,) = rows(r, "evict", "a")
    assert 60.0 < ev.t < 70.0
    assert ready_at(r, "b", ev.t + 10) + ready_at(r, "c", ev.t + 10) == 6
    starts = [x.fields["phase"] for x in rows(r, "fault", "a")]
    assert starts == ["start", "end"]
    # after recovery the old copy is deleted, nothing comes back without failback
    assert [ready_at(r, c, 399.0) for c in "abc"] == [0, 3, 3]
    assert r.loop.statuses[WEB].assignment == {"b": 3, "c": 3}


def test_outage_with_failback_comes_back() -> None:
    r = outage(failback=True)
    assert ready_at(r, "b", 150.0) + ready_at(r, "c", 150.0) == 6
    (fb,) = rows(r, "failback", "a")
    assert fb.t > 180.0
    assert [ready_at(r, c, 399.0) for c in "abc"] == [2, 2, 2]
    assert r.loop.statuses[WEB].ready == 6


def probe_time(k: int) -> float:
    """When the control loop sends its k-th probe (from 0): a fixed rate a quarter period
    off the whole seconds (federation.probe_schedule)."""
    period = scenario().health.probe_period
    return period / 4 + k * period


def test_a_single_lost_probe_evicts_nothing() -> None:
    # a 0.3 s partition around the fifth probe loses exactly that probe
    f = Fault("partition", at=probe_time(5) - 0.1, duration=0.3, clusters=("a",))
    r = run(scenario(faults=(f,), duration=60.0))
    health = [(x.fields["from"], x.fields["to"]) for x in rows(r, "health", "a")]
    assert health == [("Ready", "Suspect"), ("Suspect", "Ready")]
    assert rows(r, "evict") == [] and len(rows(r, "schedule")) == 1


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    faults = (
        Fault("outage", at=30.0, duration=40.0, clusters=("a",)),
        Fault(
            "latency",
            at=10.0,
            duration=50.0,
            clusters=("b",),
            params={"latency": 0.2, "jitter": 0.05},
        ),
    )
    link = Link(latency=0.02, jitter=0.01, loss=0.05)
    paths = []
    for i, seed in enumerate((1, 1, 2)):
        r = run(scenario(faults=faults, duration=150.0, seed=seed, link=link, failback=True))
        paths.append(tmp_path / f"{i}.csv")
        r.recorder.write_csv(paths[-1])
    a, b, c = (p.read_bytes() for p in paths)
    assert a == b
    assert a != c


SCRIPT = """
import sys
from federation.api.scenario import Fault, Link
from sim.driver import run
from tests.sim.factory import scenario, deployment
f = (Fault("node-loss", at=20.0, duration=30.0, clusters=("b",), params={"nodes": 2}),
     Fault("flapping", at=40.0, duration=60.0, clusters=("a",), params={"period": 20, "down": 8}))
w = [deployment(f"w{i}", 1 + i % 4) for i in range(12)]
r = run(scenario(workloads=w, faults=f, duration=120.0, link=Link(0.01, 0.005, 0.02)))
r.recorder.write_csv(__import__("pathlib").Path(sys.argv[1]))
"""


def test_identical_across_processes_with_different_hash_seeds(tmp_path: Path) -> None:
    out = []
    for hash_seed in ("1", "2"):
        path = tmp_path / f"run{hash_seed}.csv"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-c", SCRIPT, str(path)], check=True, env=env, cwd=ROOT)
        out.append(path.read_bytes())
    assert out[0] == out[1] and len(out[0]) > 1000


def test_cost_grows_with_events_not_with_idle_seconds() -> None:
    def extra_events(n_workloads: int) -> int:
        w = [deployment(f"w{i}", 3) for i in range(n_workloads)]
        short = run(scenario(workloads=w, duration=500.0))
        long = run(scenario(workloads=w, duration=1500.0))
        return long.events - short.events

    few, many = extra_events(1), extra_events(40)
    # idle time costs the probes and the periodic resync, not anything per workload or pod
    assert many == pytest.approx(few, rel=0.05)


def test_a_failed_write_is_retried_without_waiting_for_the_resync() -> None:
    # one cluster whose API hangs between two probes (so its health never changes) just as the
    # load doubles: the write is lost. When the hang ends the member's watch relists, which
    # shows the write never landed: the loop writes again at once, long before the client's
    # timeout and back-off (and the resync) would have
    hang = probe_time(15) + 0.1  # the next probe comes 2 s later, after the hang
    faults = (
        Fault("api-hang", at=hang, duration=1.8, clusters=("a",)),
        Fault("load-surge", at=hang + 0.1, params={"workload": WEB, "replicas": 9}),
    )
    r = run(scenario(cluster_list=clusters("a"), faults=faults, duration=60.0))
    assert rows(r, "health") == [] and r.gateway.actions_failed == 1
    writes = [x.t for x in rows(r, "apply", "a") if x.fields["replicas"] == 9]
    backoff = hang + 0.1 + APPLY_TIMEOUT + RETRY_BASE
    assert len(writes) == 2 and writes[0] == pytest.approx(hang + 0.1)
    assert hang + 1.8 < writes[1] < hang + 1.8 + 0.2 < backoff
    assert ready_at(r, "a", writes[1]) == 6 and ready_at(r, "a", 59.0) == 9


def test_sample_period_adds_periodic_truth_rows() -> None:
    sc = scenario(duration=35.0)
    sc = replace(sc, sim=replace(sc.sim, sample_period=10.0))
    r = run(sc)
    sampled = [x.t for x in rows(r, "ready", "a") if x.t in (10.0, 20.0, 30.0)]
    assert sampled == [10.0, 20.0, 30.0]


def test_progress_is_reported() -> None:
    seen: list[tuple[float, float]] = []
    run(scenario(duration=50.0), progress=lambda t, d: seen.append((t, d)))
    assert seen[-1] == (50.0, 50.0) and len(seen) == 50


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault("outage", at=1.0, clusters=("zz",)), "unknown clusters"),
        (Fault("partition", at=1.0), "no clusters"),
        (Fault("flapping", at=1.0, clusters=("a",), params={"period": 5}), "missing param 'down'"),
        (Fault("latency", at=1.0, clusters=("a",), params={"jitter": 1}), "param 'latency'"),
        (Fault("load-surge", at=1.0, params={"workload": "nope", "replicas": 2}), "nope"),
    ],
)
def test_bad_faults_are_rejected(fault: Fault, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run(scenario(faults=(fault,), duration=5.0))


def test_capacity_limits_divide_and_pending_shows_up() -> None:
    small = clusters("a", "b", cpu=2.0, nodes=2)
    r = run(scenario(cluster_list=small, workloads=[deployment("web", 10, cpu=0.5)], duration=30.0))
    assert ready_at(r, "a", 30.0) + ready_at(r, "b", 30.0) == 8
    assert r.loop.statuses[WEB].unschedulable == 2
