"""A scale benchmark of the sim backend: `python -m sim.bench CLUSTERS WORKLOADS SECONDS`.

Builds a synthetic federation (clusters of 20 nodes in regions of ten; Deployments of 1-5
replicas, each divided over three clusters in three regions, the triples spread over the fleet;
one region outage from a third of the run for a third of it), runs it and prints events, events/s,
simulated seconds per wall second, where the wall time went, and peak memory (ru_maxrss).
Benchmarks print figures; nothing asserts on wall time.
"""

from __future__ import annotations

import argparse
import resource
import sys
from dataclasses import replace

from federation.api.scenario import Fault, Scenario
from federation.api.traffic import EXPORT_API
from federation.core.desired import DesiredState
from federation.core.model import (
    Cluster,
    ClusterAffinity,
    LabelSelector,
    Placement,
    PropagationPolicy,
    ReplicaScheduling,
    Resources,
    ResourceSelector,
    Workload,
)
from federation.traffic.profiles import PROFILES
from federation.traffic.spec import (
    Capacity,
    ClientTraffic,
    MultiClusterService,
    Network,
    Rate,
    Traffic,
)
from sim.driver import run

GI = 1024.0**3


def federation(clusters: int, workloads: int, duration: float, seed: int = 1) -> Scenario:
    cl = [
        Cluster(
            name=f"c{i:03d}",
            region=f"r{i // 10:02d}",
            capacity=Resources(640.0, 2560 * GI, 2200),
            nodes=20,
        )
        for i in range(clusters)
    ]
    # workload group g runs on three clusters a third of the fleet apart (so in three regions);
    # one policy per group, selected by label
    groups = max(1, clusters // 3)
    policies = [
        PropagationPolicy(
            f"group-{g}",
            selectors=(
                ResourceSelector(
                    kind="Deployment", label_selector=LabelSelector({"group": str(g)})
                ),
            ),
            placement=Placement(
                affinity=ClusterAffinity(
                    cluster_names=tuple(cl[(g + k * groups) % clusters].name for k in range(3))
                ),
                replicas=ReplicaScheduling("Divided", "StaticWeight"),
            ),
        )
        for g in range(groups)
    ]
    wl = [
        Workload(
            "apps/v1",
            "Deployment",
            f"w{j:05d}",
            "default",
            labels={"group": str(j % groups)},
            manifest={"spec": {"replicas": 1 + j % 5}},
            replicas=1 + j % 5,
            request=Resources(0.1, 0.125 * GI, 1),
        )
        for j in range(workloads)
    ]
    desired = DesiredState.build(cl, policies, (), wl)
    outage = Fault(
        "outage",
        at=duration / 3,
        duration=duration / 3,
        clusters=tuple(c.name for c in cl if c.region == "r00"),
    )
    return Scenario("bench", "<sim.bench>", desired, duration, seed, faults=(outage,))


LOCATIONS = (  # the bench's regions r00, r01, ... placed on the RTT table, round the world
    "westeurope",
    "eastus",
    "southeastasia",
    "westus2",
    "northeurope",
    "japaneast",
    "centralus",
    "uksouth",
    "australiaeast",
    "brazilsouth",
)
PROFILE_CYCLE = ("lighthouse", "k8gb", "route53", "cilium", "istio")


def with_traffic(scenario: Scenario, services: int, regions: int = 10) -> Scenario:
    """`scenario` (from `federation`) with a Service, a MultiClusterService and clients in
    `regions` regions (10-100 req/s each) for each of the first `services` Deployments; the
    services cycle through the five steering profiles."""
    desired = scenario.desired
    workloads = sorted(desired.workloads.values(), key=lambda w: w.key)[:services]
    relabelled, svcs, mcs = [], [], []
    for i, w in enumerate(workloads):
        app = {"app": w.name}
        relabelled.append(
            replace(
                w,
                manifest={
                    "spec": {**w.manifest["spec"], "template": {"metadata": {"labels": app}}}
                },
            )
        )
        labels = dict(w.labels)
        svcs.append(
            Workload("v1", "Service", w.name, w.namespace, labels, {"spec": {"selector": app}})
        )
        svcs.append(Workload(EXPORT_API, "ServiceExport", w.name, w.namespace, labels, {}))
        mcs.append(
            MultiClusterService(
                w.name,
                w.namespace,
                PROFILES[PROFILE_CYCLE[i % len(PROFILE_CYCLE)]],
                Capacity(requests_per_second=100.0),
                (w.key,),
            )
        )
    names = sorted({c.region for c in desired.clusters})[:regions]
    clients = tuple(
        ClientTraffic(f"{m.namespace}/{m.name}", r, Rate("constant", rps=10.0 + (7 * i + j) % 91))
        for i, m in enumerate(mcs)
        for j, r in enumerate(names)
    )
    policies = tuple(
        replace(p, selectors=(*p.selectors, replace(p.selectors[0], kind="Service")))
        for p in desired.policies
    )
    new = DesiredState.build(
        desired.clusters,
        policies,
        desired.overrides,
        [*desired.workloads.values(), *relabelled, *svcs],
    )
    net = Network(locations={r: LOCATIONS[i % len(LOCATIONS)] for i, r in enumerate(names)})
    return replace(scenario, desired=new, traffic=Traffic(tuple(mcs), clients, net))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clusters", type=int, nargs="?", default=100)
    p.add_argument("workloads", type=int, nargs="?", default=1000)
    p.add_argument("seconds", type=float, nargs="?", default=600.0)
    p.add_argument("--services", type=int, default=0, help="federated services with clients")
    a = p.parse_args(argv)
    sc = federation(a.clusters, a.workloads, a.seconds)
    if a.services:
        sc = with_traffic(sc, a.services)

    def progress(t: float, total: float) -> None:
        print(f"\r{t:8.0f}/{total:.0f} s", end="", file=sys.stderr, flush=True)

    r = run(sc, progress=progress)
    print(file=sys.stderr)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{a.clusters} clusters x {a.workloads} workloads x {a.seconds:g} s: "
        f"{r.events} events, {r.wall_seconds:.2f} s wall, {r.events_per_second:,.0f} events/s, "
        f"{r.speed:,.1f} sim-s/wall-s; {r.control_seconds:.2f} s in ControlLoop.cycle "
        f"({r.loop.cycles} cycles, {r.loop.reconciled} workload reconciles), "
        f"{r.wall_seconds - r.control_seconds:.2f} s in the sim; {len(r.recorder.rows)} rows, "
        f"max RSS {rss:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
