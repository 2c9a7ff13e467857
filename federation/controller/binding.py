"""ResourceBindings: one per propagated workload on the host, Karmada-shaped. The spec is the
scheduling result and the core's memory of the workload (assignment, graceful evictions, the
clusters it was evicted from, how long replicas have been Pending and the caps that moved them,
the affinity group in use), so a restarted controller picks up where the last one stopped;
the status says, per target cluster, what was applied and how many replicas are ready, with
`Scheduled` and `FullyApplied` conditions. Also the Cluster status and the restore of cluster
health from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from federation.controller.crds import GROUP, VERSION
from federation.core.actions import (
    Condition,
    EvictionTask,
    WorkloadState,
    WorkloadStatus,
)
from federation.core.health import ClusterHealth
from federation.core.model import Health, Workload, workload_key
from federation.core.pending import Limit

API_VERSION = f"{GROUP}/{VERSION}"


def stamp(wall: float) -> str:
    """RFC 3339 in UTC with milliseconds."""
    t = dt.datetime.fromtimestamp(wall, dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def parse_stamp(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def binding_kind(w: Workload) -> str:
    return "ResourceBinding" if w.namespace else "ClusterResourceBinding"


def binding_name(w: Workload) -> str:
    return f"{w.name}-{w.kind.lower()}"


def _condition(c: Condition, since: str, generation: int) -> dict[str, Any]:
    return {
        "type": c.type,
        "status": "True" if c.status else "False",
        "reason": c.reason,
        "message": c.message,
        "lastTransitionTime": since,
        "observedGeneration": generation,
    }


class Clock:
    """Loop time (seconds since the controller started) <-> wall time (epoch seconds)."""

    def __init__(self, epoch0: float) -> None:
        self.epoch0 = epoch0

    def wall(self, t: float) -> float:
        return self.epoch0 + t

    def loop(self, wall: float) -> float:
        return wall - self.epoch0


def binding(
    w: Workload,
    template: Mapping[str, Any],
    status: WorkloadStatus,
    state: WorkloadState,
    clock: Clock,
    health: Mapping[str, Health],
    since: Mapping[str, str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the binding with its spec, the binding's status) for one workload. `since` holds the
    lastTransitionTime of each condition type as last written (kept while its status holds)."""
    meta = template["metadata"]
    generation = int(meta.get("generation") or 0)
    name = {"name": binding_name(w), **({"namespace": w.namespace} if w.namespace else {})}
    owner = {
        "apiVersion": w.api_version,
        "kind": w.kind,
        "name": w.name,
        "uid": meta.get("uid", ""),
        "blockOwnerDeletion": False,
    }
    spec: dict[str, Any] = {
        "resource": {
            "apiVersion": w.api_version,
            "kind": w.kind,
            "name": w.name,
            **({"namespace": w.namespace} if w.namespace else {}),
            "uid": meta.get("uid", ""),
        },
        "clusters": [{"name": c, "replicas": n} for c, n in sorted(state.assignment.items())],
        "gracefulEvictionTasks": [
            {
                "fromCluster": c,
                "replicas": t.replicas,
                "reason": t.reason,
                "purgeMode": t.purge_mode,
                "creationTimestamp": stamp(clock.wall(t.created_at)),
                "deadline": stamp(clock.wall(t.deadline)),
            }
            for c, t in sorted(state.evictions.items())
        ],
        "evictedFrom": [
            {"cluster": c, "at": stamp(clock.wall(t))}
            for c, t in sorted(state.evicted_from.items())
        ],
        "pendingSince": [
            {"cluster": c, "since": stamp(clock.wall(t))}
            for c, t in sorted(state.pending_since.items())
        ],
        "pendingLimits": [
            {
                "cluster": c,
                "replicas": lim.replicas,
                "moved": lim.moved,
                **({"room": lim.room} if lim.room is not None else {}),
            }
            for c, lim in sorted(state.limits.items())
        ],
    }
    if state.group is not None:
        spec["affinityGroup"] = state.group
    if status.desired is not None:
        spec["replicas"] = status.desired
    doc = {
        "apiVersion": API_VERSION,
        "kind": binding_kind(w),
        "metadata": {**name, "ownerReferences": [owner], "labels": {"kfed.io/kind": w.kind}},
        "spec": spec,
    }
    aggregated = []
    for c, cs in sorted(status.clusters.items()):
        h = health.get(c)
        row: dict[str, Any] = {
            "clusterName": c,
            "applied": cs.applied,
            "health": "Unknown" if h is None else "Healthy" if h is Health.READY else "Unhealthy",
        }
        if cs.reason:
            row["appliedMessage"] = cs.reason
        if cs.desired is not None:
            row["replicas"] = cs.desired
        if cs.ready is not None:
            row["readyReplicas"] = cs.ready
        aggregated.append(row)
    if status.desired is None:  # copies, no replicas: where they go
        placement = " ".join(sorted(status.assignment))
    else:
        placement = " ".join(f"{c}={n}" for c, n in sorted(status.assignment.items()))
    # replicas count as ready only on members kfed sees Ready (an unreachable member's last
    # report may be stale)
    ready = sum(
        (cs.ready or 0)
        for c, cs in status.clusters.items()
        if health.get(c, Health.READY) is Health.READY
    )
    st: dict[str, Any] = {
        "conditions": [
            _condition(c, since.get(f"{c.type}/{c.status}", ""), generation)
            for c in status.conditions
        ],
        "readyReplicas": ready,
        "placement": placement or "-",
        "aggregatedStatus": aggregated,
        "excluded": [{"clusterName": c, "reason": r} for c, r in sorted(status.excluded.items())],
    }
    return doc, {"apiVersion": API_VERSION, "kind": doc["kind"], "metadata": name, "status": st}


