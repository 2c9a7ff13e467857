"""The autoscaling figures of a run, from its `autoscale`, `desired` and `fault` rows (definitions
in docs/semantics.md "Autoscaling"): per autoscaled workload the evaluations and scale events,
the peak and lowest desired replicas, the oscillation (direction changes of the desired count),
the utilization range the HPA read, and, per fault that starts while it runs, how long until the
HPA first scaled up after it and by how much."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from federation.core.autoscaling import direction_changes
from federation.recorder import Row


def section(rows: Sequence[Row]) -> dict[str, Any] | None:
    """summary.json's `autoscaling` (None: the run has no autoscale rows)."""
    scaled = [r for r in rows if r.kind == "autoscale"]
    if not scaled:
        return None
    faults = [r for r in rows if r.kind == "fault" and r.fields.get("phase") == "start"]
    out: dict[str, Any] = {}
    for key in sorted({r.workload for r in scaled}):
        mine = [r for r in scaled if r.workload == key]
        entry: dict[str, Any] = {}
        for cluster in sorted({r.cluster for r in mine}):
            entry[cluster or "federation"] = _figures(
                [r for r in mine if r.cluster == cluster], faults
            )
        out[key] = entry
    return out


def _figures(rows: Sequence[Row], faults: Sequence[Row]) -> dict[str, Any]:
    """One HPA's figures (the FederatedHPA, or one member's own HPA)."""
    decisions = [(r.t, int(r.fields["desired"])) for r in rows]
    changes = [
        (t, n) for (t, n), r in zip(decisions, rows, strict=True) if n != int(r.fields["current"])
    ]
    series = [(rows[0].t, int(rows[0].fields["current"])), *changes]
    utils = [int(r.fields["utilization"]) for r in rows if r.fields.get("utilization") is not None]
    scale_ups = []
    seen = set()
    for f in faults:
        if f.t in seen:
            continue
        seen.add(f.t)
        before = next((n for t, n in reversed(series) if t <= f.t), series[0][1])
        up = next(((t, n) for t, n in changes if t > f.t and n > before), None)
        scale_ups.append(
            {
                "fault_at": round(f.t, 3),
                "replicas_before": before,
                "scale_up_after_s": None if up is None else round(up[0] - f.t, 3),
                "replicas_after": None if up is None else up[1],
            }
        )
    return {
        "scale_events": len(changes),
        "scale_ups": sum(1 for (t, n), (_, m) in zip(series[1:], series, strict=False) if n > m),
        "peak_replicas": max(n for _, n in series),
        "lowest_replicas": min(n for _, n in series),
        "direction_changes": direction_changes(series),
        "utilization_min": min(utils) if utils else None,
        "utilization_max": max(utils) if utils else None,
        "after_faults": scale_ups,
    }
