"""A scenario's expectations judged against one run's timeline: each result carries its kind,
parameters, the measured value, the threshold, and, when it fails, a reason a person can act on
(what was missing, where, since when, and the member's own why)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from federation.api.scenario import Expectation
from federation.recorder import Row
from federation.report.figures import Series, value_at, window_figures
from federation.report.traffic_checks import TRAFFIC_CHECKS
from federation.report.traffic_summary import TrafficView

__all__ = ["Judge", "judge"]


@dataclass
class Judge:
    """What judging needs: the run's rows, per-workload series, failovers and its end."""

    rows: Sequence[Row]
    series: Mapping[str, Series]
    failovers: Sequence[Mapping[str, Any]]
    end: float
    traffic: TrafficView | None = None

    def window(self, p: Mapping[str, Any], default_from: float = 0.0) -> tuple[float, float]:
        start = p.get("from", p.get("after", default_from))
        stop = p.get("to", self.end)
        return float(start), min(float(stop), self.end)

    # ------------------------------------------------------------ explanations

    def faults_at(self, t: float) -> list[str]:
        """The faults active at `t`, as 'outage of m2 (60-180 s)'."""
        spans: dict[tuple[str, str], list[float]] = {}
        out = []
        for r in self.rows:
            if r.kind != "fault" or r.t > t:
                continue
            k = (str(r.fields.get("fault")), r.cluster or r.workload)
            phase = r.fields.get("phase")
            if phase == "start":
                spans[k] = [r.t]
            elif phase == "end":
                spans.pop(k, None)
        for (kind, target), (t0,) in sorted(spans.items(), key=lambda x: x[1][0]):
            out.append(f"{kind} of {target} since {_t(t0)}")
        return out

    def pending_at(self, key: str, t: float) -> list[str]:
        """'1 replica of shop/worker Pending on usw2-a from 121.3 s: <reason>' for each cluster
        holding Pending replicas of `key` at `t`."""
        s = self.series.get(key)
        if s is None:
            return []
        out = []
        for c, steps in sorted(s.pending.items()):
            n = value_at(steps, t)
            if n <= 0:
                continue
            since = t
            for ts, v in reversed([x for x in steps if x[0] <= t]):
                if v <= 0:
                    break
                since = ts
            reason = next(
                (
                    str(r.fields.get("reason") or "")
                    for r in reversed(self.rows)
                    if r.kind == "pending" and r.workload == key and r.cluster == c and r.t <= t
                ),
                "",
            )
            word = "replica" if n == 1 else "replicas"
            text = f"{n} {word} of {_short(key)} Pending on {c} from {_t(since)}"
            out.append(f"{text}: {reason}" if reason else text)
        return out

    def missing_at(self, key: str, t: float) -> str:
        """Where the desired replicas of `key` that are not Ready at `t` are missing."""
        s = self.series.get(key)
        if s is None:
            return f"{_short(key)} never ran"
        desired, ready = s.desired_at(t), s.total_at(t)
        parts = [f"{ready} of {desired} Ready at {_t(t)}"]
        target = s.target_at(t)
        if target is not None:
            _, asked, unschedulable = target
            short = []
            for c, n in sorted(asked.items()):
                have = value_at(s.ready.get(c, []), t)
                if have < n:
                    short.append(f"{c} {have}/{n}")
            if short:
                parts.append("short on " + ", ".join(short))
            if unschedulable:
                parts.append(f"{unschedulable} fit on no cluster")
        parts.extend(self.pending_at(key, t))
        faults = self.faults_at(t)
        if faults:
            parts.append("during " + "; ".join(faults))
        return "; ".join(parts)


def _t(t: float) -> str:
    """A time in a reason: '121.3 s'."""
    return f"{t:.1f} s"


def _short(key: str) -> str:
    """'Deployment/shop/web' -> 'shop/web'."""
    return key.split("/", 1)[1] if key.count("/") == 2 else key


def judge(e: Expectation, j: Judge) -> dict[str, Any]:
    """The result of one expectation (see the module docstring)."""
    value, passed, reason, threshold = _CHECKS[e.kind](e.params, j)
    out: dict[str, Any] = {
        "description": e.description,
        "kind": e.kind,
        "params": dict(e.params),
        "value": value,
        "passed": bool(passed),
        "reason": "" if passed else reason,
    }
    if threshold is not None:
        out["threshold"] = threshold
    return out


Check = tuple[Any, bool, str, Any]


def _availability(p: Mapping[str, Any], j: Judge) -> Check:
    key, want = p["workload"], float(p["min"])
    s = j.series.get(key)
    if s is None:
        return None, False, f"{_short(key)} has no replicas in this run", want
    t0, t1 = j.window(p)
    w = window_figures(s, t0, t1)
    v = w["availability"]
    why = ""
    if v < want:
        why = (
            f"availability {v:.4f} < {want:g}: {w['unavailable_replica_seconds']:.1f} "
            f"unavailable replica-s over {t0:.1f}-{_t(t1)}"
        )
        if w["max_unavailable_at"] is not None:
            why += f"; worst: {j.missing_at(key, w['max_unavailable_at'])}"
    return v, v >= want, why, want


