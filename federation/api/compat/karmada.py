"""Karmada documents -> kfed documents. Policies keep their shape (kfed's documents are
Karmada-shaped and give Karmada's field names Karmada's meanings); what differs is said in each
document's report: kfed's own eviction of Offline clusters is off (Karmada evicts only on
NoExecute taints, a ClusterTaintPolicy's), spread constraints are what Karmada's scheduler does
with them, a PriorityClass name becomes its value (a Cluster: `karmada_cluster`; the
autoscalers: `karmada_autoscaling`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from federation.api.compat import Job, Session, karmada_autoscaling
from federation.api.compat.karmada_autoscaling_fields import AUTOSCALING
from federation.api.compat.karmada_cluster import cluster
from federation.api.compat.karmada_fields import APPS, CLUSTER, POLICY
from federation.api.errors import Path, show
from federation.api.kinds import API_VERSION
from federation.api.source import SourceDoc

PRIORITY_CLASS = ("scheduling.k8s.io/v1", "PriorityClass")
_MAIN_SPREAD = ("cluster", "region")


def _meta(d: Mapping[str, Any], namespaced: bool) -> dict[str, Any]:
    meta = d["metadata"]
    out: dict[str, Any] = {"name": meta.get("name")}
    if namespaced and meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    for key in ("labels", "annotations"):
        if meta.get(key):
            out[key] = dict(meta[key])
    return out


def _selectors(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for sel in items:
        s = dict(sel)
        if s.get("name"):  # Karmada: "If name is not empty, labelSelector will be ignored"
            s.pop("labelSelector", None)
        out.append(s)
    return out


def static_weighted(rs: Mapping[str, Any] | None) -> bool:
    """Karmada's isStaticWeightedStrategy: Divided, Weighted (the webhook's default), and no
    dynamicWeight."""
    if rs is None or rs.get("replicaSchedulingType", "Divided") != "Divided":
        return False
    if rs.get("replicaDivisionPreference", "Weighted") != "Weighted":
        return False
    return not (rs.get("weightPreference") or {}).get("dynamicWeight")


def _spread(job: Job, placement: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The spread constraints Karmada's scheduler applies: none under static weights; cluster
    and region; zone and provider only when they are alone (Karmada would refuse to schedule
    then: kfed spreads by them and says so); spreadByLabel never."""
    items = list(placement.get("spreadConstraints", ()))
    base: Path = ("spec", "placement", "spreadConstraints")
    if static_weighted(placement.get("replicaScheduling")):
        for i, _ in enumerate(items):
            job.report.set(
                (*base, i),
                "exact",
                "ignored: Karmada ignores spread constraints under static weights",
            )
        return []
    main = any(
        not sc.get("spreadByLabel") and sc.get("spreadByField", "cluster") in _MAIN_SPREAD
        for sc in items
    )
    out = []
    for i, sc in enumerate(items):
        at = (*base, i)
        if sc.get("spreadByLabel"):
            why = (
                "ignored, as Karmada's scheduler ignores it next to a cluster or region constraint"
                if main
                else "Karmada places nothing with only a spreadByLabel constraint (its "
                "scheduler implements cluster and region); kfed ignores it"
            )
            job.report.set((*at, "spreadByLabel"), "exact" if main else "not simulated", why)
            continue
        by = sc.get("spreadByField", "cluster")
        if by in _MAIN_SPREAD:
            out.append({k: v for k, v in sc.items() if k != "maxGroups" or v})
            if sc.get("maxGroups") == 0:
                job.report.set((*at, "maxGroups"), "approximated", "0 is read as no limit")
            continue
        if main:
            job.report.set(
                (*at, "spreadByField"),
                "approximated",
                f"dropped: Karmada's selection ignores {by} next to a cluster or region "
                f"constraint (its filter still drops clusters without a {by})",
            )
            continue
        job.report.set(
            (*at, "spreadByField"),
            "approximated",
            f"Karmada refuses to schedule with only a {by} constraint ('just support cluster "
            f"and region spread constraint'); kfed spreads by {by}",
        )
        out.append(dict(sc))
    return out


