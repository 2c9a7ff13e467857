"""Narrated events of a run, in the manner of `kubectl events`: one record per thing that
happened (a fault, a health transition, an eviction, a schedule, Pending replicas...), with
identical repeats collapsed ("x3 over 20s"). Pure functions over timeline rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from federation.recorder import Row
from federation.report.spans import details

NORMAL, WARNING = "Normal", "Warning"
CORE, MEMBER, FAULT, REPORT = "kfed-core", "member", "fault-injector", "kfed-report"
MAX_LISTED = 6  # clusters named in one message before "..."


@dataclass(frozen=True)
class Event:
    """One narrated event; `count` identical ones from `t` (first seen) to `last`."""

    t: float
    type: str
    reason: str
    object: str
    message: str
    source: str = CORE
    count: int = 1
    last: float = -1.0
    cluster: str = ""  # what filters match on (not shown)
    workload: str = ""
    clusters: tuple[str, ...] = field(default=())

    @property
    def last_seen(self) -> float:
        return self.t if self.last < 0 else self.last

    def record(self) -> dict[str, Any]:
        """The record `-o json|yaml` prints."""
        d = asdict(self)
        d["last"] = self.last_seen
        del d["clusters"]
        return d


def _replicas(n: int) -> str:
    return f"{n} replica{'s' * (n != 1)}"


def _listed(items: Sequence[str]) -> str:
    shown = list(items[:MAX_LISTED])
    return " ".join(shown) + (f" … (+{len(items) - MAX_LISTED})" if len(items) > MAX_LISTED else "")


def _camel(kind: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in kind.replace("_", "-").split("-") if p)


def _ev(
    r: Row,
    type: str,
    reason: str,
    message: str,
    source: str = CORE,
    clusters: tuple[str, ...] = (),
) -> Event:
    """An event about the row's workload, else its cluster, else the federation."""
    obj = r.workload or (f"cluster/{r.cluster}" if r.cluster else "federation")
    return Event(r.t, type, reason, obj, message, source, 1, -1.0, r.cluster, r.workload, clusters)


def _fault(r: Row) -> Event | None:
    f = r.fields
    kind = str(f.get("fault", "fault"))
    phase = f.get("phase")
    if phase == "start":
        extra = details(kind, f)
        msg = f"{kind} began" + (f" for {float(f['duration']):g} s" if "duration" in f else "")
        return _ev(r, WARNING, "FaultInjected", msg + (f" ({extra})" if extra else ""), FAULT)
    if phase == "end":
        return _ev(r, NORMAL, "FaultCleared", f"{kind} ended", FAULT)
    if phase == "down":
        return _ev(r, WARNING, "FaultDown", f"{kind}: down", FAULT)
    if phase == "up":
        return _ev(r, NORMAL, "FaultUp", f"{kind}: up", FAULT)
    return None


def _rescale(r: Row) -> list[Event]:
    """An autoscaler's decision, as the HPA's own SuccessfulRescale event (evaluations that
    change nothing are not events)."""
    f = r.fields
    cur, new = f.get("current"), f.get("desired")
    if new is None or new == cur:
        return []
    who = f"{r.cluster}'s own HPA" if r.cluster else "FederatedHPA"
    msg = f"{who} {f.get('hpa')}: new size {new} (was {cur})"
    read = []
    if f.get("utilization") is not None:
        read.append(f"utilization {f['utilization']}% of request")
    if f.get("ready_pods") is not None:
        read.append(f"{f['ready_pods']} ready pods")
    if not r.cluster and f.get("calibration") is not None:
        read.append(f"calibration {float(f['calibration']):.2f}")
    if read:
        msg += "; " + ", ".join(read)
    return [
        _ev(
            r,
            NORMAL,
            "SuccessfulRescale",
            msg + _why(f, "reason").replace(":", ";", 1),
            CORE if not r.cluster else MEMBER,
        )
    ]


def _why(f: Mapping[str, Any], key: str = "reason") -> str:
    return f": {f[key]}" if f.get(key) else ""


