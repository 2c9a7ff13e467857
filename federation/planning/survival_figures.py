"""What a failure set did to each workload, from a run's timeline: the most replicas that fit
on no cluster at once (`unschedulable_max`), the most Pending at once on a member
(`pending_max`), and the seconds from the outage to the workload being whole again without the
failed clusters (`recover_s`: None when none of its replicas were evicted from them, infinite
when it never was whole again)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from typing import Any

from federation.recorder import Row
from federation.report.figures import Series, series, value_at


def recovered_without(s: Series, since: float, failed: Collection[str]) -> float | None:
    """The first time from `since` at which the workload runs, Ready, everything the federation
    asks of the clusters outside `failed`, with nothing unschedulable (the multi-cluster form of
    `federation.report.figures.recovered_at`)."""
    times = sorted(
        {since, *(t for t in s.change_times() if t > since)}
        | {t for t, _, _ in s.targets if t > since}
    )
    for t in times:
        ready = sum(value_at(steps, t) for c, steps in s.ready.items() if c not in failed)
        target = s.target_at(t)
        if target is None:
            if ready >= s.desired_at(t):
                return t
            continue
        _, asked, unschedulable = target
        need = sum(n for c, n in asked.items() if c not in failed)
        if not unschedulable and ready >= need:
            return t
    return None


def _pending_max(s: Series) -> int:
    times = {t for steps in s.pending.values() for t, _ in steps}
    return max((s.pending_at(t) for t in times), default=0)


def workload_survival(
    rows: Iterable[Row], failed: Collection[str], at: float, end: float
) -> dict[str, dict[str, Any]]:
    rows = list(rows)
    evicted: dict[str, float] = {}
    for r in rows:
        if r.kind == "evict" and r.cluster in failed and r.t >= at:
            evicted[r.workload] = min(evicted.get(r.workload, r.t), r.t)
    out = {}
    for key, s in sorted(series(rows).items()):
        since = evicted.get(key)
        recover: float | None = None
        if since is not None:
            t = recovered_without(s, since, failed)
            recover = math.inf if t is None or t > end else round(t - at, 3)
        out[key] = {
            "unschedulable_max": max((u for _, _, u in s.targets), default=0),
            "pending_max": _pending_max(s),
            "recover_s": recover,
        }
    return out
