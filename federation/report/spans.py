"""Spans and moments of a run as the plots draw them: fault bands, health states, markers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from federation.recorder import Row


def short(workload: str) -> str:
    """ "Deployment/shop/web" -> "shop/web" (a key without a kind is returned as is)."""
    parts = workload.split("/")
    return "/".join(parts[1:]) if len(parts) == 3 else workload


@dataclass(frozen=True)
class FaultSpan:
    """One injected fault from its start to its end, on one or more clusters at once (a region
    fault) or on a workload (a load surge); `downs` are a flapping fault's down phases."""

    kind: str
    t0: float
    t1: float
    clusters: tuple[str, ...] = ()
    workload: str = ""
    downs: tuple[tuple[float, float], ...] = ()
    params: Mapping[str, Any] | None = None

    @property
    def target(self) -> str:
        p = self.params or {}
        if self.workload:
            return short(self.workload)
        if p.get("region"):
            return f"{p['region']} ({', '.join(self.clusters)})"
        return ", ".join(self.clusters)

    @property
    def label(self) -> str:
        extra = details(self.kind, self.params or {})
        target = f" {self.target}" if self.target else ""
        return f"{self.kind}{target}" + (f" ({extra})" if extra else "")


def details(kind: str, p: Mapping[str, Any]) -> str:
    """What a fault's parameters say: "2 s down every 8 s", "→ 36 replicas", "3 nodes"..."""
    if kind == "client-partition":
        who = "health checks" if p.get("healthChecks") else f"{p.get('clients', '?')} clients"
        return f"{who} cut off" + (" from the DNS" if p.get("dns") else "")
    if kind == "flapping" and "down" in p and "period" in p:
        return f"{_num(p['down'])} s down every {_num(p['period'])} s"
    if "replicas" in p:
        return f"→ {p['replicas']} replicas"
    if "nodes" in p:
        return f"{p['nodes']} nodes"
    if "latency" in p:
        jitter = f" ± {float(p['jitter']) * 1000:.0f} ms" if p.get("jitter") else ""
        return f"+{float(p['latency']) * 1000:.0f} ms{jitter}"
    return ""


def _num(v: Any) -> str:
    return f"{float(v):g}"


_PARAMS = (
    "down",
    "period",
    "replicas",
    "nodes",
    "latency",
    "jitter",
    "region",
    "zone",
    "clients",
    "healthChecks",
    "dns",
)


def fault_spans(rows: Sequence[Row], end: float) -> list[FaultSpan]:
    """Fault rows (phase start / end, and down / up for flapping) as spans; a fault still
    running at `end` ends there. The same fault on several clusters at the same times (a region
    fault) is one span naming them all."""
    open_: dict[tuple[str, str, str], tuple[float, dict[str, Any]]] = {}
    downs: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    down_open: dict[tuple[str, str, str], float] = {}
    raw: list[tuple[str, str, str, float, float, tuple[tuple[float, float], ...], dict[str, Any]]]
    raw = []

    def close(k: tuple[str, str, str], t: float) -> None:
        t0, params = open_.pop(k)
        if k in down_open:
            downs[k].append((down_open.pop(k), t))
        raw.append((*k, t0, t, tuple(downs.pop(k, [])), params))

    for r in sorted(rows, key=lambda r: r.t):
        if r.kind != "fault":
            continue
        k = (str(r.fields.get("fault", "fault")), r.cluster, r.workload)
        phase = r.fields.get("phase")
        if phase == "start":
            if k in open_:
                close(k, r.t)
            open_[k] = (r.t, {p: r.fields[p] for p in _PARAMS if p in r.fields})
        elif phase == "down":
            if k not in open_:  # a down phase without a recorded start: the span begins here
                open_[k] = (r.t, {p: r.fields[p] for p in _PARAMS if p in r.fields})
            down_open.setdefault(k, r.t)
        elif phase == "up":
            if k in down_open:
                downs[k].append((down_open.pop(k), r.t))
        elif phase == "end" and k in open_:
            close(k, r.t)
    for k in sorted(open_, key=lambda k: open_[k][0]):
        close(k, max(end, open_[k][0]))
    merged: dict[tuple[Any, ...], list[str]] = {}
    for kind, cluster, workload, t0, t1, d, params in raw:
        key = (kind, workload, t0, t1, d, tuple(sorted(params.items(), key=str)))
        merged.setdefault(key, [])
        if cluster:
            merged[key].append(cluster)
    out = [
        FaultSpan(kind, t0, t1, tuple(sorted(cs)), workload, d, dict(params))
        for (kind, workload, t0, t1, d, params), cs in merged.items()
    ]
    return sorted(out, key=lambda s: (s.t0, s.label))