class _Narrator:
    """Turns rows into events, keeping what the messages need: when a cluster's probes began to
    fail or its state began, each workload's ready replicas and desired count, capacities."""

    def __init__(self) -> None:
        self.since: dict[str, float] = {}  # cluster -> when its health state began
        self.failing: dict[str, float] = {}  # cluster -> first failed probe of the current run
        self.ready: dict[str, dict[str, int]] = defaultdict(dict)
        self.desired: dict[str, int] = {}
        self.available: dict[str, bool] = {}  # a workload's state, once it was first available
        self.capacity: dict[str, Mapping[str, Any]] = {}
        self.pending: dict[tuple[str, str], int] = {}

    def health(self, r: Row) -> Event:
        f, c = r.fields, r.cluster
        frm, to, why = str(f.get("from", "")), str(f.get("to", "")), str(f.get("reason") or "")
        held = r.t - self.since.get(c, 0.0)
        self.since[c] = r.t
        paren = f" ({why})" if why else ""
        if to == "Suspect":
            self.failing[c] = r.t
            return _ev(r, WARNING, "ProbeFailed", f"probe failed{paren}; Suspect")
        if to == "Offline":
            if frm == "Recovering":
                return _ev(r, WARNING, "ClusterOffline", f"probe failed while Recovering{paren}")
            n = f.get("failures", f.get("probes"))
            first = self.failing.get(c, r.t)
            msg = f"{n} probes failed" if n else "probes failed"
            msg += f" over {r.t - first:.1f} s since {first:.1f} s{paren}"
            return _ev(r, WARNING, "ClusterOffline", msg)
        self.failing.pop(c, None)
        if frm == "Suspect" and to == "Ready":
            return _ev(r, NORMAL, "ProbeSucceeded", "probe answered; Ready")
        if to == "Recovering":
            msg = f"probe answered after {held:.1f} s {frm}; Recovering"
            return _ev(r, NORMAL, "ClusterRecovering", msg)
        if frm == "Recovering" and to == "Ready":
            return _ev(r, NORMAL, "ClusterReady", f"probes answered for {held:.1f} s; Ready")
        return _ev(r, NORMAL, f"Cluster{to}", f"{frm} -> {to}{paren}")

    def readiness(self, r: Row) -> list[Event]:
        """Available / Degraded transitions of a workload, from its first full availability."""
        per, want = self.ready[r.workload], self.desired.get(r.workload, 0)
        total = sum(per.values())
        ok = total >= want > 0
        before = self.available.get(r.workload)
        if (before is None and not ok) or before == ok:
            return []
        self.available[r.workload] = ok
        where = _listed([f"{c}={n}" for c, n in sorted(per.items()) if n or not ok])
        msg = f"{total}/{want} ready" + (f" ({where})" if where else "")
        kind, reason = (NORMAL, "Available") if ok else (WARNING, "Degraded")
        return [replace(_ev(r, kind, reason, msg, MEMBER, tuple(per)), cluster="")]

    def schedule(self, r: Row) -> list[Event]:
        f = r.fields
        a = {str(x): int(n or 0) for x, n in (f.get("assignment") or {}).items()}
        if not a:
            out = [_ev(r, WARNING, "FailedScheduling", "no cluster selected")]
        else:
            msg = _listed([f"{x}={n}" for x, n in a.items()] if any(a.values()) else list(a))
            out = [_ev(r, NORMAL, "Scheduled", msg, clusters=tuple(a))]
        if int(f.get("unschedulable") or 0):
            msg = f"{_replicas(int(f['unschedulable']))} fit on no cluster"
            out.append(_ev(r, WARNING, "FailedScheduling", msg))
        return out

    def row(self, r: Row) -> list[Event]:
        f, k, c = r.fields, r.kind, r.cluster
        if k == "fault":
            e = _fault(r)
            return [e] if e else []
        if k == "health":
            return [self.health(r)]
        if k == "schedule":
            return self.schedule(r)
        if k == "unschedulable":
            n = f.get("replicas", f.get("unschedulable"))
            msg = f"{_replicas(int(n))} unschedulable" if n is not None else "unschedulable"
            return [_ev(r, WARNING, "FailedScheduling", msg + _why(f))]
        if k == "evict":
            n = int(f.get("replicas") or 0)
            how = ", ".join(x for x in (_replicas(n) if n else "", str(f.get("purge") or "")) if x)
            msg = f"left {c}: {f.get('reason', 'evicted')}" + (f" ({how})" if how else "")
            return [_ev(r, NORMAL, "Evicted", msg)]
        if k == "purge":
            what = "extra replicas after failback" if f.get("reason") == "failback" else "old copy"
            after = f" ({f['reason']})" if f.get("reason") not in (None, "", "failback") else ""
            return [_ev(r, NORMAL, "Purged", f"{what} on {c} released{_why(f, 'why')}{after}")]
        if k in ("failback", "readmit"):
            at = f" (evicted at {float(f['evicted_at']):.1f} s)" if "evicted_at" in f else ""
            if k == "readmit":
                return [_ev(r, NORMAL, "Readmitted", f"{c} may take replicas again{at}")]
            return [_ev(r, NORMAL, "FailedBack", f"back on {c}{at}")]
        if k == "reschedule":
            n = int(f.get("replicas") or 0)
            msg = f"{_replicas(n)} Pending on {c} moved elsewhere{_why(f)}"
            return [_ev(r, NORMAL, "Rescheduled", msg)]
        if k == "pending":
            n, before = int(f.get("pending") or 0), self.pending.get((c, r.workload), 0)
            self.pending[(c, r.workload)] = n
            if n == before:
                return []
            if n == 0:
                return [_ev(r, NORMAL, "PendingResolved", f"no replica Pending on {c}", MEMBER)]
            return [_ev(r, WARNING, "Pending", f"{_replicas(n)} Pending on {c}{_why(f)}", MEMBER)]
        if k == "delete":
            return [_ev(r, NORMAL, "Deleted", f"removed from {c}{_why(f)}")]
        if k == "apply":
            return []  # the schedule says where replicas go; applies are its mechanics
        if k == "ready":
            self.ready[r.workload][c] = int(f.get("ready") or 0)
            return self.readiness(r)
        if k == "desired":
            n, old = int(f.get("replicas") or 0), self.desired.get(r.workload)
            self.desired[r.workload] = n
            out = []
            if old is not None and old != n:
                out.append(_ev(r, NORMAL, "DesiredChanged", f"desired {old} -> {n}", MEMBER))
            return out + self.readiness(r)
        if k == "capacity":
            return self.capacity_changed(r)
        if k == "autoscale":
            return _rescale(r)
        if k == "cron":
            set_ = ", ".join(
                f"{x} {f[x]}" for x in ("replicas", "minReplicas", "maxReplicas") if x in f
            )
            msg = f"rule {f.get('rule')} ({f.get('schedule')}) of {f.get('cron')}: "
            msg += set_ or "nothing to set"
            if f.get("failed"):
                return [_ev(r, WARNING, "ScaleFailed", f"{msg}: refused, {f['failed']}")]
            return [_ev(r, NORMAL, "CronRuleFired", msg)]
        if k in ("traffic", "serving", "dns", "answer"):
            from federation.report.traffic_events import traffic_events

            return traffic_events(r)
        return [_ev(r, NORMAL, _camel(k), " ".join(f"{x}={v}" for x, v in sorted(f.items())))]

    def capacity_changed(self, r: Row) -> list[Event]:
        before, now = self.capacity.get(r.cluster), r.fields
        self.capacity[r.cluster] = now
        if before is None:
            return []
        keys = [k for k in ("nodes", "cpu", "pods") if k in now and before.get(k) != now.get(k)]
        if not keys:
            return []
        msg = ", ".join(f"{k} {float(before.get(k, 0)):g} -> {float(now[k]):g}" for k in keys)
        lost = any(float(now[k]) < float(before.get(k, 0)) for k in keys)
        kind, reason = (WARNING, "CapacityLost") if lost else (NORMAL, "CapacityRestored")
        return [_ev(r, kind, reason, msg, MEMBER)]


