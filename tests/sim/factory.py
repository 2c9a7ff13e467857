"""Small scenarios built in Python for the sim tests (no YAML)."""

from __future__ import annotations

from federation.api.scenario import Fault, Link, Scenario, SimSettings
from federation.core.desired import DesiredState
from federation.core.model import (
    Cluster,
    Failback,
    FailoverPolicy,
    PropagationPolicy,
    Resources,
    ResourceSelector,
    Workload,
)

GI = 1024.0**3


def clusters(*names: str, cpu: float = 16.0, nodes: int = 4, pods: int = 110) -> list[Cluster]:
    return [
        Cluster(
            name=n,
            region=f"region-{n}",
            capacity=Resources(cpu, 64 * GI, pods),
            nodes=nodes,
        )
        for n in names
    ]


def deployment(name: str, replicas: int, cpu: float = 0.5) -> Workload:
    return Workload(
        api_version="apps/v1",
        kind="Deployment",
        name=name,
        namespace="default",
        manifest={
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas},
        },
        replicas=replicas,
        request=Resources(cpu, 0.25 * GI, 1),
    )


def policy(failback: bool = False, stabilization: float = 30.0) -> PropagationPolicy:
    return PropagationPolicy(
        name="all",
        selectors=(ResourceSelector(kind="Deployment"),),
        failover=FailoverPolicy(
            failback=Failback(enabled=failback, stabilization_seconds=stabilization)
        ),
    )


def scenario(
    cluster_list: list[Cluster] | None = None,
    workloads: list[Workload] | None = None,
    faults: tuple[Fault, ...] = (),
    duration: float = 300.0,
    seed: int = 1,
    failback: bool = False,
    link: Link = Link(),
    sim: SimSettings | None = None,
) -> Scenario:
    cl = cluster_list if cluster_list is not None else clusters("a", "b", "c")
    wl = workloads if workloads is not None else [deployment("web", 6)]
    desired = DesiredState.build(cl, [policy(failback)], (), wl)
    return Scenario(
        name="test",
        source="<python>",
        desired=desired,
        duration=duration,
        seed=seed,
        faults=faults,
        sim=sim if sim is not None else SimSettings(link=link),
    )
