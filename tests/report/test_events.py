"""Narrated events: what each row kind reads as, repeats collapsed as Kubernetes does, filters,
expectation verdicts; on hand-written rows and on the timeline of real runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.recorder import Row, read_csv
from federation.report.events import Event, collapse, matching, narrate

ROOT = Path(__file__).resolve().parents[2]
WEB, WORKER = "Deployment/shop/web", "Deployment/shop/worker"
TAINT = "taint kfed.io/unreachable:NoExecute"


def outage_rows() -> list[Row]:
    return [
        Row(0, "desired", "", WEB, {"replicas": 9}),
        Row(0, "capacity", "m2", "", {"nodes": 2, "cpu": 32.0, "pods": 110}),
        Row(
            0, "schedule", "", WEB, {"assignment": {"m1": 3, "m2": 3, "m3": 3}, "unschedulable": 0}
        ),
        Row(0, "apply", "m1", WEB, {"replicas": 3, "reason": "create"}),
        *(Row(0.2, "ready", c, WEB, {"ready": 3, "desired": 3}) for c in ("m1", "m2", "m3")),
        Row(60, "fault", "m2", "", {"fault": "outage", "phase": "start", "duration": 120.0}),
        Row(60, "ready", "m2", WEB, {"ready": 0, "desired": 3}),
        Row(60.5, "health", "m2", "", {"from": "Ready", "to": "Suspect", "reason": "refused"}),
        Row(64.5, "health", "m2", "", {"from": "Suspect", "to": "Offline", "reason": "refused"}),
        Row(64.52, "evict", "m2", WEB, {"reason": TAINT, "replicas": 3, "purge": "Graceful"}),
        Row(64.52, "schedule", "", WEB, {"assignment": {"m1": 5, "m3": 4}, "unschedulable": 0}),
        Row(64.9, "ready", "m1", WEB, {"ready": 5, "desired": 5}),
        Row(65.0, "ready", "m3", WEB, {"ready": 4, "desired": 4}),
        Row(65.0, "purge", "m2", WEB, {"reason": TAINT, "why": "replacements ready"}),
        Row(
            121.3, "pending", "usw2-a", WORKER, {"pending": 1, "reason": "no node with 2 CPU free"}
        ),
        Row(150, "reschedule", "usw2-a", WORKER, {"replicas": 1, "reason": "Pending for 60 s"}),
        Row(150, "pending", "usw2-a", WORKER, {"pending": 0, "reason": ""}),
        Row(160, "capacity", "m2", "", {"nodes": 1, "cpu": 16.0, "pods": 55}),
        Row(180, "fault", "m2", "", {"fault": "outage", "phase": "end"}),
        Row(180.5, "health", "m2", "", {"from": "Offline", "to": "Recovering", "reason": ""}),
        Row(184.5, "health", "m2", "", {"from": "Recovering", "to": "Ready", "reason": ""}),
        Row(214.5, "failback", "m2", WEB, {"evicted_at": 64.52}),
        Row(214.5, "readmit", "m3", WEB, {"evicted_at": 64.52}),
        Row(215, "surprise", "m2", WEB, {"b": 2, "a": "x"}),
    ]


def lines(events: list[Event]) -> list[str]:
    return [f"{e.t:.1f} {e.type} {e.reason} {e.object} {e.message}" for e in events]


def test_each_row_kind_reads_as_an_event_in_time_order() -> None:
    assert lines(narrate(outage_rows())) == [
        "0.0 Normal Scheduled Deployment/shop/web m1=3 m2=3 m3=3",
        "0.2 Normal Available Deployment/shop/web 9/9 ready (m1=3 m2=3 m3=3)",
        "60.0 Warning FaultInjected cluster/m2 outage began for 120 s",
        "60.0 Warning Degraded Deployment/shop/web 6/9 ready (m1=3 m2=0 m3=3)",
        "60.5 Warning ProbeFailed cluster/m2 probe failed (refused); Suspect",
        "64.5 Warning ClusterOffline cluster/m2 probes failed over 4.0 s since 60.5 s (refused)",
        f"64.5 Normal Evicted Deployment/shop/web left m2: {TAINT} (3 replicas, Graceful)",
        "64.5 Normal Scheduled Deployment/shop/web m1=5 m3=4",
        "65.0 Normal Available Deployment/shop/web 9/9 ready (m1=5 m3=4)",
        f"65.0 Normal Purged Deployment/shop/web old copy on m2 released: replacements ready "
        f"({TAINT})",
        "121.3 Warning Pending Deployment/shop/worker 1 replica Pending on usw2-a: "
        "no node with 2 CPU free",
        "150.0 Normal Rescheduled Deployment/shop/worker 1 replica Pending on usw2-a moved "
        "elsewhere: Pending for 60 s",
        "150.0 Normal PendingResolved Deployment/shop/worker no replica Pending on usw2-a",
        "160.0 Warning CapacityLost cluster/m2 nodes 2 -> 1, cpu 32 -> 16, pods 110 -> 55",
        "180.0 Normal FaultCleared cluster/m2 outage ended",
        "180.5 Normal ClusterRecovering cluster/m2 probe answered after 116.0 s Offline; "
        "Recovering",
        "184.5 Normal ClusterReady cluster/m2 probes answered for 4.0 s; Ready",
        "214.5 Normal FailedBack Deployment/shop/web back on m2 (evicted at 64.5 s)",
        "214.5 Normal Readmitted Deployment/shop/web m3 may take replicas again "
        "(evicted at 64.5 s)",
        "215.0 Normal Surprise Deployment/shop/web a=x b=2",
    ]


def test_probe_counts_fault_parameters_and_unschedulable_replicas_when_recorded() -> None:
    rows = [
        Row(1, "health", "m1", "", {"from": "Ready", "to": "Suspect", "reason": "timeout"}),
        Row(
            5,
            "health",
            "m1",
            "",
            {"from": "Suspect", "to": "Offline", "reason": "timeout", "failures": 3},
        ),
        Row(
            6,
            "fault",
            "",
            WEB,
            {"fault": "load-surge", "phase": "start", "replicas": 36, "duration": 60.0},
        ),
        Row(
            7,
            "fault",
            "m2",
            "",
            {"fault": "latency", "phase": "start", "latency": 0.4, "jitter": 0.1},
        ),
        Row(8, "schedule", "", WEB, {"assignment": {"m1": 4}, "unschedulable": 2}),
        Row(9, "schedule", "", WEB, {"assignment": {}, "unschedulable": 0}),
        Row(10, "unschedulable", "", WEB, {"replicas": 1, "reason": "no cluster fits"}),
        Row(11, "desired", "", WEB, {"replicas": 4}),
        Row(12, "desired", "", WEB, {"replicas": 8, "clusters": {"m1": 8}}),
    ]
    assert lines(narrate(rows)) == [
        "1.0 Warning ProbeFailed cluster/m1 probe failed (timeout); Suspect",
        "5.0 Warning ClusterOffline cluster/m1 3 probes failed over 4.0 s since 1.0 s (timeout)",
        "6.0 Warning FaultInjected Deployment/shop/web load-surge began for 60 s (→ 36 replicas)",
        "7.0 Warning FaultInjected cluster/m2 latency began (+400 ms ± 100 ms)",
        "8.0 Normal Scheduled Deployment/shop/web m1=4",
        "8.0 Warning FailedScheduling Deployment/shop/web 2 replicas fit on no cluster",
        "9.0 Warning FailedScheduling Deployment/shop/web no cluster selected",
        "10.0 Warning FailedScheduling Deployment/shop/web 1 replica unschedulable: "
        "no cluster fits",
        "12.0 Normal DesiredChanged Deployment/shop/web desired 4 -> 8",
    ]


def flaps(n: int) -> list[Row]:
    rows = []
    for i in range(n):
        t = 60 + 8 * i
        rows += [
            Row(t, "fault", "m1", "", {"fault": "flapping", "phase": "down"}),
            Row(
                t + 0.5, "health", "m1", "", {"from": "Ready", "to": "Suspect", "reason": "refused"}
            ),
            Row(t + 2, "fault", "m1", "", {"fault": "flapping", "phase": "up"}),
            Row(t + 2.5, "health", "m1", "", {"from": "Suspect", "to": "Ready", "reason": ""}),
        ]
    return rows


def test_repeats_collapse_with_count_first_and_last_seen_ordered_by_last_seen() -> None:
    events = collapse(narrate(flaps(3)))
    got = [(e.reason, e.count, e.t, e.last_seen) for e in events]
    assert got == [
        ("FaultDown", 3, 60, 76),
        ("ProbeFailed", 3, 60.5, 76.5),
        ("FaultUp", 3, 62, 78),
        ("ProbeSucceeded", 3, 62.5, 78.5),
    ]
    assert events[1].record() == {
        "t": 60.5,
        "type": "Warning",
        "reason": "ProbeFailed",
        "object": "cluster/m1",
        "message": "probe failed (refused); Suspect",
        "source": "kfed-core",
        "count": 3,
        "last": 76.5,
        "cluster": "m1",
        "workload": "",
    }


def test_a_different_message_in_between_keeps_events_apart_and_in_order() -> None:
    rows = [
        Row(t, "schedule", "", WEB, {"assignment": a, "unschedulable": 0})
        for t, a in ((0, {"m1": 3, "m2": 3}), (64, {"m1": 6}), (200, {"m1": 3, "m2": 3}))
    ]
    assert [(e.t, e.message, e.count) for e in collapse(narrate(rows))] == [
        (0, "m1=3 m2=3", 1),
        (64, "m1=6", 1),
        (200, "m1=3 m2=3", 1),
    ]


def test_filters_by_time_workload_cluster_type_and_hidden_objects() -> None:
    events = narrate(outage_rows())
    assert {e.object for e in matching(events, workload=WORKER)} == {WORKER}
    assert all(60 <= e.t <= 70 for e in matching(events, since=60, until=70))
    warnings = matching(events, type="warning")
    assert warnings and {e.type for e in warnings} == {"Warning"}
    on_m1 = matching(events, cluster="m1")
    assert [e.reason for e in on_m1] == [
        "Scheduled",
        "Available",
        "Degraded",
        "Scheduled",
        "Available",
    ], "schedules and states placing m1"
    assert not matching(events, hide={WEB, WORKER, "cluster/m2", "cluster/m3", "federation"})


def test_with_the_summary_each_expectation_ends_the_story() -> None:
    summary = {
        "scenario": "s",
        "simulated_seconds": 300.0,
        "expectations": [
            {"description": "availability of web >= 0.9", "value": 0.95, "passed": True},
            {"description": "no eviction", "value": 2, "passed": False, "reason": "m2 evicted"},
        ],
    }
    got = lines(narrate([], summary))
    assert got == [
        "300.0 Normal ExpectationMet scenario/s availability of web >= 0.9: 0.95",
        "300.0 Warning ExpectationFailed scenario/s no eviction: 2 (m2 evicted)",
    ]


@pytest.mark.parametrize("name", ["flapping-cluster", "cluster-outage"])
def test_the_timeline_of_a_real_run_reads_as_its_story(name: str, tmp_path: Path) -> None:
    import json

    from federation.api import load_scenario
    from federation.runner import execute

    execute(load_scenario(ROOT / f"scenarios/{name}.yaml"), "sim", out_dir=tmp_path, plots=False)
    rows = read_csv(tmp_path / "timeline.csv")
    summary = json.loads((tmp_path / "summary.json").read_text())
    events = collapse(narrate(rows, summary))
    by_reason: dict[str, list[Event]] = {}
    for e in events:
        by_reason.setdefault(e.reason, []).append(e)
    suspects = sum(1 for r in rows if r.kind == "health" and r.fields.get("to") == "Suspect")
    assert sum(e.count for e in by_reason["ProbeFailed"]) == suspects
    assert len(by_reason["ExpectationMet"]) == len(summary["expectations"])
    if name == "flapping-cluster":
        (flap,) = by_reason["FaultDown"]
        assert flap.count == 15 and (flap.t, flap.last_seen) == (60, 172)
        assert "ClusterOffline" not in by_reason and "Evicted" not in by_reason
    else:
        (offline,) = by_reason["ClusterOffline"]
        assert offline.t == summary["failovers"][0]["detected_at"]
        assert any(e.object == WEB and "3 replicas" in e.message for e in by_reason["Evicted"])
        assert [e.t for e in events] == sorted(e.t for e in events), "a single story line"


def test_autoscaler_decisions_read_as_rescales_and_cron_rules_as_fired() -> None:
    fed = {"hpa": "shop/web", "current": 10, "ready_pods": 6, "calibration": 0.6}
    rows = [
        Row(15, "autoscale", "", "Deployment/shop/web", {**fed, "desired": 10, "utilization": 70}),
        Row(30, "autoscale", "", "Deployment/shop/web", {**fed, "desired": 17, "utilization": 105}),
        Row(45, "autoscale", "m1", "Deployment/shop/web", {"hpa": "shop/web", "current": 4,
                                                           "desired": 6, "utilization": 90}),
        Row(60, "cron", "", "Deployment/shop/web",
            {"cron": "shop/nightly", "rule": "night", "schedule": "0 22 * * *", "replicas": 3}),
    ]  # fmt: skip
    assert lines(narrate(rows)) == [
        # an evaluation that keeps the count is not an event
        "30.0 Normal SuccessfulRescale Deployment/shop/web FederatedHPA shop/web: new size 17 "
        "(was 10); utilization 105% of request, 6 ready pods, calibration 0.60",
        "45.0 Normal SuccessfulRescale Deployment/shop/web m1's own HPA shop/web: new size 6 "
        "(was 4); utilization 90% of request",
        "60.0 Normal CronRuleFired Deployment/shop/web rule night (0 22 * * *) of shop/nightly: "
        "replicas 3",
    ]