def _placement(job: Job, spec: Mapping[str, Any]) -> dict[str, Any]:
    given = spec.get("placement") or {}
    out: dict[str, Any] = {}
    for key in ("clusterAffinity", "clusterAffinities", "clusterTolerations"):
        if key in given:
            out[key] = given[key]
    spread = _spread(job, given)
    if spread:
        out["spreadConstraints"] = spread
    if "replicaScheduling" in given:
        out["replicaScheduling"] = dict(given["replicaScheduling"])
    return out


def _priorities(s: Session, jobs: Sequence[Job], docs: list[SourceDoc]) -> dict[str, int]:
    """PriorityClass values by name (those documents are read here and not placed)."""
    out: dict[str, int] = {}
    keep = []
    for doc in docs:
        d = doc.data
        if isinstance(d, Mapping) and (d.get("apiVersion"), d.get("kind")) == PRIORITY_CLASS:
            name = (d.get("metadata") or {}).get("name")
            value = d.get("value")
            if isinstance(value, bool) or not isinstance(value, int):
                s.error(doc, ("value",), f"must be an integer, got {show(value)}")
            elif isinstance(name, str):
                out[name] = value
        else:
            keep.append(doc)
    docs[:] = keep
    return out


def _rebalanced(jobs: Sequence[Job]) -> list[tuple[Job, Mapping[str, Any]]]:
    return [
        (job, w)
        for job in jobs
        if (job.kind.api_version, job.kind.kind) == (APPS, "WorkloadRebalancer")
        for w in job.data["spec"].get("workloads", ())
    ]


def _selects(pp: Mapping[str, Any], ns: str, w: Mapping[str, Any]) -> bool:
    for sel in pp["spec"]["resourceSelectors"]:
        if sel.get("apiVersion") not in (None, w["apiVersion"]) or sel.get("kind") != w["kind"]:
            continue
        if sel.get("name") and sel["name"] != w["name"]:
            continue
        want = sel.get("namespace") or ns
        if want and want != (w.get("namespace") or ns or "default"):
            continue
        return True
    return False


def _propagation(
    s: Session, job: Job, priorities: Mapping[str, int], rebalanced: Sequence[Mapping[str, Any]]
) -> None:
    d, spec = job.data, job.data["spec"]
    namespaced = job.kind.kind == "PropagationPolicy"
    out: dict[str, Any] = {
        "resourceSelectors": _selectors(spec["resourceSelectors"]),
        "placement": _placement(job, spec),
    }
    for key in ("priority", "propagateDeps", "suspension"):
        if key in spec:
            out[key] = spec[key]
    if spec.get("schedulerName", "default-scheduler") != "default-scheduler":
        job.report.set(
            ("spec", "schedulerName"),
            "not simulated",
            f"kfed has one scheduler, Karmada's default; {show(spec['schedulerName'])} is not it",
        )
    prio = spec.get("schedulePriority") or {}
    if "priorityClassName" in prio:
        name = prio["priorityClassName"]
        if name not in priorities:
            s.warn(
                job.doc,
                ("spec", "schedulePriority", "priorityClassName"),
                f"no PriorityClass {name!r} among the documents: priority 0",
            )
        out["schedulePriority"] = {"priority": priorities.get(name, 0)}
    ns = d["metadata"].get("namespace") or ("default" if namespaced else "")
    fails_back = any(_selects(d, ns, w) for w in rebalanced)
    # Karmada evicts only on NoExecute taints (a ClusterTaintPolicy's): kfed's own eviction of
    # Offline clusters is off; a cluster is a candidate again as soon as it is Ready
    failover: dict[str, Any] = {
        "enabled": False,
        "failback": {"enabled": fails_back, "stabilizationWindowSeconds": 0},
    }
    purge = ((spec.get("failover") or {}).get("cluster") or {}).get("purgeMode")
    if purge:
        failover["cluster"] = {"purgeMode": purge}
    out["failover"] = failover
    job.report.notes.append(
        "kfed's own eviction of Offline clusters is off (failover.enabled: false): Karmada "
        "evicts only on NoExecute taints, such as a ClusterTaintPolicy adds; a cluster is a "
        "candidate again as soon as it is Ready (stabilizationWindowSeconds: 0)"
        + ("; a WorkloadRebalancer names its workloads: failback enabled" if fails_back else "")
    )
    job.emit(
        {
            "apiVersion": API_VERSION,
            "kind": job.kind.kind,
            "metadata": _meta(d, namespaced),
            "spec": out,
        }
    )


