"""`kfed explain RUN_DIR --workload W --at T`: why each replica of W is where it is at T. A sim
run is replayed to T (it is deterministic for its scenario and seed) and the core explains its
own decision (`federation.core.explain`); a real run is explained from its timeline only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from federation.core.explain import Explanation
from federation.recorder import Row
from federation.report.figures import series, value_at


def as_dict(e: Explanation) -> dict[str, Any]:
    return asdict(e)


def render(e: Explanation) -> str:
    head = f"{e.key} at {e.now:g}s"
    if e.replicas is not None:
        head += f": {e.replicas} replicas"
    head += f", {e.policy}" if e.policy else ", no policy selects it"
    if e.method:
        head += f", method {e.method}"
    lines = [head]
    cols = ("CLUSTER", "HEALTH", "ASKED", "READY", "PENDING", "WEIGHT", "MIN", "MAX", "ROOM")
    table = [cols]
    for c in e.clusters:
        table.append(
            (
                c.cluster,
                c.health,
                "-" if c.asked is None else str(c.asked),
                "-" if c.ready is None else str(c.ready),
                str(c.pending) if c.pending else "",
                "" if c.weight is None else str(c.weight),
                "" if not c.min else str(c.min),
                "" if c.max is None else str(c.max),
                "" if c.room is None else str(c.room),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(cols))]
    reasons = {c.cluster: c.reasons for c in e.clusters}
    for i, row in enumerate(table):
        line = "  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip()
        lines.append(line)
        if i:
            lines.extend(f"    {why}" for why in reasons[row[0]])
    if e.affinity:
        lines.append(f"affinity: {e.affinity}")
    if e.division:
        lines.append(f"division: {e.division}")
    if e.unschedulable:
        lines.append(f"unschedulable: {e.unschedulable} replica(s) fit on no cluster")
    lines.extend(e.notes)
    return "\n".join(lines) + "\n"


def from_timeline(rows: Sequence[Row], key: str, t: float) -> str:
    """What a timeline alone says of `key` at `t` (a real run cannot be replayed)."""
    s = series(rows).get(key)
    if s is None:
        return f"{key}: no replicas in this run\n"
    target = s.target_at(t)
    asked = dict(target[1]) if target is not None else {}
    health: dict[str, str] = {}
    last_evict: dict[str, Row] = {}
    for r in rows:
        if r.t > t:
            break
        if r.kind == "health":
            health[r.cluster] = str(r.fields.get("to"))
        elif r.kind == "evict" and r.workload == key:
            last_evict[r.cluster] = r
        elif r.kind in ("failback", "readmit") and r.workload == key:
            last_evict.pop(r.cluster, None)
    clusters = sorted(set(asked) | set(s.ready) | set(s.pending) | set(last_evict))
    lines = [f"{key} at {t:g}s (from the timeline: real runs are not replayed)"]
    lines.append(f"desired {s.desired_at(t)}, Ready {s.total_at(t)}")
    for c in clusters:
        parts = [f"{c}: {health.get(c, 'Ready')}"]
        parts.append(f"asked {asked[c]}" if c in asked else "not a target")
        parts.append(f"Ready {value_at(s.ready.get(c, []), t)}")
        n = value_at(s.pending.get(c, []), t)
        if n:
            parts.append(f"Pending {n}")
        ev = last_evict.get(c)
        if ev is not None:
            parts.append(f"evicted at {ev.t:g}s ({ev.fields.get('reason', '')})")
        lines.append(", ".join(parts))
    if target is not None and target[2]:
        lines.append(f"unschedulable: {target[2]} replica(s) fit on no cluster")
    return "\n".join(lines) + "\n"
