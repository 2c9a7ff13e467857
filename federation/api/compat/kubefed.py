"""KubeFed v2 documents -> kfed documents. A Federated<Kind> becomes its template, a
PropagationPolicy that copies it to the clusters its placement names (Duplicated; KubeFed
never moves it) and an OverridePolicy of its per-cluster JSON patches. A
ReplicaSchedulingPreference turns its Federated<Kind>'s policy into KubeFed's planner (method
kubefed) over every Ready cluster, with KubeFed's failover timing (re-planned after
unavailableDelay, readmitted after availableDelay). A KubeFedCluster becomes a Cluster; a
KubeFedConfig sets those delays and the scenario's health defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.compat import Job, Session
from federation.api.compat.kubefed_fields import CORE, SCHEDULING
from federation.api.duration import DurationError, parse_duration
from federation.api.errors import Path, show
from federation.api.kinds import API_VERSION, is_namespaced
from federation.api.source import SourceDoc

# the apiVersion of the types `kubefedctl enable` federates most, when no FederatedTypeConfig
# among the documents says otherwise
TARGETS = {
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "ServiceAccount": "v1",
    "Namespace": "v1",
    "Ingress": "networking.k8s.io/v1",
    "ClusterRole": "rbac.authorization.k8s.io/v1",
    "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
    "Role": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1",
}
# KubeFed's controller defaults (pkg/apis/core/v1beta1/defaults)
AVAILABLE_DELAY = 20.0
UNAVAILABLE_DELAY = 60.0


def _key(d: Mapping[str, Any]) -> tuple[str, str]:
    meta = d["metadata"]
    return meta.get("namespace") or "default", meta["name"]


def _seconds(s: Session, job: Job, path: Path, value: Any, default: float) -> float:
    if value is None:
        return default
    try:
        return parse_duration(value)
    except DurationError:
        s.error(job.doc, path, f"must be a duration like '20s', got {show(value)}")
        return default


def _types(jobs: Sequence[Job]) -> dict[str, tuple[str, bool]]:
    """Federated kind -> (target apiVersion, propagation enabled), from FederatedTypeConfigs."""
    out: dict[str, tuple[str, bool]] = {}
    for job in jobs:
        if job.kind.kind != "FederatedTypeConfig":
            continue
        spec = job.data.get("spec") or {}
        target = spec.get("targetType") or {}
        group, version = target.get("group"), target.get("version")
        api = f"{group}/{version}" if group else str(version)
        fed = (spec.get("federatedType") or {}).get("kind") or f"Federated{target.get('kind')}"
        out[fed] = (api, spec.get("propagation", "Enabled") == "Enabled")
    return out


def _template(job: Job, target: str, api: str, replicas: int | None) -> dict[str, Any]:
    d = job.data
    template = dict(d["spec"].get("template") or {})
    tmeta = template.pop("metadata", None) or {}
    meta: dict[str, Any] = {"name": d["metadata"]["name"]}
    if is_namespaced(target):
        meta["namespace"] = _key(d)[0]
    for key in ("labels", "annotations"):
        if tmeta.get(key):
            meta[key] = dict(tmeta[key])
    if replicas is not None:
        template["spec"] = {**(template.get("spec") or {}), "replicas": replicas}
    return {"apiVersion": api, "kind": target, "metadata": meta, **template}


def _rsp_scheduling(rsp: Mapping[str, Any]) -> dict[str, Any]:
    """KubeFed's preferences as kfed's weights and bounds: an explicit entry wins over "*"; a
    cluster with neither gets nothing (weight 0)."""
    prefs: Mapping[str, Any] = rsp.get("clusters") or {"*": {"weight": 1}}
    named = sorted(c for c in prefs if c != "*")
    weights: list[dict[str, Any]] = []
    bounds: list[dict[str, Any]] = []
    for name in [*named, "*"]:
        if name not in prefs:
            continue
        p = prefs[name] or {}
        target: dict[str, Any] = {"clusterNames": [name]} if name != "*" else {}
        if name == "*" and named:
            target = {"exclude": named}
        weights.append({"targetCluster": target, "weight": int(p.get("weight", 0))})
        if p.get("minReplicas") or p.get("maxReplicas") is not None:
            b: dict[str, Any] = {
                "targetCluster": target,
                "minReplicas": int(p.get("minReplicas", 0)),
            }
            if p.get("maxReplicas") is not None:
                b["maxReplicas"] = int(p["maxReplicas"])
            bounds.append(b)
    out: dict[str, Any] = {
        "replicaSchedulingType": "Divided",
        "method": "kubefed",
        "rebalance": bool(rsp.get("rebalance", False)),
        "weights": weights,
    }
    if bounds:
        out["clusterReplicas"] = bounds
    return out


def _federated(
    s: Session,
    job: Job,
    types: Mapping[str, tuple[str, bool]],
    rsps: Mapping[tuple[str, str, str], Job],
    delays: tuple[float, float],
) -> None:
    d = job.data
    kind = str(d["kind"])
    target = kind.removeprefix("Federated")
    api, enabled = types.get(kind, (TARGETS.get(target, ""), True))
    if not api:
        s.error(
            job.doc,
            ("kind",),
            f"no FederatedTypeConfig among the documents federates {kind}, and kfed does not "
            f"know {target}'s apiVersion",
        )
        return
    ns, name = _key(d)
    rsp = rsps.get((kind, ns, name))
    spec = d["spec"]
    replicas = rsp.data["spec"]["totalReplicas"] if rsp is not None else None
    job.emit(
        _template(job, target, api, replicas),
        ((("metadata",), ("metadata",)), ((), ("spec", "template"))),
    )
    placement = spec.get("placement")
    pp_kind = "PropagationPolicy" if is_namespaced(target) else "ClusterPropagationPolicy"
    meta = {"name": name, "namespace": ns} if pp_kind == "PropagationPolicy" else {"name": name}
    selector = {"apiVersion": api, "kind": target, "name": name}
    policy: dict[str, Any] | None = None
    if not enabled:
        job.report.set(
            ("spec", "placement"),
            "exact",
            f"the FederatedTypeConfig of {kind} disables propagation: placed nowhere",
        )
    elif rsp is not None:
        rs = rsp.data["spec"]
        affinity: dict[str, Any] = {}
        if rs.get("intersectWithClusterSelector") and placement and "clusterSelector" in placement:
            affinity = {"labelSelector": placement["clusterSelector"]}
        available, unavailable = delays
        policy = {
            "placement": {"clusterAffinity": affinity, "replicaScheduling": _rsp_scheduling(rs)},
            "failover": {
                "tolerationSeconds": unavailable,
                "purgeMode": "Directly",
                "failback": {
                    "enabled": bool(rs.get("rebalance", False)),
                    "stabilizationWindowSeconds": available,
                },
            },
        }
        if placement:
            job.report.set(
                ("spec", "placement"),
                "exact",
                f"replaced by ReplicaSchedulingPreference {rsp.report.where}, as KubeFed does",
            )
        rsp.report.becomes.append(f"{pp_kind} {ns}/{name} (division method kubefed)")
        job.report.notes.append(
            f"scheduled by a ReplicaSchedulingPreference: re-planned without a cluster "
            f"{unavailable:g}s after it goes Offline, a candidate again {available:g}s after "
            "it is Ready" + (" (replicas move back: rebalance)" if rs.get("rebalance") else "")
        )
    elif placement is not None:
        if "clusters" in placement:
            names = [c["name"] for c in placement["clusters"]]
            affinity = {"clusterNames": names} if names else {}
            if "clusterSelector" in placement:
                job.report.set(
                    ("spec", "placement", "clusterSelector"),
                    "exact",
                    "ignored: a clusters list wins, as in KubeFed",
                )
        else:
            affinity = {"labelSelector": placement.get("clusterSelector") or {}}
        if "clusters" in placement and not placement["clusters"]:
            job.report.set(
                ("spec", "placement", "clusters"), "exact", "an empty list: placed nowhere"
            )
        else:
            policy = {
                "placement": {
                    "clusterAffinity": affinity,
                    "replicaScheduling": {"replicaSchedulingType": "Duplicated"},
                },
                "failover": {"enabled": False},  # KubeFed never moves what no RSP schedules
            }
            job.report.notes.append(
                "copied whole to every cluster it names (Duplicated); KubeFed never moves it "
                "(failover.enabled: false)"
            )
    if policy is not None:
        job.emit(
            {
                "apiVersion": API_VERSION,
                "kind": pp_kind,
                "metadata": meta,
                "spec": {"resourceSelectors": [selector], **policy},
            },
            ((("spec", "placement"), ("spec", "placement")),),
        )
    _overrides(job, pp_kind, meta, selector, replaced=rsp is not None)


def _overrides(
    job: Job, pp_kind: str, meta: dict[str, Any], selector: dict[str, Any], *, replaced: bool
) -> None:
    rules: list[dict[str, Any]] = []
    origin: list[tuple[Path, Path]] = []
    for i, o in enumerate(job.data["spec"].get("overrides", ())):
        ops: list[dict[str, Any]] = []
        for j, op in enumerate(o.get("clusterOverrides", ())):
            if replaced and op["path"] == "/spec/replicas":
                job.report.set(
                    ("spec", "overrides", i, "clusterOverrides", j),
                    "exact",
                    "replaced by the ReplicaSchedulingPreference's division, as KubeFed does",
                )
                continue
            item = {"path": op["path"], "operator": op.get("op") or "replace"}
            if "value" in op:
                item["value"] = op["value"]
            origin.append(
                (
                    ("spec", "overrideRules", len(rules), "overriders", "plaintext", len(ops)),
                    ("spec", "overrides", i, "clusterOverrides", j),
                )
            )
            ops.append(item)
        if ops:
            rules.append(
                {
                    "targetCluster": {"clusterNames": [o["clusterName"]]},
                    "overriders": {"plaintext": ops},
                }
            )
    if rules:
        kind = "OverridePolicy" if pp_kind == "PropagationPolicy" else "ClusterOverridePolicy"
        job.emit(
            {
                "apiVersion": API_VERSION,
                "kind": kind,
                "metadata": meta,
                "spec": {"resourceSelectors": [selector], "overrideRules": rules},
            },
            tuple(origin),
        )


def _cluster(job: Job) -> None:
    d = job.data
    status = d.get("status") or {}
    spec: dict[str, Any] = {}
    if status.get("region"):
        spec["region"] = status["region"]
    zones = status.get("zones") or []
    if zones:
        spec["zone"] = zones[0]
        if len(zones) > 1:
            job.report.set(
                ("status", "zones"),
                "approximated",
                f"kfed's clusters have one zone: {zones[0]!r} of {show(zones)}",
            )
    meta: dict[str, Any] = {"name": d["metadata"]["name"]}
    for key in ("labels", "annotations"):
        if d["metadata"].get(key):
            meta[key] = dict(d["metadata"][key])
    job.emit({"apiVersion": API_VERSION, "kind": "Cluster", "metadata": meta, "spec": spec})


def translate(s: Session, jobs: Sequence[Job], docs: list[SourceDoc]) -> Mapping[str, Any] | None:
    """KubeFed's documents of one federation -> kfed documents (on each job's `out`); the
    KubeFedConfig's clusterHealthCheck, if any."""
    types = _types(jobs)
    configs = [j for j in jobs if j.kind.kind == "KubeFedConfig"]
    health: Mapping[str, Any] | None = None
    available, unavailable = AVAILABLE_DELAY, UNAVAILABLE_DELAY
    for i, job in enumerate(configs):
        if i:
            s.error(job.doc, ("kind",), "one KubeFedConfig per federation")
            continue
        spec = job.data.get("spec") or {}
        cd = spec.get("controllerDuration") or {}
        path: Path = ("spec", "controllerDuration")
        available = _seconds(s, job, (*path, "availableDelay"), cd.get("availableDelay"), 20.0)
        unavailable = _seconds(
            s, job, (*path, "unavailableDelay"), cd.get("unavailableDelay"), 60.0
        )
        hc = spec.get("clusterHealthCheck") or {}
        health = {
            "period": _seconds(
                s, job, ("spec", "clusterHealthCheck", "period"), hc.get("period"), 10.0
            ),
            "timeout": _seconds(
                s, job, ("spec", "clusterHealthCheck", "timeout"), hc.get("timeout"), 3.0
            ),
            "failureThreshold": hc.get("failureThreshold", 3),
            "successThreshold": hc.get("successThreshold", 1),
        }
    rsps: dict[tuple[str, str, str], Job] = {}
    for job in jobs:
        if (job.kind.api_version, job.kind.kind) == (SCHEDULING, "ReplicaSchedulingPreference"):
            ns, name = _key(job.data)
            rsps[(job.data["spec"]["targetKind"], ns, name)] = job
    used: set[tuple[str, str, str]] = set()
    for job in jobs:
        if job.kind.kind == "Federated<Kind>":
            ns, name = _key(job.data)
            used.add((str(job.data["kind"]), ns, name))
            _federated(s, job, types, rsps, (available, unavailable))
        elif (job.kind.api_version, job.kind.kind) == (CORE, "KubeFedCluster"):
            _cluster(job)
    for key, job in rsps.items():
        if key not in used:
            s.warn(
                job.doc,
                ("spec", "targetKind"),
                f"no {key[0]} {key[1]}/{key[2]} among the documents: nothing to schedule",
            )
    return health
