"""Member sync: the actions that make every member hold what a workload wants there, the
per-cluster status that goes with them, and Ready counts refreshed from an observation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from federation.core.actions import Action, Apply, ClusterStatus, Delete, WorkloadStatus
from federation.core.conditions import available_condition
from federation.core.context import Context
from federation.core.model import Observation, PropagationPolicy, Workload


def refresh_ready(status: WorkloadStatus, observed: Observation) -> WorkloadStatus:
    """`status` with the Ready counts members now report and its Available condition: what a
    reconcile would say of a workload whose only news is readiness and that has nothing
    waiting on it (no eviction draining), so none of its decisions can change."""
    clusters = {}
    for name, cs in status.clusters.items():
        member = observed.clusters.get(name)
        obj = member.objects.get(status.key) if member is not None else None
        ready = None if obj is None else obj.ready_replicas
        clusters[name] = cs if ready == cs.ready else replace(cs, ready=ready)
    ready = sum((cs.ready or 0) for cs in clusters.values())
    conditions = tuple(
        available_condition(ready, status.desired or 0) if c.type == "Available" else c
        for c in status.conditions
    )
    return replace(status, ready=ready, clusters=clusters, conditions=conditions)


def sync(
    ctx: Context, w: Workload, want: Mapping[str, int | None], policy: PropagationPolicy | None
) -> tuple[list[Action], dict[str, ClusterStatus]]:
    """Actions that make every member hold exactly `want`, and per-cluster status. Nothing is
    written to a cluster the policy suspends dispatching to (Karmada's suspension)."""
    actions: list[Action] = []
    clusters: dict[str, ClusterStatus] = {}
    for name, replicas in sorted(want.items()):
        c = ctx.desired.cluster(name)
        assert c is not None
        manifest, digest, effective = ctx.desired.rendered(w, c, replicas)
        obj = ctx.object(name, w.key)
        applied = obj is not None and obj.hash == digest
        ready = None if obj is None else obj.ready_replicas
        if not ctx.reachable(name):
            clusters[name] = ClusterStatus(effective, ready, applied, "ClusterUnreachable")
            continue
        if policy is not None and policy.suspends(name):
            clusters[name] = ClusterStatus(effective, ready, applied, "Suspended")
            continue
        if not applied:
            actions.append(
                Apply(
                    name, w.key, manifest, digest, "create" if obj is None else "update", effective
                )
            )
        clusters[name] = ClusterStatus(effective, ready, applied, "")
    for name in ctx.holders(w.key):
        if name in want:
            continue
        obj = ctx.object(name, w.key)
        ready = None if obj is None else obj.ready_replicas
        if w.kind == "Namespace" and not _emptied(ctx, name, w.key):
            # a namespace may hold more than what we put there: moving a workload away from a
            # cluster never deletes it (removing it from the federation does)
            clusters[name] = ClusterStatus(None, None, True, "Retained")
            continue
        if policy is not None and policy.suspends(name):
            clusters[name] = ClusterStatus(0, ready, False, "Suspended")
        elif ctx.reachable(name):
            actions.append(Delete(name, w.key, "not a target"))
            clusters[name] = ClusterStatus(0, ready, False, "Deleting")
        else:
            clusters[name] = ClusterStatus(0, ready, False, "ClusterUnreachable")
    return actions, clusters


def _emptied(ctx: Context, cluster: str, key: str) -> bool:
    """Is `cluster` unjoining with nothing else of ours assigned or draining there? Only then
    do its namespaces go (deleting one would take what is still draining in it along)."""
    c = ctx.desired.cluster(cluster)
    if c is None or c.draining != "unjoin":
        return False
    return not any(
        cluster in ws.assignment or cluster in ws.evictions
        for k, ws in ctx.states.items()
        if k != key
    )
