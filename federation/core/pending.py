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

__all__ = ["Limit", "Rescheduling", "settle", "watch_pending"]


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
    wakeups: list[float],
) -> dict[str, Limit]:
    """Update, in place, when each assigned cluster's Pending replicas began (`since`) and the
    caps on clusters whose replicas stayed Pending past the threshold (`limits`); return the
    caps proposed now (also put in `limits`). The caller divides, then `settle`s them: a cap
    that moved nothing is withdrawn and tried again at the next reconcile."""
    rs = ctx.rescheduling
    for c in sorted(limits):  # a cap holds (at 0 too) until the room it lacked appears
        room, lim = free.get(c), limits[c]
        if room is not None and lim.room is not None and room >= lim.room + lim.moved:
            del limits[c]
    for c in sorted(set(since) - set(assignment)):
        del since[c]
    if not rs.enabled:
        since.clear()
        return {}
    proposed: dict[str, Limit] = {}
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
        placed = max(0, min(n, (obj.replicas or 0) - obj.pending))
        if placed < n:
            proposed[c] = limits[c] = Limit(placed, free.get(c), n - placed)
    return proposed


def settle(
    ctx: Context,
    w: Workload,
    proposed: Mapping[str, Limit],
    before: Mapping[str, int],
    targets: Mapping[str, int],
    since: dict[str, float],
    limits: dict[str, Limit],
    events: list[Event],
) -> None:
    """Keep the proposed caps that moved replicas away (a `reschedule` event each) and
    withdraw the others: nothing else can take those replicas now (no room elsewhere, or a
    division method that ignores capacity), so they stay Pending and are tried again."""
    for c in sorted(proposed):
        if targets.get(c, 0) < before.get(c, 0):
            obj = ctx.object(c, w.key)
            events.append(
                Event(
                    ctx.now,
                    "reschedule",
                    c,
                    w.key,
                    {
                        "replicas": before.get(c, 0) - targets.get(c, 0),
                        "pending_since": since.pop(c),
                        "reason": obj.pending_reason if obj is not None else "",
                    },
                )
            )
        else:
            del limits[c]
