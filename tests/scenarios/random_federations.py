"""A hypothesis strategy for valid federations and fault timelines, built as model records: member
clusters in regions and zones, mixed policies (Duplicated and Divided by every method, weights,
bounds, spread, tolerations, failover and failback settings), replica overrides, Deployments,
and faults of every kind. `ample` federations have room for every workload on every node, so
they must converge once their faults are over."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from federation.api.scenario import Fault, Link, Operation, Scenario, SimSettings
from federation.core.desired import DesiredState
from federation.core.migration import Migration
from federation.core.model import (
    Cluster,
    ClusterAffinity,
    ClusterWeight,
    Failback,
    FailoverPolicy,
    LabelSelector,
    OverridePolicy,
    OverrideRule,
    Placement,
    PropagationPolicy,
    ReplicaBounds,
    ReplicaScheduling,
    Requirement,
    Resources,
    ResourceSelector,
    SpreadConstraint,
    Toleration,
    Workload,
)

GI = 1024.0**3
REGIONS = ("us-east", "us-west", "eu-west")
DURATION = 400.0
FAULTS_END_BY = 220.0  # every fault is over by then: 180 s to converge


@dataclass(frozen=True)
class Case:
    scenario: Scenario
    ample: bool


def _deployment(name: str, group: str, replicas: int, cpu: float) -> Workload:
    return Workload(
        api_version="apps/v1",
        kind="Deployment",
        name=name,
        namespace="shop",
        labels={"group": group},
        manifest={
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": "shop", "labels": {"group": group}},
            "spec": {"replicas": replicas},
        },
        replicas=replicas,
        request=Resources(cpu, 0.25 * GI, 1),
    )


@st.composite
def _policy(draw: st.DrawFn, name: str, clusters: list[Cluster], ample: bool) -> PropagationPolicy:
    names = [c.name for c in clusters]
    affinity_kind = draw(st.sampled_from(["all", "names", "region", "groups"]))
    affinity = ClusterAffinity()
    groups: tuple[ClusterAffinity, ...] = ()
    if affinity_kind == "names":
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        affinity = ClusterAffinity(cluster_names=tuple(sorted(chosen)))
    elif affinity_kind == "region":
        regions = sorted({c.region for c in clusters})
        chosen = draw(st.lists(st.sampled_from(regions), min_size=1, unique=True))
        affinity = ClusterAffinity(field_selector=(Requirement("region", "In", tuple(chosen)),))
    elif affinity_kind == "groups" and len(names) >= 2:
        split = draw(st.integers(1, len(names) - 1))
        groups = (
            ClusterAffinity(cluster_names=tuple(names[:split])),
            ClusterAffinity(cluster_names=tuple(names[split:])),
        )
    duplicated = draw(st.booleans())
    if duplicated:
        scheduling = ReplicaScheduling(type="Duplicated")
    else:
        method = draw(
            st.sampled_from(
                [None, "kfed", "webster", "webster-dynamic", "webster-aggregated", "kubefed"]
            )
        )
        weights: tuple[ClusterWeight, ...] = ()
        if draw(st.booleans()):
            # weight 0 leaves a cluster out (KubeFed's planner: for good), so an ample
            # federation gives every cluster some weight
            lowest = 1 if ample else 0
            weights = tuple(
                ClusterWeight(ClusterAffinity(cluster_names=(n,)), draw(st.integers(lowest, 3)))
                for n in names
            )
        bounds: tuple[ReplicaBounds, ...] = ()
        if draw(st.booleans()):
            n = draw(st.sampled_from(names))
            lo = draw(st.integers(0, 2))
            # an ample federation has no cap that could leave replicas with nowhere to go
            hi = None if ample else draw(st.one_of(st.none(), st.integers(lo, lo + 4)))
            bounds = (ReplicaBounds(ClusterAffinity(cluster_names=(n,)), lo, hi),)
        scheduling = ReplicaScheduling(
            type="Divided",
            method=method,
            weights=weights,
            bounds=bounds,
            rebalance=draw(st.booleans()),
        )
    tolerations: tuple[Toleration, ...] = ()
    if draw(st.booleans()):
        tolerations = (
            Toleration(
                "kfed.io/unreachable",
                "Exists",
                effect="NoExecute",
                toleration_seconds=draw(st.sampled_from([0.0, 5.0, 12.0])),
            ),
        )
    spread: tuple[SpreadConstraint, ...] = ()
    if not groups and draw(st.integers(0, 3)) == 0:
        spread = (SpreadConstraint("region", 1, draw(st.sampled_from([1, 2, None]))),)
    failover = FailoverPolicy(
        toleration_seconds=draw(st.sampled_from([0.0, 0.0, 8.0])),
        purge_mode=draw(st.sampled_from(["Graceful", "Graceful", "Directly"])),
        grace_period_seconds=draw(st.sampled_from([60.0, 600.0])),
        failback=Failback(
            enabled=draw(st.booleans()),
            stabilization_seconds=draw(st.sampled_from([0.0, 10.0, 30.0])),
        ),
    )
    return PropagationPolicy(
        name=name,
        priority=0,
        selectors=(
            ResourceSelector(kind="Deployment", label_selector=LabelSelector({"group": name})),
        ),
        placement=Placement(affinity, groups, tolerations, spread, scheduling),
        failover=failover,
    )


@st.composite
def _fault(draw: st.DrawFn, clusters: list[Cluster], workloads: list[Workload]) -> Fault:
    kind = draw(
        st.sampled_from(
            ["outage", "api-hang", "partition", "latency", "flapping", "node-loss", "load-surge"]
        )
    )
    at = float(draw(st.integers(10, 160)))
    duration = float(draw(st.integers(5, int(FAULTS_END_BY - at))))
    if kind == "load-surge":
        w = draw(st.sampled_from(workloads))
        return Fault(
            kind, at, duration, (), {"workload": w.key, "replicas": draw(st.integers(0, 15))}
        )
    targets = draw(
        st.lists(st.sampled_from([c.name for c in clusters]), min_size=1, max_size=2, unique=True)
    )
    params: dict[str, float] = {}
    if kind == "latency":
        params = {"latency": draw(st.sampled_from([0.05, 0.3, 2.0])), "jitter": 0.01}
    elif kind == "flapping":
        params = {"period": 10.0, "down": draw(st.sampled_from([2.0, 5.0, 8.0]))}
    elif kind == "node-loss":
        have = min(c.nodes for c in clusters if c.name in targets)
        params = {"nodes": draw(st.integers(1, have))}
    return Fault(kind, at, duration, tuple(sorted(targets)), params)  # type: ignore[arg-type]


@st.composite
def _operation(
    draw: st.DrawFn, i: int, clusters: list[Cluster], workloads: list[Workload]
) -> Operation:
    """A scale, a drain (for a while, or until an uncordon), a delete or a migration."""
    kind = draw(st.sampled_from(["scale", "drain", "uncordon", "delete", "migrate"]))
    at = float(draw(st.integers(10, 160)))
    names = [c.name for c in clusters]
    w = draw(st.sampled_from(workloads)).key
    if kind == "scale":
        return Operation("scale", at, f"op{i}", workload=w, replicas=draw(st.integers(0, 12)))
    if kind == "delete":
        return Operation("delete", at, f"op{i}", workload=w)
    if kind in ("drain", "uncordon"):
        c = draw(st.sampled_from(names))
        duration = float(draw(st.integers(5, 60))) if kind == "drain" else None
        if kind == "drain" and draw(st.booleans()):
            duration = None  # drained to the end, unless an uncordon comes
        return Operation(kind, at, f"op{i}", clusters=(c,), duration=duration)  # type: ignore[arg-type]
    sources = tuple(
        sorted(
            draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names) - 1, unique=True))
        )
    )
    rest = [n for n in names if n not in sources]
    destinations = tuple(
        sorted(draw(st.lists(st.sampled_from(rest), min_size=1, max_size=2, unique=True)))
    )
    preserve = draw(st.booleans())
    migration = Migration(
        f"op{i}", w, sources, destinations, at,
        max_surge=draw(st.sampled_from([None, 1, 2, 4])) if preserve else None,
        preserve=preserve,
    )  # fmt: skip
    return Operation("migrate", at, f"op{i}", workload=w, clusters=sources, migration=migration)


@st.composite
def federations(draw: st.DrawFn, operations: bool = False) -> Case:
    ample = draw(st.booleans())
    n = draw(st.integers(2, 5))
    workloads: list[Workload] = []
    groups = ["alpha", "beta"][: draw(st.integers(1, 2))]
    for i in range(draw(st.integers(1, 3))):
        workloads.append(
            _deployment(
                f"w{i}",
                groups[i % len(groups)],
                draw(st.integers(1, 12)),
                draw(st.sampled_from([0.25, 0.5, 1.0, 2.0])),
            )
        )
    demand = sum(w.request.cpu * 15 for w in workloads)  # a surge asks up to 15
    clusters = []
    for i in range(n):
        nodes = draw(st.integers(1, 4))
        cpu = demand * nodes * 3 if ample else float(draw(st.sampled_from([4, 8, 16, 32])))
        clusters.append(
            Cluster(
                name=f"c{i}",
                region=draw(st.sampled_from(REGIONS)),
                zone=f"z{draw(st.integers(0, 2))}",
                provider=draw(st.sampled_from(["aws", "gcp"])),
                capacity=Resources(cpu, 512 * GI if ample else 64 * GI, 2000 if ample else 110),
                nodes=nodes,
            )
        )
    policies = [draw(_policy(g, clusters, ample)) for g in groups]
    overrides: list[OverridePolicy] = []
    if draw(st.integers(0, 3)) == 0:
        target = draw(st.sampled_from([c.name for c in clusters]))
        overrides.append(
            OverridePolicy(
                name="pin",
                selectors=(ResourceSelector(kind="Deployment", name=workloads[0].name),),
                rules=(
                    OverrideRule(
                        ClusterAffinity(cluster_names=(target,)), replicas=draw(st.integers(0, 5))
                    ),
                ),
            )
        )
    faults = tuple(
        sorted(draw(st.lists(_fault(clusters, workloads), max_size=4)), key=lambda f: f.at)
    )
    ops: tuple[Operation, ...] = ()
    if operations:
        count = draw(st.integers(1, 3))
        ops = tuple(
            sorted(
                (draw(_operation(i, clusters, workloads)) for i in range(count)),
                key=lambda o: o.at,
            )
        )
    deleted = {o.workload: o.at for o in ops if o.kind == "delete"}
    faults = tuple(  # a surge neither starts nor ends once its workload is deleted
        f
        for f in faults
        if f.kind != "load-surge"
        or f.at + (f.duration or 0.0) < deleted.get(str(f.params["workload"]), float("inf"))
    )
    desired = DesiredState.build(clusters, policies, overrides, workloads)
    scenario = Scenario(
        name="random",
        source="<hypothesis>",
        desired=desired,
        duration=DURATION,
        seed=draw(st.integers(1, 1000)),
        faults=faults,
        operations=ops,
        sim=SimSettings(link=Link(latency=0.005, jitter=0.001)),
    )
    return Case(scenario, ample)
