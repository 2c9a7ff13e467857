"""The traffic model's cost: the P2 federation (100 clusters x 10,000 workloads x 1 simulated hour
with a region outage) run three times in child processes of this invocation: as P2 is, with 1,000
of its Deployments behind federated services (Service, ServiceExport and MultiClusterService
propagated, the five steering profiles in turn) but no clients, and with clients in ten regions
calling every service. The figure is the CPU time of the last over the first."""

from __future__ import annotations

from typing import Any

from benchmarks.child import in_child
from benchmarks.report import Context, ratio

SIZES = {  # clusters, workloads, seconds, services
    "full": (100, 10_000, 3600.0, 1000),
    "quick": (100, 1_000, 3600.0, 100),
    "tiny": (12, 30, 300.0, 10),
}


def run(ctx: Context) -> dict[str, Any]:
    mode = "tiny" if ctx.tiny else "quick" if ctx.quick else "full"
    clusters, workloads, seconds, services = SIZES[mode]
    runs: dict[str, Any] = {}
    for name, kw in (
        ("without", {}),
        ("services_only", {"services": services, "clients": False}),
        ("with_traffic", {"services": services}),
    ):
        ctx.log(f"traffic: {name}: {clusters} clusters x {workloads} workloads, {kw or 'as P2'}")
        runs[name] = in_child(
            "benchmarks.p2_scale:measure",
            clusters=clusters,
            workloads=workloads,
            seconds=seconds,
            timeout=ctx.timeout,
            **kw,
        )
        r = runs[name]
        ctx.log(f"traffic: {name}: cpu {r['cpu_s']} s, wall {r['wall_s']} s, {r['events']} events")
    base, svc, tr = runs["without"], runs["services_only"], runs["with_traffic"]
    return {
        "size": {
            "clusters": clusters,
            "workloads": workloads,
            "seconds": seconds,
            "services": services,
            "client_regions": 10,
        },
        "runs": runs,
        "traffic_overhead": ratio(tr["cpu_s"], base["cpu_s"]),
        "traffic_overhead_wall": ratio(tr["wall_s"], base["wall_s"]),
        "traffic_over_services": ratio(tr["cpu_s"], svc["cpu_s"]),
        "traffic_events_ratio": ratio(tr["events"], base["events"]),
        "traffic_rows": tr["traffic_rows"],
    }
