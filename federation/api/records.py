"""Structurally valid documents -> model records (Cluster, PropagationPolicy, OverridePolicy,
Workload), with the semantic checks a schema cannot express. Problems go to the document's
`Ctx`; a converter returns its record even when it reported problems (the loader then discards
everything)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from federation.api.duration import DurationError, parse_duration
from federation.api.errors import Path, Problem, format_path, show
from federation.api.kinds import (
    KINDS,
    NATIVE,
    REPLICA_PATH_ANNOTATION,
    REPLICA_PATHS,
    is_namespaced,
)
from federation.api.limits import (
    INT64_MAX,
    MAX_CPU,
    MAX_MEMORY,
    MAX_SECONDS,
    MIN_PERIOD,
    PODS_PER_NODE,
)
from federation.api.pods import pod_request
from federation.api.quantity import QuantityError, parse_quantity
from federation.api.source import SourceDoc, describe, namespace_of
from federation.autoscaling.spec import CronFederatedHPA, FederatedHPA
from federation.core.model import (
    REPLICATED_KINDS,
    Cluster,
    LabelSelector,
    OverridePolicy,
    PropagationPolicy,
    Requirement,
    Resources,
    ResourceSelector,
    Taint,
    Workload,
)
from federation.core.model import (
    ClusterAffinity as Affinity,
)
from federation.core.rollout import problems as rollout_problems
from federation.traffic.spec import MultiClusterService


@dataclass(frozen=True)
class TaintPolicy:
    """A ClusterTaintPolicy: the clusters it targets carry `taints` while not Ready."""

    name: str
    target: Affinity
    taints: tuple[Taint, ...]


Record = (
    Cluster
    | PropagationPolicy
    | OverridePolicy
    | Workload
    | TaintPolicy
    | MultiClusterService
    | FederatedHPA
    | CronFederatedHPA
)


class Ctx:
    """Where problems of one document go, and how they are located."""

    def __init__(
        self,
        doc: SourceDoc,
        problems: list[Problem],
        blocked: Sequence[Path] = (),
        warnings: list[Problem] | None = None,
    ) -> None:
        self.doc = doc
        self.problems = problems
        self.warnings: list[Problem] = [] if warnings is None else warnings
        self.where = doc.where or describe(doc.data)
        # paths with a structural problem: semantic problems in, above or below them would
        # only repeat it
        self.blocked = [tuple(b) for b in blocked]

    def error(self, path: Sequence[str | int], message: str) -> None:
        p = tuple(path)
        for b in self.blocked:
            n = min(len(b), len(p))
            if b[:n] == p[:n]:
                return
        self.problems.append(self._problem(p, message))

    def warn(self, path: Sequence[str | int], message: str) -> None:
        """Something legal but suspicious (`--strict` makes it an error)."""
        self.warnings.append(self._problem(tuple(path), message))

    def _problem(self, path: Path, message: str) -> Problem:
        return Problem(
            self.doc.file,
            self.doc.line_of(path),
            format_path(self.doc.original(path)),
            message,
            self.where,
        )


def quantity(ctx: Ctx, path: Path, value: Any, limit: float = INT64_MAX, what: str = "") -> float:
    """A quantity >= 0 and <= `limit` (by default Kubernetes' own: int64); `what` says why."""
    try:
        q = parse_quantity(value)
    except QuantityError:
        ctx.error(path, f"must be a Kubernetes quantity like '500m' or '1Gi', got {show(value)}")
        return 0.0
    if q < 0:
        ctx.error(path, f"must be >= 0, got {show(value)}")
        return 0.0
    if q > limit:
        ctx.error(
            path,
            f"must be <= {limit:g}{what or ' (the largest Kubernetes quantity)'}, "
            f"got {show(value)}",
        )
        return 0.0
    return float(q)


def seconds(
    ctx: Ctx, path: Path, value: Any, *, positive: bool = False, period: bool = False
) -> float:
    """A duration in 0..MAX_SECONDS (> 0 when `positive`; a `period`, when not 0, is at least
    MIN_PERIOD, so nothing ticks a million times a second)."""
    try:
        seconds = parse_duration(value)
    except DurationError:
        ctx.error(
            path, f"must be a duration like '90s', '10m' or a number of seconds, got {show(value)}"
        )
        return 0.0
    if positive and seconds <= 0:
        ctx.error(path, f"must be > 0, got {show(value)}")
    elif seconds < 0:
        ctx.error(path, f"must be >= 0, got {show(value)}")
    elif seconds > MAX_SECONDS:
        ctx.error(path, f"must be <= 30 days ({MAX_SECONDS:.0f}s), got {show(value)}")
        return MAX_SECONDS
    elif period and 0 < seconds < MIN_PERIOD:
        ctx.error(path, f"must be {'' if positive else '0 or '}>= 1ms, got {show(value)}")
    return seconds


# ------------------------------------------------------------------ selectors and affinities


def _requirements(
    ctx: Ctx, path: Path, items: Sequence[Mapping[str, Any]]
) -> tuple[Requirement, ...]:
    out = []
    for i, r in enumerate(items):
        values = tuple(r.get("values", ()))
        op = r["operator"]
        if op in ("In", "NotIn") and not values:
            ctx.error((*path, i, "values"), f"must not be empty for operator {op}")
        if op in ("Exists", "DoesNotExist") and values:
            ctx.error((*path, i, "values"), f"must be empty for operator {op}, got {show(values)}")
        out.append(Requirement(r["key"], op, values))
    return tuple(out)


def label_selector(ctx: Ctx, path: Path, d: Mapping[str, Any] | None) -> LabelSelector | None:
    if d is None:
        return None
    exprs = _requirements(ctx, (*path, "matchExpressions"), d.get("matchExpressions", ()))
    return LabelSelector(dict(d.get("matchLabels", {})), exprs)


def affinity(ctx: Ctx, path: Path, d: Mapping[str, Any] | None) -> Affinity:
    if d is None:
        return Affinity()
    fields: tuple[Requirement, ...] = ()
    if "fieldSelector" in d:
        fp = (*path, "fieldSelector", "matchExpressions")
        fields = _requirements(ctx, fp, d["fieldSelector"].get("matchExpressions", ()))
    return Affinity(
        cluster_names=tuple(d.get("clusterNames", ())),
        exclude=tuple(d.get("exclude", ())),
        label_selector=label_selector(ctx, (*path, "labelSelector"), d.get("labelSelector")),
        field_selector=fields,
    )


def resource_selectors(
    ctx: Ctx, path: Path, items: Sequence[Mapping[str, Any]], namespace: str
) -> tuple[ResourceSelector, ...]:
    out = []
    for i, s in enumerate(items):
        kind, api = s.get("kind", ""), s.get("apiVersion", "")
        if kind in KINDS and kind not in NATIVE:
            ctx.error((*path, i, "kind"), f"must be a template's kind, got {show(kind)}")
        elif kind in NATIVE and api and api != KINDS[kind]:
            ctx.error(
                (*path, i, "apiVersion"), f"must be {KINDS[kind]!r} for {kind}, got {show(api)}"
            )
        ns = s.get("namespace", "")
        if namespace and ns and ns != namespace:
            ctx.error(
                (*path, i, "namespace"),
                f"must be the policy's namespace {namespace!r}, got {show(ns)}",
            )
        out.append(
            ResourceSelector(
                api_version=api,
                kind=kind,
                name=s.get("name", ""),
                namespace=ns or namespace,
                label_selector=label_selector(
                    ctx, (*path, i, "labelSelector"), s.get("labelSelector")
                ),
            )
        )
    return tuple(out)


# ------------------------------------------------------------------ Cluster


def cluster(ctx: Ctx, d: Mapping[str, Any]) -> Cluster:
    meta, spec = d["metadata"], d.get("spec", {})
    nodes = spec.get("nodes", 1)
    capacity = Resources()
    if "capacity" in spec:
        cap = spec["capacity"]
        capacity = Resources(
            cpu=quantity(ctx, ("spec", "capacity", "cpu"), cap["cpu"], MAX_CPU, " cores"),
            memory=quantity(
                ctx, ("spec", "capacity", "memory"), cap["memory"], MAX_MEMORY, " bytes (1 EiB)"
            ),
            pods=cap.get("pods", PODS_PER_NODE * nodes),
        )
    taints = []
    seen: dict[tuple[str, str], int] = {}
    for i, t in enumerate(spec.get("taints", ())):
        k = (t["key"], t["effect"])
        if k in seen:
            ctx.error(
                ("spec", "taints", i),
                f"duplicate taint {t['key']}:{t['effect']} (also taints[{seen[k]}])",
            )
        seen[k] = i
        taints.append(Taint(t["key"], t.get("value", ""), t["effect"]))
    return Cluster(
        name=meta["name"],
        labels=dict(meta.get("labels", {})),
        region=spec.get("region", ""),
        zone=spec.get("zone", ""),
        provider=spec.get("provider", ""),
        capacity=capacity,
        nodes=nodes,
        taints=tuple(taints),
        cost_per_cpu_hour=float(spec.get("costPerCpuHour", 0.0)),
        cost_per_gib_hour=float(spec.get("costPerGiBHour", 0.0)),
        context=spec.get("context"),
        kubeconfig=spec.get("kubeconfig"),
    )


# ------------------------------------------------------------------ native templates


def _pod_request(ctx: Ctx, spec_path: Path, spec: Mapping[str, Any]) -> Resources:
    """The effective pod request (`federation.api.pods`), a bad quantity reported at its path."""
    return pod_request(spec, lambda path, value: quantity(ctx, path, value), spec_path)


def replica_path(d: Mapping[str, Any]) -> str:
    """Where a template of a kind other than Deployment and Job keeps its replica count: the
    `kfed.io/replicas-path` annotation, or the path Karmada's interpreter knows for the kind
    (StatefulSet, ReplicaSet); "" = none (copied whole)."""
    meta = d.get("metadata")
    ann = meta.get("annotations") if isinstance(meta, Mapping) else None
    given = ann.get(REPLICA_PATH_ANNOTATION) if isinstance(ann, Mapping) else None
    if isinstance(given, str) and given:
        return given
    kind = d.get("kind")
    return REPLICA_PATHS.get(kind, "") if isinstance(kind, str) else ""


def _pointer_value(doc: Any, path: str) -> tuple[bool, Any]:
    for part in path[1:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, Mapping) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return False, None
    return True, doc


def _opaque_replicas(ctx: Ctx, d: Mapping[str, Any], path: str) -> int | None:
    where = ("metadata", "annotations", REPLICA_PATH_ANNOTATION)
    if not path.startswith("/"):
        ctx.error(where, f"must be a JSON pointer like '/spec/replicas', got {show(path)}")
        return None
    found, value = _pointer_value(d, path)
    if not found and path == REPLICA_PATHS.get(d["kind"]):
        return 1  # Kubernetes' default for spec.replicas
    if not found or isinstance(value, bool) or not isinstance(value, int) or value < 0:
        got = show(value) if found else "nothing"
        ctx.error(where, f"must point at a replica count (an integer >= 0), found {got} at {path}")
        return None
    return value


def workload(ctx: Ctx, d: Mapping[str, Any]) -> Workload:
    kind, meta = d["kind"], d["metadata"]
    manifest: dict[str, Any] = copy.deepcopy(dict(d))
    namespace = namespace_of(d)
    if not is_namespaced(kind) and "namespace" in meta:
        ctx.error(("metadata", "namespace"), f"must not be set: {kind} is cluster-scoped")
    if namespace:
        manifest["metadata"]["namespace"] = namespace
    replicas: int | None = None
    request = Resources(pods=1)
    spec = d.get("spec", {})
    path = "" if kind in REPLICATED_KINDS else replica_path(d)
    if kind == "Deployment":
        replicas = spec.get("replicas", 1)
        for where, message, value in rollout_problems(spec):
            ctx.error(("spec", *where), f"{message}, got {show(value)}")
    elif kind == "Job":
        replicas = spec.get("completions", spec.get("parallelism", 1))
    elif path:
        replicas = _opaque_replicas(ctx, d, path)
    if (kind in REPLICATED_KINDS or path) and isinstance(spec, Mapping):
        request = _pod_request(ctx, ("spec",), spec)
    return Workload(
        api_version=d["apiVersion"],
        kind=kind,
        name=meta["name"],
        namespace=namespace,
        labels=dict(meta.get("labels", {})),
        manifest=manifest,
        replicas=replicas,
        request=request,
        uid=meta.get("uid", ""),
        replica_path=path,
    )