def narrate(rows: Sequence[Row], summary: Mapping[str, Any] | None = None) -> list[Event]:
    """Every event of a run in time order, one per occurrence (not collapsed); with the
    summary, each expectation's verdict at the end of the run."""
    n = _Narrator()
    out: list[Event] = []
    for r in sorted(rows, key=lambda r: r.t):
        out.extend(n.row(r))
    if summary:
        end = float(summary.get("simulated_seconds", max((r.t for r in rows), default=0.0)))
        obj = f"scenario/{summary.get('scenario', 'run')}"
        for e in summary.get("expectations", ()):
            ok = bool(e.get("passed"))
            msg = f"{e.get('description', e.get('kind', 'expectation'))}: {e.get('value')}"
            msg += f" ({e['reason']})" if e.get("reason") else ""
            reason = "ExpectationMet" if ok else "ExpectationFailed"
            out.append(Event(end, NORMAL if ok else WARNING, reason, obj, msg, REPORT))
    return out


def collapse(events: Iterable[Event]) -> list[Event]:
    """Repeats as one event with a count and its first and last time, as Kubernetes aggregates
    them: an event joins the latest one of the same object, type and reason when its message is
    the same (a flapping cluster's ProbeFailed x15), and starts a new one when it differs (a
    workload scheduled elsewhere and back is three Scheduled events, in order). Ordered by last
    seen, as `kubectl events`."""
    merged: list[Event] = []
    latest: dict[tuple[str, str, str], int] = {}
    for e in events:
        k = (e.object, e.type, e.reason)
        i = latest.get(k)
        if i is not None and merged[i].message == e.message:
            seen = merged[i]
            clusters = tuple(dict.fromkeys((*seen.clusters, *e.clusters)))
            merged[i] = replace(
                seen, count=seen.count + e.count, last=e.last_seen, clusters=clusters
            )
        else:
            latest[k] = len(merged)
            merged.append(e)
    return sorted(merged, key=lambda e: (e.last_seen, e.t))


def matching(
    events: Iterable[Event],
    *,
    since: float | None = None,
    until: float | None = None,
    workload: str | None = None,
    cluster: str | None = None,
    type: str | None = None,
    hide: Collection[str] = (),
) -> list[Event]:
    """The events in [since, until] about `workload` (its key) or `cluster` (events on that
    cluster, and schedules that place replicas there) of `type` (Normal or Warning), but none
    about the objects in `hide`."""
    return [
        e
        for e in events
        if (since is None or e.t >= since)
        and (until is None or e.t <= until)
        and (workload is None or e.workload == workload)
        and (cluster is None or e.cluster == cluster or cluster in e.clusters)
        and (type is None or e.type.lower() == type.lower())
        and e.object not in hide
    ]
