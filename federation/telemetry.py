"""The control loop's metrics under the names controller dashboards already know
(controller-runtime's `controller_runtime_*`, the workqueue's `workqueue_*`) plus kfed's own
(`kfed_*`), written to any sink: Prometheus in controller mode, timeline rows (`metric`) in the
sim, so one dashboard reads both.

One loop cycle reconciles every queued workload at once: each workload reconciled counts as one
reconcile (`controller_runtime_reconcile_total`, result `requeue_after` when the core asked to
look again at a set time, else `success`), and the cycle's duration is one observation of
`controller_runtime_reconcile_time_seconds` and `workqueue_work_duration_seconds`. The queue is
the set of workload keys waiting for the next cycle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from federation.recorder import Recorder

# controller-runtime's reconcile buckets (5 ms .. 60 s) and the workqueue's (10 ns x 10^k)
RECONCILE_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8,
    0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30,
    40, 50, 60,
)  # fmt: skip
QUEUE_BUCKETS = tuple(1e-8 * 10**k for k in range(12))


@dataclass(frozen=True)
class Metric:
    name: str
    type: str  # counter | gauge | histogram
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()


_C, _W, _L = ("controller",), ("name", "controller"), ("name",)
METRICS: Mapping[str, Metric] = {
    m.name: m
    for m in (
        Metric("controller_runtime_reconcile_total", "counter", "Total number of reconciliations per controller", ("controller", "result")),
        Metric("controller_runtime_reconcile_errors_total", "counter", "Total number of reconciliation errors per controller", _C),
        Metric("controller_runtime_terminal_reconcile_errors_total", "counter", "Total number of terminal reconciliation errors per controller", _C),
        Metric("controller_runtime_reconcile_panics_total", "counter", "Total number of reconciliation panics per controller", _C),
        Metric("controller_runtime_reconcile_time_seconds", "histogram", "Length of time per reconciliation per controller", _C, RECONCILE_BUCKETS),
        Metric("controller_runtime_max_concurrent_reconciles", "gauge", "Maximum number of concurrent reconciles per controller", _C),
        Metric("controller_runtime_active_workers", "gauge", "Number of currently used workers per controller", _C),
        Metric("workqueue_depth", "gauge", "Current depth of workqueue", _W),
        Metric("workqueue_adds_total", "counter", "Total number of adds handled by workqueue", _W),
        Metric("workqueue_queue_duration_seconds", "histogram", "How long in seconds an item stays in workqueue before being requested", _W, QUEUE_BUCKETS),
        Metric("workqueue_work_duration_seconds", "histogram", "How long in seconds processing an item from workqueue takes", _W, QUEUE_BUCKETS),
        Metric("workqueue_retries_total", "counter", "Total number of retries handled by workqueue", _W),
        Metric("workqueue_unfinished_work_seconds", "gauge", "How many seconds of work has been done that is in progress and hasn't been observed by work_duration", _W),
        Metric("workqueue_longest_running_processor_seconds", "gauge", "How many seconds has the longest running processor for workqueue been running", _W),
        Metric("leader_election_master_status", "gauge", "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master", _L),
        Metric("leader_election_slowpath_total", "counter", "Total number of slow path exercised in renewing leader leases", _L),
        Metric("kfed_cluster_ready", "gauge", "1 when the member cluster is Ready by kfed's probes", ("cluster",)),
        Metric("kfed_cluster_health", "gauge", "1 for the member's current health state (Ready, Suspect, Offline, Recovering)", ("cluster", "state")),
        Metric("kfed_cluster_replicas", "gauge", "Replicas kfed assigns to the member cluster", ("cluster",)),
        Metric("kfed_cluster_ready_replicas", "gauge", "Ready replicas of kfed's workloads on the member cluster", ("cluster",)),
        Metric("kfed_failovers_total", "counter", "Workloads evicted from a member cluster", ("cluster",)),
        Metric("kfed_failbacks_total", "counter", "Workloads readmitted to a member cluster", ("cluster",)),
        Metric("kfed_member_writes_total", "counter", "Writes sent to member clusters, by outcome", ("result",)),
        Metric("kfed_workloads", "gauge", "Workloads in the federation's desired state", ()),
    )
}  # fmt: skip
HEALTH_STATES = ("Ready", "Suspect", "Offline", "Recovering")


class Sink(Protocol):
    def inc(self, name: str, labels: Mapping[str, str], value: float = 1.0) -> None: ...

    def set(self, name: str, labels: Mapping[str, str], value: float) -> None: ...

    def observe(self, name: str, labels: Mapping[str, str], value: float) -> None: ...


class TimelineSink:
    """Metric values as timeline rows (`metric`, with name, labels, value), one row whenever a
    value changes: counters as their running total, histograms as count and sum."""

    def __init__(self, recorder: Recorder, clock: Any) -> None:
        self.recorder = recorder
        self.clock = clock  # () -> the run's time
        self._values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}

    def _put(self, name: str, labels: Mapping[str, str], value: float) -> None:
        k = (name, tuple(sorted(labels.items())))
        if self._values.get(k) == value:
            return
        self._values[k] = value
        self.recorder.row(
            self.clock(), "metric", labels.get("cluster", ""), "", name=name,
            labels=dict(sorted(labels.items())), value=value,
        )  # fmt: skip

    def inc(self, name: str, labels: Mapping[str, str], value: float = 1.0) -> None:
        k = (name, tuple(sorted(labels.items())))
        self._put(name, labels, self._values.get(k, 0.0) + value)

    def set(self, name: str, labels: Mapping[str, str], value: float) -> None:
        self._put(name, labels, value)

    def observe(self, name: str, labels: Mapping[str, str], value: float) -> None:
        base = name
        count = (base + "_count", tuple(sorted(labels.items())))
        total = (base + "_sum", tuple(sorted(labels.items())))
        self._put(base + "_count", labels, self._values.get(count, 0.0) + 1)
        self._put(base + "_sum", labels, self._values.get(total, 0.0) + value)


class LoopTelemetry:
    """Feeds a sink from the shared control loop, one call per cycle."""

    def __init__(self, sink: Sink, controller: str = "federation") -> None:
        self.sink = sink
        self.controller = controller
        self._c = {"controller": controller}
        self._w = {"name": controller, "controller": controller}
        sink.set("controller_runtime_max_concurrent_reconciles", self._c, 1)
        sink.set("controller_runtime_active_workers", self._c, 0)

    def cycle(self, loop: Any, seconds: float | None) -> None:
        """After `loop.cycle(now)`; `seconds` is how long it took (None: not measured, as in
        the sim, whose wall-clock cost is no part of the model)."""
        plan, stats = loop.last_plan, loop.last_cycle
        if plan is None or stats is None:
            return
        s, c, w = self.sink, self._c, self._w
        s.set("workqueue_depth", w, 0)
        if stats.queued:
            s.inc("workqueue_adds_total", w, stats.queued)
        requeued = sum(1 for k in plan.workloads if k in plan.wakeups)
        if requeued:
            s.inc("controller_runtime_reconcile_total", {**c, "result": "requeue_after"}, requeued)
        if len(plan.workloads) > requeued:
            s.inc(
                "controller_runtime_reconcile_total",
                {**c, "result": "success"},
                len(plan.workloads) - requeued,
            )
        if seconds is not None and plan.workloads:
            s.observe("controller_runtime_reconcile_time_seconds", c, seconds)
            s.observe("workqueue_work_duration_seconds", w, seconds)
        for e in plan.events:
            if e.kind == "evict":
                s.inc("kfed_failovers_total", {"cluster": e.cluster})
            elif e.kind in ("failback", "readmit"):
                s.inc("kfed_failbacks_total", {"cluster": e.cluster})
        s.set("kfed_workloads", {}, len(loop.desired.workloads))
        if plan.workloads or plan.health_changed or stats.full:
            self.clusters(loop)

    def clusters(self, loop: Any) -> None:
        """Per-cluster gauges: health, assigned and ready replicas."""
        assigned: dict[str, int] = {}
        ready: dict[str, int] = {}
        for st in loop.statuses.values():
            for name, n in st.assignment.items():
                assigned[name] = assigned.get(name, 0) + n
            for name, cs in st.clusters.items():
                ready[name] = ready.get(name, 0) + (cs.ready or 0)
        for cl in loop.desired.clusters:
            name = cl.name
            h = loop.state.health.get(name)
            state = h.state.value if h is not None else "Ready"
            for st in HEALTH_STATES:
                self.sink.set(
                    "kfed_cluster_health", {"cluster": name, "state": st}, float(st == state)
                )
            self.sink.set("kfed_cluster_ready", {"cluster": name}, float(state == "Ready"))
            self.sink.set("kfed_cluster_replicas", {"cluster": name}, assigned.get(name, 0))
            self.sink.set("kfed_cluster_ready_replicas", {"cluster": name}, ready.get(name, 0))
