"""Karmada's FederatedHPA and CronFederatedHPA -> kfed's (the same shapes in kfed's group): the
metric kfed simulates (cpu Utilization; Karmada's default when none is given) chosen among the
document's, what Karmada's controllers ignore dropped, a CronFederatedHPA's FederatedHPA named
in kfed's group, cron descriptors written as the 5-field schedules they stand for, and Karmada's
webhook checks kfed's loader does not make itself (one metric source per metric, unique rule
names, a FederatedHPA named with Karmada's group)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.compat import Job, Session
from federation.api.compat.karmada_autoscaling_fields import (
    AUTOSCALING,
    CPU_ONLY,
    TIME_ZONE_ABSENT,
)
from federation.api.errors import Path, show
from federation.api.kinds import API_VERSION

# robfig/cron's descriptors (the parser behind Karmada's gocron scheduler), as 5-field schedules
DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_SOURCES = {
    "Resource": "resource",
    "Pods": "pods",
    "Object": "object",
    "ContainerResource": "containerResource",
}


def _meta(d: Mapping[str, Any]) -> dict[str, Any]:
    meta = d["metadata"]
    out: dict[str, Any] = {"name": meta.get("name")}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    for key in ("labels", "annotations"):
        if meta.get(key):
            out[key] = dict(meta[key])
    return out


def key_of(d: Mapping[str, Any], name: str | None = None) -> str:
    return f"{d['metadata'].get('namespace') or 'default'}/{name or d['metadata'].get('name')}"


def _cpu_utilization(m: Mapping[str, Any]) -> bool:
    r = m.get("resource") or {}
    return (
        m["type"] == "Resource"
        and r.get("name") == "cpu"
        and (r.get("target") or {}).get("type") == "Utilization"
    )


def _forget_below(job: Job, path: Path) -> None:
    """Drop the statuses of the fields below `path` (the part as a whole gets one)."""
    n = len(path)
    job.report.fields = [f for f in job.report.fields if f.path[:n] != path or len(f.path) == n]


def _metrics_ok(s: Session, job: Job, metrics: Sequence[Mapping[str, Any]]) -> bool:
    """Karmada's webhook: each metric has its type's source and no other; a Utilization target
    has an averageUtilization."""
    ok = True
    for i, m in enumerate(metrics):
        at: Path = ("spec", "metrics", i)
        want = _SOURCES[m["type"]]
        if want not in m:
            s.error(job.doc, at, f"a {m['type']} metric needs {want}, got {show(dict(m))}")
            ok = False
        for other in _SOURCES.values():
            if other != want and other in m:
                s.error(job.doc, (*at, other), f"a {m['type']} metric has only {want}")
                ok = False
        target = (m.get("resource") or {}).get("target") or {}
        if target.get("type") == "Utilization" and "averageUtilization" not in target:
            s.error(
                job.doc,
                (*at, "resource", "target"),
                f"a Utilization target needs averageUtilization, got {show(dict(target))}",
            )
            ok = False
    return ok


def federated_hpa(s: Session, job: Job) -> bool:
    """Emit the kfed FederatedHPA of a Karmada one; False when kfed cannot simulate it."""
    spec = job.data["spec"]
    out: dict[str, Any] = {"scaleTargetRef": dict(spec["scaleTargetRef"])}
    for key in ("minReplicas", "maxReplicas"):
        if key in spec:
            out[key] = spec[key]
    metrics = list(spec.get("metrics") or ())
    if not _metrics_ok(s, job, metrics):
        return False
    origin: list[tuple[Path, Path]] = []
    if metrics:
        cpu = [i for i, m in enumerate(metrics) if _cpu_utilization(m)]
        others = [i for i in range(len(metrics)) if i not in cpu]
        for i in others:
            _forget_below(job, ("spec", "metrics", i))
            job.report.set(("spec", "metrics", i), "not simulated", CPU_ONLY)
        if not cpu:
            job.report.set(
                (),
                "not simulated",
                "kfed models CPU utilization only and none of its metrics is cpu "
                "Utilization: the workload keeps the replicas it is given",
            )
            return False
        best = min(cpu, key=lambda i: metrics[i]["resource"]["target"]["averageUtilization"])
        target = metrics[best]["resource"]["target"]["averageUtilization"]
        out["metrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": target},
                },
            }
        ]
        origin.append((("spec", "metrics", 0), ("spec", "metrics", best)))
        if others:
            job.report.set(
                ("spec", "metrics", best, "resource", "target", "averageUtilization"),
                "approximated",
                "Karmada scales to the largest of the proposals of all the metrics; kfed to "
                "this one's (the others are not simulated)",
            )
    if "behavior" in spec:
        out["behavior"] = {
            direction: {k: v for k, v in rules.items() if k != "tolerance"}
            for direction, rules in spec["behavior"].items()
        }
    job.emit(
        {
            "apiVersion": API_VERSION,
            "kind": "FederatedHPA",
            "metadata": _meta(job.data),
            "spec": out,
        },
        tuple(origin),
    )
    return True


def _target(s: Session, job: Job) -> dict[str, Any] | None:
    ref = job.data["spec"]["scaleTargetRef"]
    at: Path = ("spec", "scaleTargetRef")
    on_hpa = ref.get("apiVersion") == AUTOSCALING
    if on_hpa and ref["kind"] != "FederatedHPA":
        s.error(
            job.doc,
            (*at, "kind"),
            f"must be FederatedHPA under {AUTOSCALING} (Karmada scales no other kind of its "
            f"group), got {show(ref['kind'])}",
        )
        return None
    if not on_hpa and ref["kind"] == "FederatedHPA":
        s.error(
            job.doc,
            (*at, "apiVersion"),
            f"must be {AUTOSCALING} to name a FederatedHPA (Karmada scales anything else "
            f"through its scale subresource), got {show(ref.get('apiVersion'))}",
        )
        return None
    out = dict(ref)
    if on_hpa:
        out["apiVersion"] = API_VERSION
    return out


def _rule(job: Job, i: int, r: Mapping[str, Any], on_hpa: bool) -> dict[str, Any]:
    at: Path = ("spec", "rules", i)
    rule = dict(r)
    schedule = " ".join(str(r["schedule"]).split())
    rule["schedule"] = DESCRIPTORS.get(schedule, schedule)
    for key in ("targetReplicas",) if on_hpa else ("targetMinReplicas", "targetMaxReplicas"):
        rule.pop(key, None)
    if "timeZone" not in r:
        job.report.set((*at, "timeZone"), "approximated", TIME_ZONE_ABSENT)
    return rule


def cron_federated_hpa(s: Session, job: Job, simulated: set[str], unsimulated: set[str]) -> None:
    """Emit the kfed CronFederatedHPA of a Karmada one (`simulated`: the keys of the
    FederatedHPAs emitted, `unsimulated`: those kfed cannot simulate)."""
    spec = job.data["spec"]
    target = _target(s, job)
    if target is None:
        return
    on_hpa = target["kind"] == "FederatedHPA" and target.get("apiVersion") == API_VERSION
    hpa = key_of(job.data, target["name"])
    if on_hpa and hpa in unsimulated:
        job.report.set(
            (),
            "not simulated",
            f"it sets the bounds of FederatedHPA {hpa}, which kfed does not simulate",
        )
        return
    rules: list[dict[str, Any]] = []
    origin: list[tuple[Path, Path]] = []
    seen: set[str] = set()
    for i, r in enumerate(spec["rules"]):
        if r["name"] in seen:
            s.error(job.doc, ("spec", "rules", i, "name"), f"must be unique, got {show(r['name'])}")
            continue
        seen.add(r["name"])
        if str(r["schedule"]).strip().startswith("@every"):
            _forget_below(job, ("spec", "rules", i))
            job.report.set(
                ("spec", "rules", i),
                "not simulated",
                "@every counts from when Karmada's controller starts the rule's job; this rule "
                "never fires in kfed",
            )
            continue
        origin.append((("spec", "rules", len(rules)), ("spec", "rules", i)))
        rules.append(_rule(job, i, r, on_hpa))
    if not rules:
        job.report.set((), "not simulated", "no rule kfed simulates")
        return
    job.emit(
        {
            "apiVersion": API_VERSION,
            "kind": "CronFederatedHPA",
            "metadata": _meta(job.data),
            "spec": {"scaleTargetRef": target, "rules": rules},
        },
        tuple(origin),
    )


def translate(s: Session, jobs: Sequence[Job]) -> None:
    """Karmada's autoscalers -> kfed's: the FederatedHPAs first, then the CronFederatedHPAs,
    which need to know which FederatedHPAs kfed simulates."""
    simulated: set[str] = set()
    unsimulated: set[str] = set()
    for job in jobs:
        if job.kind.kind == "FederatedHPA":
            (simulated if federated_hpa(s, job) else unsimulated).add(key_of(job.data))
    for job in jobs:
        if job.kind.kind == "CronFederatedHPA":
            cron_federated_hpa(s, job, simulated, unsimulated)
