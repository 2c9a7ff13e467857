"""Figures of one run derived from its timeline: ready, desired and Pending replicas per workload
as step functions, availability, unavailable and Pending replica-seconds, time to available, and
failover times. Every figure is defined in docs/api.md ("What the numbers mean")."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.recorder import Row

# faults that cut the control plane off from a member: these are the ones failover answers
DISRUPTIVE = frozenset({"outage", "api-hang", "partition", "flapping"})

Target = tuple[float, Mapping[str, int], int]  # (t, replicas asked of each cluster, unschedulable)


@dataclass
class Series:
    """One workload over a run, as step functions: its desired total (`desired` rows), ready and
    Pending replicas per cluster (`ready`, `pending` rows: ground truth), and what the core asked
    of each cluster (`schedule` rows)."""

    desired: list[tuple[float, int]] = field(default_factory=list)
    ready: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    pending: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)

    def total_at(self, t: float, exclude: str = "") -> int:
        total = 0
        for c, steps in self.ready.items():
            if c != exclude:
                total += value_at(steps, t)
        return total

    def desired_at(self, t: float) -> int:
        return value_at(self.desired, t)

    def pending_at(self, t: float) -> int:
        return sum(value_at(steps, t) for steps in self.pending.values())

    def target_at(self, t: float) -> Target | None:
        i = bisect_right(self.targets, t, key=lambda x: x[0])
        return self.targets[i - 1] if i else None

    def change_times(self) -> list[float]:
        times = {t for t, _ in self.desired}
        for steps in self.ready.values():
            times.update(t for t, _ in steps)
        return sorted(times)


def value_at(steps: Sequence[tuple[float, int]], t: float) -> int:
    i = bisect_right(steps, t, key=lambda step: step[0])
    return steps[i - 1][1] if i else 0


def series(rows: Iterable[Row]) -> dict[str, Series]:
    out: dict[str, Series] = defaultdict(Series)
    for r in sorted(rows, key=lambda r: r.t):
        if r.kind == "desired":
            out[r.workload].desired.append((r.t, int(r.fields["replicas"])))
        elif r.kind == "ready":
            out[r.workload].ready.setdefault(r.cluster, []).append((r.t, int(r.fields["ready"])))
        elif r.kind == "pending":
            steps = out[r.workload].pending.setdefault(r.cluster, [])
            steps.append((r.t, int(r.fields["pending"])))
        elif r.kind == "schedule" and r.workload in out:
            asked = r.fields.get("desired", r.fields.get("assignment", {}))
            out[r.workload].targets.append(
                (r.t, dict(asked), int(r.fields.get("unschedulable", 0)))
            )
    return dict(out)


def _fold(s: Series, end: float) -> list[tuple[float, float, int, int]]:
    """(start, end, desired, ready) segments covering [0, end]."""
    times = [t for t in s.change_times() if t < end]
    cuts = sorted({0.0, *times})
    segs = []
    for i, t0 in enumerate(cuts):
        t1 = cuts[i + 1] if i + 1 < len(cuts) else end
        if t1 > t0:
            segs.append((t0, t1, s.desired_at(t0), s.total_at(t0)))
    return segs


def first_available(s: Series, end: float) -> float | None:
    """The first time every desired replica was Ready (None: never)."""
    return next((t0 for t0, _, d, r in _fold(s, end) if r >= d), None)


def _unplaced_at(s: Series, t: float) -> int:
    """Replicas with nowhere to run at `t`: Pending on a member, or fitting on no cluster."""
    target = s.target_at(t)
    return s.pending_at(t) + (target[2] if target is not None else 0)


def window_figures(s: Series, start: float, end: float) -> dict[str, Any]:
    """Availability figures over the window [start, end] (docs/api.md, "What the numbers
    mean"): desired and missing replica-seconds, the most replicas missing at once and when.

    Availability = 1 - missing / counted replica-seconds. Until the workload is first fully
    available, replicas starting for the first time are start-up (`time_to_available`): they
    count neither as served nor as missing; replicas with nowhere to run (Pending on a member,
    or fitting on no cluster) are missing from the start. A workload never fully available
    misses every replica it lacks."""
    first = first_available(s, end)
    times = sorted(
        {t for t in s.change_times() if t < end}
        | {t for steps in s.pending.values() for t, _ in steps if t < end}
        | {t for t, _, _ in s.targets if t < end}
        | {0.0}
    )
    want = missing = 0.0
    worst, worst_at = 0, None
    for i, a in enumerate(times):
        b = times[i + 1] if i + 1 < len(times) else end
        lo, hi = max(a, start), min(b, end)
        if hi <= lo:
            continue
        d, r = s.desired_at(a), s.total_at(a)
        gap = max(0, d - r)
        counted = d
        if first is not None and a < first:
            # replicas starting for the first time count neither as served nor as missing
            unplaced = min(gap, _unplaced_at(s, a))
            counted -= gap - unplaced
            gap = unplaced
        want += counted * (hi - lo)
        missing += gap * (hi - lo)
        if gap > worst:
            worst, worst_at = gap, lo
    return {
        "desired_replica_seconds": want,
        "unavailable_replica_seconds": missing,
        "availability": round(1.0 - missing / want, 6) if want > 0 else 1.0,
        "max_unavailable": worst,
        "max_unavailable_at": worst_at,
    }


def pending_replica_seconds(s: Series, end: float, start: float = 0.0) -> float:
    """Replica-seconds of Pending replicas (no node on their member) over [start, end]."""
    total = 0.0
    for steps in s.pending.values():
        for i, (t, n) in enumerate(steps):
            t1 = steps[i + 1][0] if i + 1 < len(steps) else end
            lo, hi = max(t, start), min(t1, end)
            if hi > lo:
                total += n * (hi - lo)
    return total


def workload_figures(s: Series, end: float) -> dict[str, Any]:
    """The per-workload figures of summary.json over the whole run (see `window_figures`)."""
    w = window_figures(s, 0.0, end)
    first = first_available(s, end)
    return {
        "desired": s.desired[-1][1] if s.desired else 0,
        "availability": w["availability"],
        "unavailable_replica_seconds": round(w["unavailable_replica_seconds"], 3),
        "max_unavailable": w["max_unavailable"],
        "pending_replica_seconds": round(pending_replica_seconds(s, end), 3),
        "time_to_available": None if first is None else round(first, 3),
    }


def recovered_at(s: Series, since: float, failed: str) -> float | None:
    """The first time from `since` at which the workload runs, Ready, everything the federation
    asks of the clusters other than `failed`, with nothing unschedulable (for a Divided workload:
    all its replicas; for a Duplicated one: a full copy on every other target)."""
    times = sorted(
        {since, *(t for t in s.change_times() if t > since)}
        | {t for t, _, _ in s.targets if t > since}
    )
    for t in times:
        target = s.target_at(t)
        if target is None:
            if s.total_at(t, exclude=failed) >= s.desired_at(t):
                return t
            continue
        _, asked, unschedulable = target
        need = sum(n for c, n in asked.items() if c != failed)
        if not unschedulable and s.total_at(t, exclude=failed) >= need:
            return t
    return None


def failovers(
    rows: Sequence[Row], all_series: Mapping[str, Series], end: float
) -> list[dict[str, Any]]:
    """For each disruptive fault on each cluster: when it began, when the cluster was declared
    Offline, when the first workload was evicted from it, and when every evicted workload ran
    again, Ready, everything the federation asked of the other clusters (`recovered_at`)."""
    starts = [
        r
        for r in rows
        if r.kind == "fault"
        and r.fields.get("phase") == "start"
        and r.fields.get("fault") in DISRUPTIVE
        and r.cluster
    ]
    out = []
    for i, f in enumerate(starts):
        nxt = min((g.t for g in starts[i + 1 :] if g.cluster == f.cluster), default=end + 1)
        window = [r for r in rows if f.t <= r.t < nxt and r.cluster == f.cluster]
        detected = next(
            (r.t for r in window if r.kind == "health" and r.fields.get("to") == "Offline"), None
        )
        evicts = [r for r in window if r.kind == "evict"]
        recovered: float | None = None
        if evicts:
            done = []
            for ev in evicts:
                s = all_series.get(ev.workload)
                if s is None:
                    continue
                done.append(recovered_at(s, ev.t, f.cluster))
            if done and all(t is not None for t in done):
                recovered = max(t for t in done if t is not None)
        out.append(
            {
                "cluster": f.cluster,
                "fault": f.fields.get("fault"),
                "fault_at": round(f.t, 3),
                "detected_at": None if detected is None else round(detected, 3),
                "evicted_at": round(evicts[0].t, 3) if evicts else None,
                "recovered_at": None if recovered is None else round(recovered, 3),
            }
        )
    return out
