"""The operations of a run (`operation` rows) and what they did: when each happened, and for a
migration how long the move took, how many replicas were missing meanwhile, how far it surged,
and with client traffic how many requests failed. Defined in docs/semantics.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.recorder import Row
from federation.report.figures import Series, window_figures
from federation.report.traffic_summary import TrafficView

_PARAMS = ("replicas", "from", "to", "preserve", "document", "duration", "phase")


def operations(
    rows: Sequence[Row],
    all_series: Mapping[str, Series],
    end: float,
    view: TrafficView | None = None,
    backends: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """One entry per `operation` row, in time order; `backends` (service -> workload keys)
    says which services' failed requests a migration answers for."""
    out = []
    for r in rows:
        if r.kind != "operation":
            continue
        entry: dict[str, Any] = {"at": round(r.t, 3), "op": r.fields.get("op")}
        if r.fields.get("name"):
            entry["name"] = r.fields["name"]
        if r.cluster:
            entry["cluster"] = r.cluster
        if r.workload:
            entry["workload"] = r.workload
        entry.update({k: r.fields[k] for k in _PARAMS if k in r.fields})
        if entry["op"] == "migrate" and r.workload:
            entry.update(_move(rows, r, all_series.get(r.workload), end, view, backends or {}))
        out.append(entry)
    return out


def _move(
    rows: Sequence[Row],
    op: Row,
    s: Series | None,
    end: float,
    view: TrafficView | None,
    backends: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """A migration's figures over its move: from the operation until the `migrated` row (or the
    end of the run, when it never finished)."""
    done = next(
        (x for x in rows if x.kind == "migrated" and x.workload == op.workload and x.t >= op.t),
        None,
    )
    stop = done.t if done is not None else end
    out: dict[str, Any] = {
        "finished_at": None if done is None else round(done.t, 3),
        "move_seconds": None if done is None else round(done.t - op.t, 3),
        "surge_peak": None if done is None else done.fields.get("surge_peak"),
    }
    if s is not None:
        w = window_figures(s, op.t, max(stop, op.t))
        out["unavailable_replica_seconds"] = round(w["unavailable_replica_seconds"], 3)
        out["max_unavailable"] = w["max_unavailable"]
        out["ready_above_desired"] = _ready_peak(s, op.t, stop)
    services = sorted(k for k, keys in backends.items() if op.workload in keys)
    if view is not None and services and view.services:
        # requests sent while the move was on, and while answers given before its end lasted
        failed = sum(view.tallies(op.t, end, service=k).failed for k in services)
        out["failed_requests"] = round(failed, 3)
    return out


def _ready_peak(s: Series, start: float, stop: float) -> int:
    """The most Ready replicas above the desired count at one moment in [start, stop]."""
    times = sorted({start, *(t for t in s.change_times() if start <= t <= stop)})
    return max((max(0, s.total_at(t) - s.desired_at(t)) for t in times), default=0)


def deleted_at(rows: Sequence[Row]) -> dict[str, float]:
    """Workload key -> when a `delete` operation removed it."""
    return {
        r.workload: round(r.t, 3)
        for r in rows
        if r.kind == "operation" and r.fields.get("op") == "delete" and r.workload
    }
