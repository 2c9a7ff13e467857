"""What a restarted controller reads back: a binding's spec is the core's memory of the workload
(assignment, graceful evictions, clusters evicted from, Pending clocks and caps, affinity group)
and a Cluster's Ready condition its health; election timings are checked without exiting;
metric names are controller-runtime's on /metrics and in the sim's timeline alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from federation.api import load_scenario
from federation.controller.binding import Clock, binding, cluster_status, restore, restore_health
from federation.controller.election import Timings
from federation.controller.metrics import PrometheusSink
from federation.core.actions import Condition, EvictionTask, WorkloadState, WorkloadStatus
from federation.core.health import ClusterHealth
from federation.core.model import Health, Workload
from federation.core.pending import Limit
from federation.telemetry import METRICS, LoopTelemetry
from sim.driver import run as sim_run

ROOT = Path(__file__).resolve().parents[2]


def test_binding_spec_round_trips_the_core_memory() -> None:
    clock = Clock(1_800_000_000.0)
    w = Workload("apps/v1", "Deployment", "web", "shop", replicas=6)
    state = WorkloadState(
        assignment={"m1": 3, "m3": 3},
        evictions={"m2": EvictionTask("m2", 2, "taint", "Graceful", 12.5, 612.5)},
        evicted_from={"m2": 12.5},
        pending_since={"m3": 40.0},
        limits={"m1": Limit(3, 2, 1), "m3": Limit(0, None, 4)},
        group="primary",
    )
    status = WorkloadStatus(
        w.key, 6, {"m1": 3, "m3": 3}, 6, 0, {}, {}, (Condition("Scheduled", True, "Scheduled"),)
    )
    tpl = {"metadata": {"name": "web", "namespace": "shop", "uid": "u1", "generation": 2}}
    doc, st = binding(w, tpl, status, state, clock, {}, {})
    assert doc["kind"] == "ResourceBinding" and doc["metadata"]["name"] == "web-deployment"
    assert doc["metadata"]["ownerReferences"][0]["uid"] == "u1"
    assert st["status"]["placement"] == "m1=3 m3=3"
    back = restore([doc], Clock(1_800_000_100.0))  # a controller started 100 s later
    got = back[w.key]
    assert got.assignment == {"m1": 3, "m3": 3}
    assert got.evicted_from["m2"] == pytest.approx(12.5 - 100, abs=1e-3)
    task = got.evictions["m2"]
    assert (task.replicas, task.reason, task.purge_mode) == (2, "taint", "Graceful")
    assert task.deadline == pytest.approx(612.5 - 100, abs=1e-3)
    # Pending replicas' clock and caps survive the restart: the 60 s threshold runs on from 40 s
    assert got.pending_since["m3"] == pytest.approx(40.0 - 100, abs=1e-3)
    assert got.limits == {"m1": Limit(3, 2, 1), "m3": Limit(0, None, 4)}
    assert got.group == "primary"
    # and nothing else: a workload with no such memory restores none
    bare = restore([binding(w, tpl, status, WorkloadState(), clock, {}, {})[0]], clock)[w.key]
    assert (bare.pending_since, bare.limits, bare.group) == ({}, {}, None)


def test_cluster_health_round_trips_through_the_ready_condition() -> None:
    clock = Clock(1_800_000_000.0)
    h = ClusterHealth(state=Health.OFFLINE, since=40.0, run_ok=False, run=3, last_probe=44.0)
    doc = cluster_status(
        "m2",
        (Condition("Ready", False, "Offline", "Offline since t=40s"),),
        h,
        clock,
        replicas=0,
        ready=0,
        workloads=0,
        nodes_ready=2,
        free=None,
    )
    assert doc["status"]["health"] == "Offline"
    back = restore_health(doc, Clock(1_800_000_010.0))
    assert back is not None and back.state is Health.OFFLINE
    assert back.since == pytest.approx(30.0, abs=1e-3)


@pytest.mark.parametrize(
    ("t", "ok"),
    [
        ((15, 10, 2), True),
        ((4, 3, 1), True),
        ((10, 10, 2), False),
        ((15, 2, 2), False),
        ((15, 10, 0), False),
    ],
)
def test_election_timings_are_validated_without_exiting(t: tuple[int, int, int], ok: bool) -> None:
    assert (Timings(*t).problems() == []) is ok
    assert Timings() == Timings(15, 10, 2)


def test_metric_names_are_the_same_on_metrics_and_in_the_sim_timeline() -> None:
    sink = PrometheusSink()
    text = sink.exposition().decode()
    served = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    assert set(METRICS) <= served
    assert "controller_runtime_reconcile_time_seconds" in served
    scenario = load_scenario(ROOT / "scenarios" / "cluster-outage.yaml")
    run = sim_run(scenario, metrics=True)
    rows = [r for r in run.recorder.rows if r.kind == "metric"]
    names = {r.fields["name"] for r in rows}
    assert {
        "controller_runtime_reconcile_total",
        "workqueue_adds_total",
        "kfed_failovers_total",
    } <= names
    assert names <= set(METRICS) | {f"{n}_count" for n in METRICS} | {f"{n}_sum" for n in METRICS}
    failovers = [r for r in rows if r.fields["name"] == "kfed_failovers_total"]
    assert failovers and all(r.fields["labels"] == {"cluster": "m2"} for r in failovers)
    # the same reconciles through a Prometheus sink count the same
    sink2 = PrometheusSink()
    total = [r for r in rows if r.fields["name"] == "controller_runtime_reconcile_total"]
    assert total
    telemetry = LoopTelemetry(sink2)
    assert telemetry.controller == "federation"
