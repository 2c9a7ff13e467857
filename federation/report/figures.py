"""Figures of one run derived from its timeline: ready replicas per workload and cluster as step
functions, availability, unavailable replica-seconds, time to available, and failover times."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.recorder import Row

# faults that cut the control plane off from a member: these are the ones failover answers
DISRUPTIVE = frozenset({"outage", "api-hang", "partition", "flapping"})


@dataclass
class Series:
    """Ready replicas of one workload per cluster, and its desired total, as step functions."""

    desired: list[tuple[float, int]] = field(default_factory=list)
    ready: dict[str, list[tuple[float, int]]] = field(default_factory=dict)

    def total_at(self, t: float, exclude: str = "") -> int:
        total = 0
        for c, steps in self.ready.items():
            if c != exclude:
                total += value_at(steps, t)
        return total

    def desired_at(self, t: float) -> int:
        return value_at(self.desired, t)

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


def workload_figures(s: Series, end: float) -> dict[str, Any]:
    """Availability counts from the first moment the workload was fully available (start-up is
    reported separately as `time_to_available`): served replica-seconds over desired ones."""
    segs = _fold(s, end)
    first = next((t0 for t0, _, d, r in segs if r >= d), None)
    start = first if first is not None else 0.0
    want = missing = 0.0
    worst = 0
    for t0, t1, d, r in segs:
        lo = max(t0, start)
        if t1 <= lo:
            continue
        want += d * (t1 - lo)
        gap = max(0, d - r)
        missing += gap * (t1 - lo)
        worst = max(worst, gap)
    return {
        "desired": s.desired[-1][1] if s.desired else 0,
        "availability": round(1.0 - missing / want, 6) if want > 0 else 1.0,
        "unavailable_replica_seconds": round(missing, 3),
        "max_unavailable": worst,
        "time_to_available": None if first is None else round(first, 3),
    }


def failovers(
    rows: Sequence[Row], all_series: Mapping[str, Series], end: float
) -> list[dict[str, Any]]:
    """For each disruptive fault on each cluster: when it began, when the cluster was declared
    Offline, when the first workload was evicted from it, and when every evicted workload had its
    desired replicas Ready on the other clusters again."""
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
                t_ok = next(
                    (
                        t
                        for t in [ev.t, *s.change_times()]
                        if t >= ev.t and s.total_at(t, exclude=f.cluster) >= s.desired_at(t)
                    ),
                    None,
                )
                done.append(t_ok)
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