def restore(bindings: Iterable[Mapping[str, Any]], clock: Clock) -> dict[str, WorkloadState]:
    """The core's memory of each workload, read back from the bindings a controller wrote."""
    out = {}
    for b in bindings:
        spec = b.get("spec") or {}
        r = spec.get("resource") or {}
        if not r.get("kind") or not r.get("name"):
            continue
        key = workload_key(r["kind"], r.get("namespace", ""), r["name"])
        tasks = {}
        for t in spec.get("gracefulEvictionTasks") or []:
            tasks[t["fromCluster"]] = EvictionTask(
                t["fromCluster"],
                int(t.get("replicas") or 0),
                t.get("reason", ""),
                t.get("purgeMode", "Graceful"),
                clock.loop(parse_stamp(t["creationTimestamp"])),
                clock.loop(parse_stamp(t["deadline"])),
            )
        out[key] = WorkloadState(
            assignment={c["name"]: int(c.get("replicas") or 0) for c in spec.get("clusters") or []},
            evictions=tasks,
            evicted_from={
                e["cluster"]: clock.loop(parse_stamp(e["at"]))
                for e in spec.get("evictedFrom") or []
            },
            pending_since={
                p["cluster"]: clock.loop(parse_stamp(p["since"]))
                for p in spec.get("pendingSince") or []
            },
            limits={
                m["cluster"]: Limit(
                    int(m["replicas"]),
                    None if m.get("room") is None else int(m["room"]),
                    int(m.get("moved") or 0),
                )
                for m in spec.get("pendingLimits") or []
            },
            group=spec.get("affinityGroup"),
        )
    return out


def cluster_status(
    name: str,
    conditions: Iterable[Condition],
    health: ClusterHealth | None,
    clock: Clock,
    *,
    replicas: int,
    ready: int,
    workloads: int,
    nodes_ready: int | None,
    free: Any,
    extra: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The status subresource of a Cluster: Ready (its health, with the time it was entered),
    what kfed runs there, and its free room."""
    conds = []
    for c in conditions:
        row = {
            "type": c.type,
            "status": "True" if c.status else "False",
            "reason": c.reason,
            "message": c.message,
        }
        if health is not None and c.type == "Ready":
            row["lastTransitionTime"] = stamp(clock.wall(health.since))
            if health.last_probe is not None:
                row["lastProbeTime"] = stamp(clock.wall(health.last_probe))
        conds.append(row)
    conds.extend(extra)
    st: dict[str, Any] = {
        "conditions": conds,
        "health": health.state.value if health is not None else "Unknown",
        "replicas": replicas,
        "readyReplicas": ready,
        "workloads": workloads,
    }
    if nodes_ready is not None:
        st["nodeSummary"] = {"readyNum": nodes_ready}
    if free is not None:
        st["resourceSummary"] = {
            "free": {
                "cpu": f"{int(free.cpu * 1000)}m",
                "memory": str(int(free.memory)),
                "pods": int(free.pods),
            }
        }
    return {
        "apiVersion": API_VERSION,
        "kind": "Cluster",
        "metadata": {"name": name},
        "status": st,
    }


def restore_health(cluster: Mapping[str, Any], clock: Clock) -> ClusterHealth | None:
    """A cluster's health as the last controller wrote it (Ready condition reason = state)."""
    for c in (cluster.get("status") or {}).get("conditions") or []:
        if c.get("type") != "Ready" or not c.get("lastTransitionTime"):
            continue
        try:
            state = Health(c.get("reason"))
        except ValueError:
            return None
        since = clock.loop(parse_stamp(c["lastTransitionTime"]))
        h = ClusterHealth(state=state, since=since, run_ok=state is Health.READY)
        return replace(h, run=0)
    return None
