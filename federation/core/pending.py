"""Pending replicas: replicas a member could not place on any node. The federation waits a
threshold (60 s by default, KubeFed's `UnschedulableThreshold`; Karmada's descheduler waits
5 min), then lowers that cluster's share of the workload to what it did place and lets the
division put the rest elsewhere, as Karmada's descheduler does. The lowered share (a limit)
holds until the cluster's estimated room for the workload has grown by what was moved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from federation.core.actions import Event
from federation.core.context import Context
from federation.core.model import Rescheduling, Workload

__all__ = ["Limit", "Rescheduling", "watch_pending"]


@dataclass(frozen=True)
class Limit:
    """A cluster's share of one workload, capped after its replicas stayed Pending."""

    replicas: int  # at most this many there
    room: int | None  # the cluster's estimated room for the workload when the cap was set
    moved: int  # replicas the cap moved away


def watch_pending(
    ctx: Context,
    w: Workload,
    assignment: Mapping[str, int],
    since: dict[str, float],
    limits: dict[str, Limit],
    free: Mapping[str, int | None],
    events: list[Event],
    wakeups: list[float],
) -> None:
    """Update, in place, when each assigned cluster's Pending replicas began (`since`) and the
    caps set on clusters whose replicas stayed Pending past the threshold (`limits`)."""
    rs = ctx.rescheduling
    for c in sorted(limits):
        room, lim = free.get(c), limits[c]
        if c not in assignment or (
            room is not None and lim.room is not None and room >= lim.room + lim.moved
        ):
            del limits[c]
    for c in sorted(set(since) - set(assignment)):
        del since[c]
    if not rs.enabled:
        since.clear()
        return
    for c, n in sorted(assignment.items()):
        obj = ctx.object(c, w.key)
        if obj is None or obj.pending <= 0 or not ctx.reachable(c):
            since.pop(c, None)
            continue
        t0 = since.setdefault(c, ctx.now)
        due = t0 + rs.unschedulable_seconds
        if ctx.now < due:
            wakeups.append(due)
            continue
        del since[c]
        placed = max(0, min(n, (obj.replicas or 0) - obj.pending))
        if placed >= n:
            continue
        limits[c] = Limit(placed, free.get(c), n - placed)
        events.append(
            Event(
                ctx.now,
                "reschedule",
                c,
                w.key,
                {
                    "replicas": n - placed,
                    "pending_since": t0,
                    "reason": obj.pending_reason,
                },
            )
        )
