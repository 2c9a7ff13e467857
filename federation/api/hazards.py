"""Legal but suspicious timelines, as warnings: overlapping faults that contradict each other
on one target (the pairs in `_WHY`, listed in docs/api.md), and load surges beyond what the
federation holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.errors import Path
from federation.api.records import Ctx
from federation.api.scenario import Fault
from federation.core.desired import DesiredState

# same-kind pairs stack in the sim (the cluster stays down, hung or cut off until the last
# ends): the inner one only moves an end, almost always an editing slip; latency + latency and
# node-loss + anything add up and are fine. Two surges of one workload each restore, when they
# end, the count they found when they started.
_STACK = "they stack: the later one only moves when the cluster comes back"
_WHY: dict[frozenset[str], str] = {
    frozenset({"outage"}): _STACK,
    frozenset({"api-hang"}): _STACK,
    frozenset({"partition"}): _STACK,
    frozenset({"flapping"}): _STACK,
    frozenset({"outage", "api-hang"}): "the outage masks the api-hang",
    frozenset({"outage", "partition"}): "the outage masks the partition",
    frozenset({"outage", "flapping"}): "the outage masks the flapping",
    frozenset({"outage", "latency"}): "the outage masks the latency",
    frozenset({"api-hang", "partition"}): "either alone cuts the control plane off",
    frozenset({"flapping", "api-hang"}): "it flaps while unreachable anyway",
    frozenset({"flapping", "partition"}): "it flaps while unreachable anyway",
    frozenset({"latency", "api-hang"}): "latency on a link nothing crosses",
    frozenset({"latency", "partition"}): "latency on a link nothing crosses",
    frozenset({"load-surge"}): "each restores the count it found, so the workload ends wrong",
}


def _span(f: Fault, end: float) -> tuple[float, float]:
    return f.at, end if f.end is None else min(f.end, end)


def contradictions(ctx: Ctx, path: Path, faults: Sequence[Fault], end: float) -> None:
    """Warn about each timeline entry (at `path`[i], document order) that overlaps an earlier-
    starting one it contradicts on a shared target (the first such, once per entry). A sweep
    in start order: per target and kind, the active entry that ends last is all one needs."""
    order = sorted(range(len(faults)), key=lambda i: (faults[i].at, i))
    # target -> kind -> (end, index) of the entry of that kind that ends last so far
    last: dict[str, dict[str, tuple[float, int]]] = {}
    for i in order:
        f = faults[i]
        start, stop = _span(f, end)
        targets = (
            [f"workload {f.params.get('workload')}"] if f.kind == "load-surge" else list(f.clusters)
        )
        reported = False
        for target in targets:
            seen = last.setdefault(target, {})
            if not reported:
                for kind, (other_end, j) in sorted(seen.items()):
                    why = _WHY.get(frozenset({kind, f.kind}))
                    if why is None or other_end <= start:
                        continue
                    g = faults[j]
                    gs, ge = _span(g, end)
                    ctx.warn(
                        (*path, i),
                        f"overlaps timeline[{j}] ({g.kind} of {target.removeprefix('workload ')},"
                        f" {gs:g}–{ge:g}s): {why}",
                    )
                    reported = True
                    break
            if stop > seen.get(f.kind, (-1.0, 0))[0]:
                seen[f.kind] = (stop, i)


def surges(ctx: Ctx, path: Path, faults: Sequence[Fault], desired: DesiredState) -> None:
    """Warn about a load surge to more replicas than fit in the whole federation (when every
    cluster declares its capacity)."""
    clusters = desired.clusters
    if not clusters or any(c.capacity.pods <= 0 for c in clusters):
        return
    for i, f in enumerate(faults):
        if f.kind != "load-surge":
            continue
        w = desired.workloads.get(str(f.params.get("workload")))
        replicas = f.params.get("replicas")
        if w is None or not isinstance(replicas, int):
            continue
        room = sum(c.capacity.replicas_fitting(w.request) for c in clusters)
        if replicas > room:
            ctx.warn(
                (*path, i, "replicas"),
                f"{replicas} replicas of {w.key} do not fit in the federation "
                f"(its declared capacity holds {room})",
            )


def client_partitions(
    ctx: Ctx, path: Path, faults: Sequence[Fault], spec: Mapping[str, Any]
) -> None:
    """A client-partition acts on modelled traffic only: without clients it changes nothing."""
    if (spec.get("traffic") or {}).get("clients"):
        return
    for i, f in enumerate(faults):
        if f.kind == "client-partition":
            ctx.warn((*path, i), "client-partition changes nothing without spec.traffic.clients")
