"""How long new requests kept reaching a failed cluster: per fault and service, the drain time
(from the fault's start until under 1 % of the service's new requests go to the cluster(s) it
hit, for good) and the requests that failed during the fault, sent there or elsewhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from federation.recorder import Row
from federation.report.traffic import EMPTY, ServiceRows, _Cursor, failures

DRAIN_THRESHOLD = 0.01  # share of new requests still sent to the failed cluster(s)
# faults after which requests should leave a cluster: it died, the control plane lost it, or
# clients / health checks were cut off from it
DRAIN_FAULTS = frozenset({"outage", "api-hang", "partition", "flapping", "client-partition"})


def fault_spans(rows: Sequence[Row], end: float) -> list[dict[str, Any]]:
    """Faults of the kinds above that hit clusters, one per timeline entry (a region fault's
    clusters together): kind, clusters, start, stop (the run's end if it never ended)."""
    opened: dict[tuple[str, str], float] = {}
    spans: dict[tuple[str, float], dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: r.t):
        kind = str(r.fields.get("fault", ""))
        if r.kind != "fault" or kind not in DRAIN_FAULTS or not r.cluster:
            continue
        phase = r.fields.get("phase")
        if phase == "start":
            opened[(kind, r.cluster)] = r.t
            k = (kind, round(r.t, 3))
            span = spans.setdefault(k, {"fault": kind, "clusters": [], "at": r.t, "end": None})
            span["clusters"].append(r.cluster)
        elif phase == "end" and (kind, r.cluster) in opened:
            t0 = opened.pop((kind, r.cluster))
            span = spans[(kind, round(t0, 3))]
            span["end"] = r.t if span["end"] is None else max(span["end"], r.t)
    out = []
    for span in sorted(spans.values(), key=lambda s: (s["at"], s["fault"])):
        span["clusters"] = sorted(span["clusters"])
        span["stop"] = span["end"] if span["end"] is not None else end
        out.append(span)
    return out


def _share(s: ServiceRows, cursors: Mapping[str, _Cursor], t: float, hit: set[str]) -> float:
    total = to_hit = 0.0
    for cur in cursors.values():
        f = cur.at(t)
        total += float(f.get("rate", 0.0))
        to_hit += sum(float(v) for c, v in f.get("sent", EMPTY).items() if c in hit)
    return to_hit / total if total > 0 else 0.0


def drain(s: ServiceRows, span: Mapping[str, Any]) -> dict[str, Any] | None:
    """One service's drain after one fault (None when the service sent under 1 % there when it
    began: the fault did not concern it)."""
    start, stop, hit = float(span["at"]), float(span["stop"]), set(span["clusters"])
    reg = {g: _Cursor(v) for g, v in s.regions.items()}
    if _share(s, reg, start, hit) < DRAIN_THRESHOLD:
        return None
    reg = {g: _Cursor(v) for g, v in s.regions.items()}
    clu = {c: _Cursor(v) for c, v in s.clusters.items()}
    times = [*s.times(start, stop), stop]
    drained: float | None = None
    failed = elsewhere = 0.0
    for t0, t1 in pairwise(times):
        if _share(s, reg, t0, hit) < DRAIN_THRESHOLD:
            drained = t0 if drained is None else drained
        else:
            drained = None
        if t1 <= t0:
            continue
        serving = {c: cur.at(t0) for c, cur in clu.items()}
        for cur in reg.values():
            for c, v in failures(cur.at(t0), serving).items():
                if c in hit:
                    failed += v * (t1 - t0)
                else:
                    elsewhere += v * (t1 - t0)
    return {
        "drain_seconds": None if drained is None else round(drained - start, 3),
        "failed": round(failed, 3),
        "failed_elsewhere": round(elsewhere, 3),
    }


def drains(services: Mapping[str, ServiceRows], rows: Sequence[Row], end: float) -> list[Any]:
    out = []
    for span in fault_spans(rows, end):
        for key, s in sorted(services.items()):
            d = drain(s, span)
            if d is None:
                continue
            out.append(
                {
                    "fault": span["fault"],
                    "clusters": span["clusters"],
                    "at": round(span["at"], 3),
                    "end": None if span["end"] is None else round(span["end"], 3),
                    "service": key,
                    **d,
                }
            )
    return out
