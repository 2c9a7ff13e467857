"""A scenario's operations (timeline entries with `operation:`): each resolved and checked
against the federation it changes, and the timeline as a whole checked in order (a cluster
joined twice, a workload used after its deletion)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from federation.api.errors import Path, show
from federation.api.records import Ctx, seconds
from federation.api.scenario import Fault, Operation
from federation.api.timeline import FAULT_FIELDS, World
from federation.core.desired import DesiredState
from federation.core.migration import Migration
from federation.core.model import Cluster, OverridePolicy, PropagationPolicy, Workload
from federation.traffic.spec import Traffic

# operation -> (required fields, optional fields)
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "scale": (("workload", "replicas"), ()),
    "apply": (("document",), ()),
    "delete": (("workload",), ()),
    "join": ((), ("cluster", "clusters")),
    "unjoin": ((), ("cluster", "clusters")),
    "drain": ((), ("cluster", "clusters", "duration")),
    "uncordon": ((), ("cluster", "clusters")),
    "migrate": (("workload", "from", "to"), ("maxSurge", "preserveAvailableReplicas")),
}
_CLUSTER_OPS = frozenset({"join", "unjoin", "drain", "uncordon"})
_OPERATION_FIELDS = frozenset(f for req, opt in _FIELDS.values() for f in (*req, *opt))
# every field a fault or an operation may carry besides at, name and the kind
_ENTRY_FIELDS = FAULT_FIELDS | _OPERATION_FIELDS
_OPERATION_ONLY = tuple(sorted(_OPERATION_FIELDS - FAULT_FIELDS))
# clients keep sending to a cluster for a cache period after it leaves the answer; one second
# more covers the answerer taking the change in
STEER_MARGIN = 1.0

Inline = Callable[[Path, Mapping[str, Any]], Any]  # (path, document) -> its record or None


def is_operation(e: Mapping[str, Any]) -> bool:
    return "operation" in e


def fault_only(ctx: Ctx, path: Path, e: Mapping[str, Any]) -> None:
    """A fault entry carrying operation fields."""
    for key in _OPERATION_ONLY:
        if key in e:
            ctx.error((*path, key), f"does not apply to fault {e.get('fault')}")


def operation(
    ctx: Ctx,
    path: Path,
    e: Mapping[str, Any],
    world: World,
    end: float,
    desired: DesiredState,
    traffic: Traffic,
    inline: Inline,
) -> Operation:
    kind = e["operation"]
    if "fault" in e:
        ctx.error((*path, "fault"), "give fault or operation, not both")
    at = seconds(ctx, (*path, "at"), e["at"])
    if at >= end:
        ctx.error((*path, "at"), f"must be < the scenario duration ({end:g}s), got {show(e['at'])}")
    required, optional = _FIELDS[kind]
    for key in required:
        if key not in e:
            ctx.error(path, f"missing required field {key!r} (operation {kind})")
    for key in sorted(_ENTRY_FIELDS & set(e)):
        if key not in required + optional:
            ctx.error((*path, key), f"does not apply to operation {kind}")
    name = e.get("name", "")
    clusters: tuple[str, ...] = ()
    workload = ""
    if kind in _CLUSTER_OPS:
        clusters = _clusters(ctx, path, e, world, kind)
    if "workload" in e:
        ref, why = world.resolve_workload(e["workload"])
        if ref is None and kind == "delete" and e["workload"] in world.workloads:
            ref, why = e["workload"], ""  # a workload without replicas, by its full key
        if ref is None:
            ctx.error((*path, "workload"), why)
        workload = ref or ""
    duration = None
    if "duration" in e:
        duration = seconds(ctx, (*path, "duration"), e["duration"], positive=True)
    document = None
    if kind == "apply" and "document" in e:
        document = _document(ctx, (*path, "document"), e["document"], world, inline)
    migration = None
    if kind == "migrate" and workload and "from" in e and "to" in e:
        migration = _migration(ctx, path, e, world, desired, traffic, workload, at, name)
        clusters = migration.sources if migration is not None else ()
    return Operation(
        kind,
        at,
        name,
        workload,
        clusters,
        e.get("replicas") if kind == "scale" else None,
        document,
        migration,
        duration,
    )


def _clusters(
    ctx: Ctx, path: Path, e: Mapping[str, Any], world: World, kind: str
) -> tuple[str, ...]:
    given = [k for k in ("cluster", "clusters") if k in e]
    if not given:
        ctx.error(path, f"needs cluster or clusters (operation {kind})")
        return ()
    if len(given) > 1:
        ctx.error((*path, "clusters"), "give only one of cluster, clusters")
    sel = given[0]
    names = [e[sel]] if sel == "cluster" else list(e[sel])
    for i, n in enumerate(names):
        why = world.unknown_cluster(n)
        if why:
            ctx.error((*path, sel) if sel == "cluster" else (*path, sel, i), why)
    return tuple(sorted(set(names)))


def _document(ctx: Ctx, path: Path, d: Mapping[str, Any], world: World, inline: Inline) -> Any:
    kind = d.get("kind")
    if kind in ("Scenario", "MultiClusterService", "ClusterTaintPolicy"):
        ctx.error((*path, "kind"), f"a {kind} cannot be applied on the timeline, got {show(kind)}")
        return None
    rec = inline(path, d)
    if isinstance(rec, Cluster) and rec.name not in world.clusters:
        ctx.error(
            (*path, "metadata", "name"),
            f"apply changes a declared cluster (add one with join), got {show(rec.name)}",
        )
        return None
    if isinstance(rec, Cluster | PropagationPolicy | OverridePolicy | Workload):
        return rec
    return None


def _migration(
    ctx: Ctx,
    path: Path,
    e: Mapping[str, Any],
    world: World,
    desired: DesiredState,
    traffic: Traffic,
    key: str,
    at: float,
    name: str,
) -> Migration | None:
    ok = True
    for field in ("from", "to"):
        for i, n in enumerate(e[field]):
            why = world.unknown_cluster(n)
            if why:
                ctx.error((*path, field, i), why)
                ok = False
    sources, dest = tuple(sorted(set(e["from"]))), tuple(sorted(set(e["to"])))
    both = sorted(set(sources) & set(dest))
    if both:
        ctx.error((*path, "to"), f"a cluster cannot be both left and joined, got {both[0]!r}")
        ok = False
    w = desired.workloads.get(key)
    policy = desired.policy_for(w) if w is not None else None
    if w is not None and policy is None:
        ctx.error((*path, "workload"), f"no PropagationPolicy selects {key}: nothing to move")
        ok = False
    if policy is not None and ok:
        for i, n in enumerate(e["to"]):
            c = desired.cluster(n)
            if c is not None and not policy.placement.admits(c):
                ctx.error(
                    (*path, "to", i),
                    f"cluster {n} is outside the placement of {key} "
                    f"(policy {policy.name}), got {show(n)}",
                )
                ok = False
    preserve = e.get("preserveAvailableReplicas", True)
    surge, percent = _surge(ctx, (*path, "maxSurge"), e.get("maxSurge"))
    if preserve and surge == 0:
        ctx.error(
            (*path, "maxSurge"),
            "must be > 0 with preserveAvailableReplicas (a move that may neither surge nor "
            "lose a replica cannot start), got 0",
        )
        ok = False
    if not ok:
        return None
    steer = 0.0
    for s in traffic.services if traffic.enabled else ():
        if key in s.backends:  # clients hold answers for the TTL and their cache, plus 1 s
            steer = max(steer, s.steering.cache_period + STEER_MARGIN)
    return Migration(
        name or f"migrate-{at:g}s",
        key,
        sources,
        dest,
        at,
        max_surge=surge,
        surge_percent=percent,
        preserve=bool(preserve),
        steer=steer,
    )


def _surge(ctx: Ctx, path: Path, value: Any) -> tuple[int | None, float]:
    """(replicas or None, percentage) of `maxSurge`."""
    if value is None:
        return None, 25.0
    if isinstance(value, str):
        pct = float(value.rstrip("%"))
        if pct > 100:
            ctx.error(path, f"a percentage must be <= 100%, got {show(value)}")
        return (0 if pct == 0 else None), pct
    return int(value), 25.0


def check_order(ctx: Ctx, path: Path, ops: Sequence[tuple[int, Operation]], world: World) -> None:
    """The operations in time order must make sense one after the other: a cluster joins once
    and only when it is not a member, leaves or is drained only while it is one; a deleted
    workload is not scaled, moved or deleted again."""
    members = initial_members([op for _, op in ops], list(world.clusters))
    deleted: dict[str, float] = {}
    for i, op in sorted(ops, key=lambda x: (x[1].at, x[0])):
        where = (*path, i)
        if op.workload in deleted and op.kind in ("scale", "delete", "migrate"):
            ctx.error(
                (*where, "workload"),
                f"{op.workload} was deleted at {deleted[op.workload]:g}s, got {show(op.workload)}",
            )
        if op.kind == "delete" and op.workload:
            deleted[op.workload] = op.at
        for c in op.clusters if op.kind in _CLUSTER_OPS else ():
            if op.kind == "join":
                if c in members:
                    ctx.error(where, f"cluster {c} is already a member at {op.at:g}s")
                members.add(c)
            elif c not in members:
                ctx.error(where, f"cluster {c} is not a member at {op.at:g}s")
            elif op.kind == "unjoin":
                members.discard(c)


def check_surges(
    ctx: Ctx, path: Path, ops: Sequence[tuple[int, Operation]], surges: Sequence[tuple[int, Fault]]
) -> None:
    """A load surge changes a workload's count at its start and back at its end: neither may
    come once the workload is deleted."""
    deleted = {op.workload: (i, op.at) for i, op in ops if op.kind == "delete" and op.workload}
    for i, f in surges:
        key = str(f.params.get("workload", ""))
        if key not in deleted:
            continue
        j, at = deleted[key]
        last = f.at + (f.duration or 0.0)
        if last >= at:
            ctx.error(
                (*path, i, "workload"),
                f"{key} is deleted at {at:g}s (spec.timeline[{j}]); this load surge "
                f"{'starts' if f.at >= at else 'ends'} at {f.at if f.at >= at else last:g}s, "
                f"got {show(f.params.get('workload'))}",
            )


def initial_members(ops: Sequence[Operation], clusters: Sequence[str]) -> set[str]:
    """The clusters that are members from the start: all but those whose first operation is a
    join."""
    first: dict[str, str] = {}
    for op in sorted(ops, key=lambda o: o.at):
        if op.kind in _CLUSTER_OPS:
            for c in op.clusters:
                first.setdefault(c, op.kind)
    return {c for c in clusters if first.get(c) != "join"}