def label_rows(spans: Sequence[FaultSpan], end: float, chars_per_second: float) -> list[int]:
    """A text row for each span's label so that labels overlapping in time sit on different
    rows; a label is taken to extend `len(label) / chars_per_second` seconds from its start."""
    rows_end: list[float] = []
    out = []
    for s in spans:
        reach = max(s.t1, s.t0 + len(s.label) / max(chars_per_second, 1e-9))
        for i, e in enumerate(rows_end):
            if s.t0 >= e:
                rows_end[i] = reach
                out.append(i)
                break
        else:
            rows_end.append(reach)
            out.append(len(rows_end) - 1)
    return out


def health_spans(
    rows: Sequence[Row], clusters: Sequence[str], end: float
) -> dict[str, list[tuple[float, float, str]]]:
    """(start, end, state) for each cluster from t=0 (Ready) to `end`, while it is a member: a
    cluster whose first operation is a `join` has no span before it, an `unjoin` ends its spans
    once the cluster is removed."""
    ordered = sorted(rows, key=lambda r: r.t)
    first_op: dict[str, str] = {}
    for r in ordered:
        if r.kind == "operation" and r.cluster and not r.workload:
            first_op.setdefault(r.cluster, str(r.fields.get("op")))
    state = {c: ("" if first_op.get(c) == "join" else "Ready", 0.0) for c in clusters}
    out: dict[str, list[tuple[float, float, str]]] = defaultdict(list)

    def become(c: str, new: str, t: float) -> None:
        s, t0 = state[c]
        if t > t0 and s:
            out[c].append((t0, t, s))
        state[c] = (new, t)

    for r in ordered:
        if r.cluster not in state:
            continue
        if r.kind == "health":
            become(r.cluster, str(r.fields.get("to")), r.t)
        elif r.kind == "operation" and not r.workload:
            op, phase = r.fields.get("op"), r.fields.get("phase")
            if op == "join" and not state[r.cluster][0]:
                become(r.cluster, "Ready", r.t)
            elif op == "unjoin" and phase == "removed":
                become(r.cluster, "", r.t)
    for c, (s, t0) in state.items():
        if s:
            out[c].append((t0, max(end, t0), s))
    return dict(out)


@dataclass(frozen=True)
class Marker:
    """A moment worth a marker: a cluster `detected` Offline, a workload `evicted` from a
    cluster, a `failback` to it, Pending replicas `rescheduled` away from it, an `operation`
    on the timeline, or a migration done (`migrated`)."""

    t: float
    kind: str
    cluster: str
    workload: str = ""
    label: str = ""  # an operation's kind


MARKER_KINDS = ("detected", "evicted", "failback", "rescheduled", "operation", "migrated")
_MARKER_OF = {"evict": "evicted", "failback": "failback", "reschedule": "rescheduled"}


def markers(rows: Sequence[Row]) -> list[Marker]:
    """Offline detections, and the first evict / failback / reschedule of each workload from
    each cluster after each detection (not every repeat the core records)."""
    out: list[Marker] = []
    seen: set[tuple[str, str, str]] = set()
    for r in sorted(rows, key=lambda r: r.t):
        if r.kind == "health" and r.fields.get("to") == "Offline":
            out.append(Marker(r.t, "detected", r.cluster))
            seen = {k for k in seen if k[1] != r.cluster}  # a new episode on that cluster
        elif r.kind == "operation" and r.fields.get("phase") is None:
            # an operation on a workload marks its panel; one on a cluster or a policy, every
            # panel (workload "")
            out.append(Marker(r.t, "operation", r.cluster, r.workload, str(r.fields.get("op"))))
        elif r.kind == "migrated" and r.workload:
            out.append(Marker(r.t, "migrated", "", r.workload))
        elif r.kind in ("evict", "failback", "reschedule") and r.workload:
            kind = _MARKER_OF[r.kind]
            k = (kind, r.cluster, r.workload)
            if k not in seen:
                seen.add(k)
                out.append(Marker(r.t, kind, r.cluster, r.workload))
    return out