def _max_unavailable(p: Mapping[str, Any], j: Judge) -> Check:
    key, most = p["workload"], int(p["replicas"])
    s = j.series.get(key)
    if s is None:
        return None, False, f"{_short(key)} has no replicas in this run", most
    t0, t1 = j.window(p)
    w = window_figures(s, t0, t1)
    v = w["max_unavailable"]
    why = ""
    if v > most and w["max_unavailable_at"] is not None:
        why = f"{v} unavailable > {most}: {j.missing_at(key, w['max_unavailable_at'])}"
    return v, v <= most, why, most


def _failover_within(p: Mapping[str, Any], j: Judge) -> Check:
    limit = float(p["seconds"])
    fos = [f for f in j.failovers if f["cluster"] == p["cluster"]]
    if p.get("from") is not None:
        fos = [f for f in fos if f["fault_at"] >= float(p["from"]) - 1e-9]
        fos = fos[:1] if p.get("fault") else fos
    if not fos:
        return None, False, f"no disruptive fault on {p['cluster']} in this run", limit
    worst: float | None = None
    reasons = []
    for f in fos:
        if f["recovered_at"] is None:
            detail = (
                "never detected"
                if f["detected_at"] is None
                else (
                    "detected, nothing evicted"
                    if f["evicted_at"] is None
                    else "evicted, but the replacements were never all Ready"
                )
            )
            reasons.append(f"{f['fault']} at {_t(f['fault_at'])}: {detail}")
            return None, False, "; ".join(reasons), limit
        took = round(f["recovered_at"] - f["fault_at"], 3)
        worst = took if worst is None else max(worst, took)
        if took > limit:
            reasons.append(
                f"{f['fault']} at {_t(f['fault_at'])} recovered after {took:.1f} s "
                f"(> {limit:g} s): "
                f"detected +{f['detected_at'] - f['fault_at']:.1f}s, "
                f"evicted +{f['evicted_at'] - f['fault_at']:.1f}s"
            )
    assert worst is not None
    return worst, worst <= limit, "; ".join(reasons), limit


def _no_eviction(p: Mapping[str, Any], j: Judge) -> Check:
    t0, t1 = j.window(p)
    evicts = [
        r
        for r in j.rows
        if r.kind == "evict"
        and t0 <= r.t <= t1
        and (not p.get("cluster") or r.cluster == p["cluster"])
    ]
    why = "; ".join(
        f"{_short(r.workload)} from {r.cluster} at {_t(r.t)} ({r.fields.get('reason', '')})"
        for r in evicts[:5]
    )
    if len(evicts) > 5:
        why += f"; and {len(evicts) - 5} more"
    return len(evicts), not evicts, f"{len(evicts)} eviction(s): {why}" if evicts else "", 0


def _no_replicas_on(p: Mapping[str, Any], j: Judge) -> Check:
    t0, t1 = j.window(p)
    keys = [p["workload"]] if p.get("workload") else sorted(j.series)
    worst, where = 0, ""
    for k in keys:
        s = j.series.get(k)
        steps = s.ready.get(p["cluster"], []) if s else []
        if value_at(steps, t0) > worst:
            worst, where = value_at(steps, t0), f"{_short(k)} at {_t(t0)}"
        for t, v in steps:
            if t0 <= t <= t1 and v > worst:
                worst, where = v, f"{_short(k)} at {_t(t)}"
    why = f"{worst} ready replica(s) on {p['cluster']}: {where}" if worst else ""
    return worst, worst == 0, why, 0


def _replicas_on(p: Mapping[str, Any], j: Judge) -> Check:
    key, cluster = p["workload"], p["cluster"]
    at = float(p["at"])
    lo, hi = int(p.get("min") or 0), p.get("max")
    s = j.series.get(key)
    v = value_at(s.ready.get(cluster, []), at) if s else 0
    ok = v >= lo and (hi is None or v <= int(hi))
    why = ""
    if not ok:
        want = f">= {lo}" if hi is None else (f"{lo}..{hi}" if lo else f"<= {hi}")
        why = f"{v} ready on {cluster} at {_t(at)}, want {want}; {j.missing_at(key, at)}"
    return v, ok, why, None


_CHECKS = {
    "availability": _availability,
    "max-unavailable": _max_unavailable,
    "failover-within": _failover_within,
    "no-eviction": _no_eviction,
    "no-replicas-on": _no_replicas_on,
    "replicas-on": _replicas_on,
    **TRAFFIC_CHECKS,
}