def _override(job: Job) -> None:
    d, spec = job.data, job.data["spec"]
    namespaced = job.kind.kind == "OverridePolicy"
    rules = [dict(r) for r in spec.get("overrideRules", ())]
    if "overriders" in spec:  # the deprecated single rule
        legacy: dict[str, Any] = {"overriders": spec["overriders"]}
        if "targetCluster" in spec:
            legacy["targetCluster"] = spec["targetCluster"]
        rules.append(legacy)
    selectors = _selectors(spec.get("resourceSelectors") or [{}])  # none: every template
    out = {"resourceSelectors": selectors, "overrideRules": rules}
    origin: tuple[tuple[Path, Path], ...] = ()
    if "overriders" in spec:
        n = len(spec.get("overrideRules", ()))
        origin = (
            (("spec", "overrideRules", n, "targetCluster"), ("spec", "targetCluster")),
            (("spec", "overrideRules", n, "overriders"), ("spec", "overriders")),
        )
    job.emit(
        {
            "apiVersion": API_VERSION,
            "kind": job.kind.kind,
            "metadata": _meta(d, namespaced),
            "spec": out,
        },
        origin,
    )


def _taint_policy(job: Job) -> None:
    # the same shape in kfed; its conditions are judged (and warned about) by kfed's loader
    for path, f in list((n.path, n) for n in job.report.fields):
        if path[:2] in (("spec", "addOnConditions"), ("spec", "removeOnConditions")):
            job.report.set(path, f.status, f.note, warned=False)
    spec = job.data["spec"]
    adds = spec.get("addOnConditions", ())
    ready = [
        c
        for c in adds
        if c["conditionType"] == "Ready"
        and (
            (c["operator"] == "NotIn" and set(c["statusValues"]) == {"True"})
            or (c["operator"] == "In" and set(c["statusValues"]) <= {"False", "Unknown"})
        )
    ]
    if len(adds) != 1 or not ready:
        job.report.set(
            ("spec", "addOnConditions"),
            "not simulated",
            "kfed's clusters have one condition, Ready; this policy adds no taint",
            warned=False,
        )
    removes = spec.get("removeOnConditions", ())
    if [(c["conditionType"], c["operator"], c["statusValues"]) for c in removes] != [
        ("Ready", "In", ["True"])
    ]:
        job.report.set(
            ("spec", "removeOnConditions"),
            "approximated",
            "kfed removes the taints when the cluster is Ready again",
            warned=False,
        )
    job.emit(
        {
            "apiVersion": API_VERSION,
            "kind": "ClusterTaintPolicy",
            "metadata": _meta(job.data, False),
            "spec": dict(spec),
        }
    )


def translate(s: Session, jobs: Sequence[Job], docs: list[SourceDoc]) -> None:
    """Karmada's documents of one federation -> kfed documents (on each job's `out`)."""
    priorities = _priorities(s, jobs, docs)
    rebalanced = _rebalanced(jobs)
    matched = [False] * len(rebalanced)
    for job in jobs:
        key = (job.kind.api_version, job.kind.kind)
        if key in ((POLICY, "PropagationPolicy"), (POLICY, "ClusterPropagationPolicy")):
            ns = job.data["metadata"].get("namespace") or (
                "default" if key[1] == "PropagationPolicy" else ""
            )
            for i, (_, w) in enumerate(rebalanced):
                matched[i] = matched[i] or _selects(job.data, ns, w)
            _propagation(s, job, priorities, [w for _, w in rebalanced])
        elif key in ((POLICY, "OverridePolicy"), (POLICY, "ClusterOverridePolicy")):
            _override(job)
        elif key == (CLUSTER, "Cluster"):
            cluster(job)
        elif key == (POLICY, "ClusterTaintPolicy"):
            _taint_policy(job)
    karmada_autoscaling.translate(
        s, [job for job in jobs if job.kind.api_version == AUTOSCALING]
    )
    for (job, w), found in zip(rebalanced, matched, strict=True):
        if not found:
            s.warn(
                job.doc,
                ("spec", "workloads"),
                f"no Karmada PropagationPolicy among the documents selects {w['kind']} "
                f"{w['name']}: nothing fails back",
            )
