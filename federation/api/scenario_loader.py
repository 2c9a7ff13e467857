"""`kind: Scenario` documents -> `federation.api.scenario.Scenario`: duration, seed, health
thresholds, sim settings and the kube binding here; the timeline and expectations in
`federation.api.timeline`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from federation.api import autoscaling, hazards, operations, timeline, traffic_scenario
from federation.api.errors import Path, show
from federation.api.expectations import expectation
from federation.api.records import Ctx, seconds
from federation.api.scenario import (
    Distribution,
    Fault,
    KubeBinding,
    Link,
    Operation,
    Scenario,
    SimSettings,
)
from federation.autoscaling.spec import CronFederatedHPA, FederatedHPA
from federation.core.desired import DesiredState
from federation.core.health import HealthThresholds
from federation.core.model import Rescheduling
from federation.traffic.spec import MultiClusterService

_DIST_NEEDS = {
    "constant": ("value",),
    "uniform": ("min", "max"),
    "exponential": ("mean",),
    "lognormal": ("median", "sigma"),
    "normal": ("mean", "sigma"),
}
_DIST_PARAMS = ("value", "mean", "median", "sigma")


def _health(ctx: Ctx, path: Path, d: Mapping[str, Any], base: HealthThresholds) -> HealthThresholds:
    def get(key: str, default: float, positive: bool, period: bool = False) -> float:
        if key not in d:
            return default
        return seconds(ctx, (*path, key), d[key], positive=positive, period=period)

    return HealthThresholds(
        probe_period=get("probePeriod", base.probe_period, True, period=True),
        probe_timeout=get("probeTimeout", base.probe_timeout, True),
        failure_count=d.get("failureThreshold", base.failure_count),
        failure_seconds=get("failureSeconds", base.failure_seconds, False),
        success_count=d.get("successThreshold", base.success_count),
        success_seconds=get("successSeconds", base.success_seconds, False),
    )


def _rescheduling(ctx: Ctx, path: Path, d: Mapping[str, Any]) -> Rescheduling:
    base = Rescheduling()
    after = base.unschedulable_seconds
    if "unschedulableSeconds" in d:
        after = seconds(ctx, (*path, "unschedulableSeconds"), d["unschedulableSeconds"])
    return Rescheduling(enabled=d.get("enabled", base.enabled), unschedulable_seconds=after)


def _distribution(ctx: Ctx, path: Path, d: Mapping[str, Any]) -> Distribution:
    kind = d["distribution"]
    needs = _DIST_NEEDS[kind]
    for key in needs:
        if key not in d:
            ctx.error(path, f"missing required field {key!r} (distribution {kind})")
    for key in _DIST_PARAMS:
        if key in d and key not in needs:
            ctx.error((*path, key), f"does not apply to distribution {kind}")
    nums = {
        k: seconds(ctx, (*path, k), d[k])
        for k in ("value", "min", "max", "mean", "median")
        if k in d
    }
    low, high = nums.get("min"), nums.get("max")
    if low is not None and high is not None and high < low:
        ctx.error((*path, "max"), f"must be >= min ({low:g}), got {show(d['max'])}")
    return Distribution(
        kind=kind,
        value=nums.get("value", 0.0),
        low=low,
        high=high,
        mean=nums.get("mean", 0.0),
        median=nums.get("median", 0.0),
        sigma=float(d.get("sigma", 0.0)),
    )


def _link(ctx: Ctx, path: Path, d: Mapping[str, Any]) -> Link:
    base = Link()
    return Link(
        latency=seconds(ctx, (*path, "latency"), d["latency"]) if "latency" in d else base.latency,
        jitter=seconds(ctx, (*path, "jitter"), d["jitter"]) if "jitter" in d else base.jitter,
        loss=float(d.get("loss", base.loss)),
    )


def _sim(
    ctx: Ctx, path: Path, d: Mapping[str, Any], world: timeline.World, desired: DesiredState
) -> SimSettings:
    # what is not set here comes from the members' provider profile (kwok: measured)
    base = SimSettings.for_providers(c.provider for c in desired.clusters)
    links = {}
    for name, link in d.get("links", {}).items():
        why = world.unknown_cluster(name)
        if why:
            ctx.error((*path, "links", name), why)
        links[name] = _link(ctx, (*path, "links", name), link)
    return SimSettings(
        api_latency=_distribution(ctx, (*path, "apiLatency"), d["apiLatency"])
        if "apiLatency" in d
        else base.api_latency,
        pod_startup=_distribution(ctx, (*path, "podStartup"), d["podStartup"])
        if "podStartup" in d
        else base.pod_startup,
        link=_link(ctx, (*path, "link"), d["link"]) if "link" in d else base.link,
        links=links,
        resync_period=seconds(
            ctx, (*path, "resyncPeriod"), d["resyncPeriod"], positive=True, period=True
        )
        if "resyncPeriod" in d
        else base.resync_period,
        sample_period=seconds(ctx, (*path, "samplePeriod"), d["samplePeriod"], period=True)
        if "samplePeriod" in d
        else base.sample_period,
    )


def _kube(ctx: Ctx, path: Path, d: Mapping[str, Any], world: timeline.World) -> KubeBinding:
    contexts = dict(d.get("contexts", {}))
    for name in contexts:
        why = world.unknown_cluster(name)
        if why:
            ctx.error((*path, "contexts", name), why)
    provider = d.get("provider", "kwok")
    if provider == "contexts":
        for name, spec in sorted(world.clusters.items()):
            if name not in contexts and not spec.get("context"):
                ctx.error(
                    (*path, "provider"),
                    f"provider contexts needs a context for cluster {name!r} "
                    f"(kube.contexts.{name} or the Cluster's spec.context)",
                )
    return KubeBinding(
        provider=provider,
        contexts=contexts,
        kubeconfig=d.get("kubeconfig"),
        nodes_per_cluster=d.get("nodesPerCluster", 1),
    )


def scenario(
    ctx: Ctx,
    d: Mapping[str, Any],
    world: timeline.World,
    desired: DesiredState,
    source: str,
    health: HealthThresholds = HealthThresholds(),
    services: tuple[MultiClusterService, ...] = (),
    inline: operations.Inline = lambda path, d: None,
    autoscalers: tuple[tuple[FederatedHPA, ...], tuple[CronFederatedHPA, ...]] = ((), ()),
) -> Scenario:
    """The Scenario document `d`; `health` holds the defaults of what spec.health leaves out
    (kfed's, or Karmada's or KubeFed's when every cluster is theirs)."""
    spec: Mapping[str, Any] = d.get("spec", {})
    sp: Path = ("spec",)
    traffic = traffic_scenario.traffic(ctx, spec, services, desired.clusters)
    world.client_regions = {c.region for c in traffic.clients}
    duration = 600.0
    if "duration" in spec:
        duration = seconds(ctx, (*sp, "duration"), spec["duration"], positive=True)
    faults = []
    surges: list[tuple[int, Fault]] = []
    ops: list[tuple[int, Operation]] = []
    for i, e in enumerate(spec.get("timeline", ())):
        where = (*sp, "timeline", i)
        if operations.is_operation(e):
            op = operations.operation(ctx, where, e, world, duration, desired, traffic, inline)
            ops.append((i, op))
        elif "fault" not in e:
            ctx.error(where, "needs fault or operation")
        else:
            operations.fault_only(ctx, where, e)
            faults.append(timeline.fault(ctx, where, e, world, duration))
            if faults[-1].kind == "load-surge":
                surges.append((i, faults[-1]))
    operations.check_order(ctx, (*sp, "timeline"), ops, world)
    operations.check_surges(ctx, (*sp, "timeline"), ops, surges)
    names = timeline.named(ctx, (*sp, "timeline"), faults)
    for n, op in _named_operations(ctx, (*sp, "timeline"), ops, names).items():
        names[n] = op  # type: ignore[assignment]
    hazards.contradictions(ctx, (*sp, "timeline"), faults, duration)
    hazards.surges(ctx, (*sp, "timeline"), faults, desired)
    hazards.client_partitions(ctx, (*sp, "timeline"), faults, spec)
    expectations = [
        expectation(ctx, (*sp, "expectations", i), item, world, names, duration)
        for i, item in enumerate(spec.get("expectations", ()))
    ]
    return Scenario(
        name=d["metadata"]["name"],
        source=source,
        desired=desired,
        duration=duration,
        seed=spec.get("seed", 1),
        faults=tuple(sorted(faults, key=lambda f: f.at)),
        operations=tuple(op for _, op in sorted(ops, key=lambda x: (x[1].at, x[0]))),
        expectations=tuple(expectations),
        sim=_sim(ctx, (*sp, "sim"), spec.get("sim", {}), world, desired),
        health=_health(ctx, (*sp, "health"), spec.get("health", {}), health),
        rescheduling=_rescheduling(ctx, (*sp, "rescheduling"), spec.get("rescheduling", {})),
        kube=_kube(ctx, (*sp, "kube"), spec.get("kube", {}), world),
        traffic=traffic,
        autoscaling=autoscaling.autoscaling(ctx, spec, *autoscalers, traffic, duration),
        description=spec.get("description", ""),
    )


def _named_operations(
    ctx: Ctx, path: Path, ops: list[tuple[int, Operation]], taken: Mapping[str, Any]
) -> dict[str, Operation]:
    """The named operations, each name used once across the whole timeline."""
    out: dict[str, Operation] = {}
    for i, op in ops:
        if not op.name:
            continue
        if op.name in taken or op.name in out:
            ctx.error((*path, i, "name"), f"duplicate name {op.name!r}")
            continue
        out[op.name] = op
    return out
