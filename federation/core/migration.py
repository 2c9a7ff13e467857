"""Migration: moving a workload's replicas off some member clusters onto others, make before
break, as a pure state machine over plain data (`now` an argument).

A `Migration` (the desired side: what the user asked at time `at`) restricts where the workload
may be placed from then on to `allowed` (the clusters it was on, minus `sources`, plus
`destinations`); placement and division then give the final layout as for any workload. How the
replicas get there is `step`: the rolling-update arithmetic of a Deployment, across clusters.

* With `preserve` (Karmada's proposed `preserveAvailableReplicas`): destinations grow first,
  never asking more than `final total + surge` replicas in all; a source gives up only replicas
  that are not Ready, or Ready ones beyond the final total (so Ready never drops below
  min(Ready now, final total)). With `steer` > 0 (a federated service's clients keep an answer
  for that long: TTL plus client cache, and a margin) clients are kept off the destinations
  while they start (a `steer` event), and the sources keep their Ready replicas until the rest
  of the layout is all Ready; then clients are steered from the sources to the destinations
  (a second `steer` event) and the sources go only `steer` seconds later: they serve their
  clients until no client is left. The surge budget is then at least what moves.
* Without it (what a rescheduler without make-before-break does): the final layout at once,
  the sources deleted while the destinations start.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Migration:
    """A move the user asked for (a `migrate` operation, or a WorkloadRebalancer-shaped
    document), resolved: `allowed` is fixed when the move begins."""

    name: str
    workload: str  # key
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    at: float
    allowed: frozenset[str] = frozenset()
    max_surge: int | None = None  # replicas; None = `surge_percent` of the final total
    surge_percent: float = 25.0
    preserve: bool = True
    steer: float = 0.0  # seconds clients keep sending to a cluster after it is steered away

    def budget(self, total: int) -> int:
        """Replicas the move may run above the final total: `max_surge`, or a percentage of
        the total rounded up as a Deployment's maxSurge is (at least 1 when preserving: a move
        with no surge and no unavailability could never start)."""
        n = self.max_surge
        if n is None:
            n = math.ceil(total * self.surge_percent / 100 - 1e-9)
        return max(n, 1) if self.preserve else max(n, 0)

    def barred(self) -> dict[str, str]:
        """The reason for every cluster of `sources` it may no longer be placed on; other
        clusters outside `allowed` are barred by `outside`."""
        dest = ", ".join(self.destinations)
        return {c: f"migrated away to {dest} ({self.name})" for c in self.sources}

    def outside(self, cluster: str) -> str | None:
        if cluster in self.allowed or not self.allowed:
            return None
        if cluster in self.sources:
            return self.barred()[cluster]
        return f"not a destination of migration {self.name}"


@dataclass(frozen=True)
class Progress:
    """How far one migration got (the core's state)."""

    name: str  # the migration's
    started_at: float
    origin: Mapping[str, int]  # what was asked of each cluster when it began
    asked: Mapping[str, int]  # what the last step asked
    surge_peak: int = 0  # most replicas asked above the final total at once
    finished_at: float | None = None
    settled_at: float | None = None  # when all but the sources' last replicas were Ready
    steered: tuple[str, ...] = field(default_factory=tuple)  # sources steered away


def step(
    final: Mapping[str, int],
    asked: Mapping[str, int],
    ready: Mapping[str, int],
    surge: int,
    preserve: bool = True,
    hold: bool = False,
) -> dict[str, int]:
    """What to ask of every cluster now, moving from `asked` towards `final` (see the module
    docstring); `ready` is what each cluster has Ready. With `hold`, sources give up no Ready
    replica (clients still reach them). Clusters asked 0 are left out of the result."""
    if not preserve:
        return {c: n for c, n in final.items() if n > 0}
    names = sorted(set(final) | set(asked))
    new = {c: asked.get(c, 0) for c in names}
    total = sum(final.values())
    # 1. sources shrink by what does not lower Ready below the final total: replicas not Ready
    #    first (a ReplicaSet removes those first), then Ready ones above the total
    available = sum(min(ready.get(c, 0), new[c]) for c in names)
    excess = 0 if hold else max(0, available - total)
    for c in names:
        over = new[c] - final.get(c, 0)
        if over <= 0:
            continue
        up = min(ready.get(c, 0), new[c])
        cut = min(over, new[c] - up)
        ready_cut = min(over - cut, excess)
        excess -= ready_cut
        new[c] -= cut + ready_cut
    # 2. destinations grow within the surge budget, one replica at a time by name
    room = total + surge - sum(new.values())
    short = [c for c in names if new[c] < final.get(c, 0)]
    while room > 0 and short:
        for c in list(short):
            if room == 0:
                break
            new[c] += 1
            room -= 1
            if new[c] >= final.get(c, 0):
                short.remove(c)
    return {c: n for c, n in new.items() if n > 0}


def advance(
    m: Migration,
    progress: Progress | None,
    final: Mapping[str, int],
    asked: Mapping[str, int],
    ready: Mapping[str, int],
    now: float,
) -> tuple[dict[str, int], Progress, list[tuple[str, dict[str, object]]], float | None]:
    """One reconcile of a migration: (what to ask of each cluster now, the new progress,
    events as (kind, fields), when to look again). `asked` is what the workload was asked before
    the move (its assignment), used when the move begins; `ready` the Ready replicas per
    cluster now."""
    events: list[tuple[str, dict[str, object]]] = []
    if progress is not None and progress.name != m.name:
        progress = None  # a new migration of the same workload starts afresh
    if progress is None:
        origin = {c: n for c, n in sorted(asked.items()) if n > 0}
        progress = Progress(m.name, now, origin, origin)
        events.append(
            (
                "migrate",
                {
                    "name": m.name,
                    "from": list(m.sources),
                    "to": list(m.destinations),
                    "origin": dict(origin),
                    "final": {c: n for c, n in sorted(final.items()) if n > 0},
                    "preserve": m.preserve,
                    "max_surge": m.budget(sum(final.values())) if m.preserve else 0,
                },
            )
        )
        new_ones = [c for c in m.destinations if c not in origin]
        if m.preserve and m.steer > 0 and new_ones:
            # clients are not sent to a destination before the whole layout can serve them
            events.append(("steer", {"name": m.name, "away": new_ones, "back": []}))
    if progress.finished_at is not None:
        return {c: n for c, n in final.items() if n > 0}, progress, events, None
    total = sum(final.values())
    surge = m.budget(total)
    wake: float | None = None
    hold = False
    if m.preserve and m.steer > 0:
        # the rest of the layout Ready: steer clients away, then wait the answers out
        rest = all(ready.get(c, 0) >= n for c, n in final.items() if n > 0 and c not in m.sources)
        settled = progress.settled_at
        if rest and settled is None:
            settled = now
            progress = replace(progress, settled_at=now, steered=m.sources)
            events.append(
                (
                    "steer",
                    {
                        "name": m.name,
                        "away": list(m.sources),
                        "back": list(m.destinations),
                        "wait": m.steer,
                    },
                )
            )
        hold = settled is None or now < settled + m.steer
        if settled is not None and hold:
            wake = settled + m.steer
    if hold:  # the sources keep serving: the destinations need room for all that moves
        surge = max(surge, sum(max(0, n - progress.origin.get(c, 0)) for c, n in final.items()))
    new = step(final, progress.asked, ready, surge, m.preserve, hold=hold)
    peak = max(progress.surge_peak, sum(new.values()) - total)
    progress = replace(progress, asked=new, surge_peak=peak)
    want = {c: n for c, n in final.items() if n > 0}
    if new == want and all(ready.get(c, 0) >= n for c, n in want.items()):
        progress = replace(progress, finished_at=now)
        events.append(
            (
                "migrated",
                {
                    "name": m.name,
                    "duration": round(now - progress.started_at, 3),
                    "surge_peak": peak,
                },
            )
        )
        wake = None
    return new, progress, events, wake
