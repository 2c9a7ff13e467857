"""What the core decides, told as a controller tells it: structured log lines, and Kubernetes
Events on the host for what a user watches (a member's health changing, a workload evicted from
a member or coming back), attached to the Cluster or the template. Nothing is kept: a
long-running controller must not grow a timeline."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from federation.recorder import Recorder

log = logging.getLogger("kfed.events")
_TOLD = frozenset({"health", "evict", "failback", "readmit", "purge", "reschedule"})
_REASONS = {
    "health": "ClusterHealth",
    "evict": "Evicted",
    "failback": "FailedBack",
    "readmit": "Readmitted",
    "purge": "Purged",
    "reschedule": "Rescheduled",
}


class ControllerEvents(Recorder):
    """A `Recorder` that logs rows and hands the notable ones to `emit(kind, cluster,
    workload, fields)`; it stores nothing."""

    def __init__(self, emit: Callable[[str, str, str, Mapping[str, Any]], None]) -> None:
        super().__init__(actions=True)
        self.emit = emit
        self.rows = _Nothing()

    def row(
        self, t: float, kind: str, cluster: str = "", workload: str = "", **fields: Any
    ) -> None:
        level = logging.INFO if kind in _TOLD else logging.DEBUG
        if log.isEnabledFor(level):
            log.log(level, kind, extra={"cluster": cluster, "workload": workload, "fields": fields})
        if kind in _TOLD:
            self.emit(kind, cluster, workload, fields)

    def plan(self, t: float, plan: Any, sent: Any = None) -> None:
        for e in plan.events:
            self.row(e.t, e.kind, e.cluster, e.workload, **dict(e.fields))
        if log.isEnabledFor(logging.DEBUG):
            for a in plan.actions if sent is None else sent:
                verb = "apply" if hasattr(a, "manifest") else "delete"
                log.debug(verb, extra={"cluster": a.cluster, "workload": a.key, "reason": a.reason})


class _Nothing(list):  # type: ignore[type-arg]
    """A list that keeps nothing appended to it (the base Recorder appends plan rows)."""

    def append(self, item: Any) -> None:
        return


def event(
    kind: str,
    fields: Mapping[str, Any],
    involved: Mapping[str, Any],
    namespace: str,
    stamp: str,
    identity: str,
) -> dict[str, Any]:
    """A core/v1 Event about `involved` (a host object)."""
    meta = involved["metadata"]
    if kind == "health":
        message = f"health {fields.get('from')} -> {fields.get('to')}"
        if fields.get("reason"):
            message += f" ({fields['reason']})"
    else:
        message = ", ".join(f"{k}={v}" for k, v in sorted(fields.items()))
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": f"{meta['name']}.", "namespace": namespace},
        "involvedObject": {
            "apiVersion": involved.get("apiVersion", ""),
            "kind": involved.get("kind", ""),
            "name": meta["name"],
            "namespace": meta.get("namespace", ""),
            "uid": meta.get("uid", ""),
        },
        "reason": _REASONS.get(kind, kind),
        "message": message[:1000],
        "type": "Warning" if kind in ("evict",) or fields.get("to") == "Offline" else "Normal",
        "source": {"component": "kfed-controller", "host": identity},
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
        "reportingComponent": "kfed.io/controller",
        "reportingInstance": identity,
    }
