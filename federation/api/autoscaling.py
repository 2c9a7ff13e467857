"""FederatedHPA and CronFederatedHPA documents -> records, checked against their federation (the
target exists and has replicas; min <= max; cron schedules parse), and a Scenario's
`autoscaling` section, which resolves every cron rule to the times it fires within the run."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from federation.api.errors import Path, show
from federation.api.records import Ctx, seconds
from federation.api.source import SourceDoc
from federation.autoscaling.spec import (
    Autoscaling,
    CronFederatedHPA,
    CronRule,
    FederatedHPA,
)
from federation.core.autoscaling import Pipeline
from federation.core.hpa import DEFAULT_DOWN, DEFAULT_UP, Behavior, HPASpec, Policy, Rules
from federation.core.model import Workload, workload_key
from federation.traffic.spec import Traffic

MAX_FIRINGS = 100_000  # cron firings per rule within one run


def _target(d: Mapping[str, Any]) -> tuple[str, str]:
    meta, spec = d["metadata"], d["spec"]
    ref = spec["scaleTargetRef"]
    return ref["kind"], workload_key(ref["kind"], meta.get("namespace") or "default", ref["name"])


def _rules(ctx: Ctx, path: Path, d: Mapping[str, Any], base: Rules) -> Rules:
    tol = d.get("tolerance")
    if tol is not None:
        ctx.error(
            (*path, "tolerance"),
            f"is not modelled (KEP-4951, alpha): leave it out, got {show(tol)}",
        )
    policies = tuple(
        Policy(p["type"], int(p["value"]), float(p["periodSeconds"])) for p in d.get("policies", ())
    )
    return Rules(
        stabilization=float(d.get("stabilizationWindowSeconds", base.stabilization)),
        select=d.get("selectPolicy", base.select),
        policies=policies or base.policies,
    )


def federated_hpa(ctx: Ctx, d: Mapping[str, Any]) -> FederatedHPA:
    meta, spec = d["metadata"], d["spec"]
    _, key = _target(d)
    lo, hi = int(spec.get("minReplicas", 1)), int(spec["maxReplicas"])
    if lo > hi:
        ctx.error(("spec", "maxReplicas"), f"must be >= minReplicas ({lo}), got {show(hi)}")
    target = 80
    for m in spec.get("metrics", ()):
        target = int(m["resource"]["target"]["averageUtilization"])
    behavior = None
    if "behavior" in spec:
        b = spec["behavior"]
        bp: Path = ("spec", "behavior")
        behavior = Behavior(
            up=_rules(ctx, (*bp, "scaleUp"), b.get("scaleUp", {}), DEFAULT_UP),
            down=_rules(ctx, (*bp, "scaleDown"), b.get("scaleDown", {}), DEFAULT_DOWN),
        )
    hpa = HPASpec(min_replicas=lo, max_replicas=hi, target=target, behavior=behavior)
    return FederatedHPA(meta["name"], meta.get("namespace") or "default", key, hpa)


def _schedule_ok(schedule: str) -> bool:
    from croniter import croniter

    return len(schedule.split()) == 5 and bool(croniter.is_valid(schedule))


def cron_federated_hpa(ctx: Ctx, d: Mapping[str, Any]) -> CronFederatedHPA:
    meta, spec = d["metadata"], d["spec"]
    ns = meta.get("namespace") or "default"
    kind, key = _target(d)
    is_hpa = kind == "FederatedHPA"
    if is_hpa:
        key = f"{ns}/{spec['scaleTargetRef']['name']}"
    rules = []
    for i, r in enumerate(spec["rules"]):
        rp: Path = ("spec", "rules", i)
        if not _schedule_ok(r["schedule"]):
            ctx.error(
                (*rp, "schedule"),
                "must be a cron schedule of 5 fields (minute hour "
                f"day-of-month month day-of-week), got {show(r['schedule'])}",
            )
        zone = r.get("timeZone", "UTC")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.error((*rp, "timeZone"), f"must be an IANA time zone, got {show(zone)}")
        has_bounds = "targetMinReplicas" in r or "targetMaxReplicas" in r
        if is_hpa and "targetReplicas" in r:
            ctx.error(
                (*rp, "targetReplicas"),
                "a rule on a FederatedHPA sets targetMinReplicas or targetMaxReplicas",
            )
        elif not is_hpa and has_bounds:
            ctx.error(
                rp, f"a rule on a {kind} sets targetReplicas (min and max are a FederatedHPA's)"
            )
        elif not (has_bounds or "targetReplicas" in r):
            ctx.error(rp, "needs targetReplicas, or targetMinReplicas/targetMaxReplicas")
        lo, hi = r.get("targetMinReplicas"), r.get("targetMaxReplicas")
        if lo is not None and hi is not None and lo > hi:
            ctx.error(
                (*rp, "targetMaxReplicas"), f"must be >= targetMinReplicas ({lo}), got {show(hi)}"
            )
        if r.get("suspend", False):
            continue
        rules.append(
            CronRule(
                r["name"],
                f"{r['schedule']}@{zone}",
                (),
                r.get("targetReplicas"),
                lo,
                hi,
            )
        )
    return CronFederatedHPA(meta["name"], ns, key, is_hpa, tuple(rules))


def resolve(
    hpas: Sequence[tuple[SourceDoc, FederatedHPA]],
    crons: Sequence[tuple[SourceDoc, CronFederatedHPA]],
    workloads: Sequence[Workload],
    ctx_of: Callable[[SourceDoc], Ctx],
) -> tuple[list[FederatedHPA], list[CronFederatedHPA]]:
    """The autoscalers whose targets exist in the federation: a FederatedHPA's a workload with
    replicas, a CronFederatedHPA's that or a FederatedHPA; one FederatedHPA per workload."""
    by_key = {w.key: w for w in workloads}
    ok_hpas: list[FederatedHPA] = []
    owner: dict[str, str] = {}
    for doc, h in hpas:
        w = by_key.get(h.target)
        if _bad_target(ctx_of(doc), h.target, w, by_key):
            continue
        if h.target in owner:
            ctx_of(doc).error(
                ("spec", "scaleTargetRef", "name"),
                f"{h.target} is already scaled by FederatedHPA {owner[h.target]}",
            )
            continue
        owner[h.target] = h.key
        ok_hpas.append(h)
    names = {h.key for h in ok_hpas}
    ok_crons = []
    for doc, c in crons:
        if c.target_is_hpa:
            if c.target not in names:
                ctx_of(doc).error(
                    ("spec", "scaleTargetRef", "name"),
                    "names no FederatedHPA "
                    f"of the federation, got {show(c.target.split('/', 1)[1])}",
                )
                continue
        elif _bad_target(ctx_of(doc), c.target, by_key.get(c.target), by_key):
            continue
        ok_crons.append(c)
    return ok_hpas, ok_crons


def _bad_target(ctx: Ctx, key: str, w: Workload | None, by_key: Mapping[str, Workload]) -> bool:
    path = ("spec", "scaleTargetRef", "name")
    if w is None:
        kind = key.split("/", 1)[0]
        known = sorted(k.split("/", 1)[1] for k in by_key if k.startswith(f"{kind}/"))
        ctx.error(
            path,
            f"names no {kind} of the federation (known: {', '.join(known) or 'none'})"
            f", got {show(key.rsplit('/', 1)[-1])}",
        )
        return True
    if not w.divisible:
        ctx.error(path, f"{key} has no replica count to scale, got {show(w.name)}")
        return True
    return False


def _fire_times(ctx: Ctx, path: Path, rule: CronRule, start: datetime, end: float) -> CronRule:
    from croniter import croniter

    schedule, zone = rule.schedule.rsplit("@", 1)
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return rule
    if not _schedule_ok(schedule):
        return rule
    it = croniter(schedule, start.astimezone(tz) - timedelta(microseconds=1))
    times: list[float] = []
    while len(times) < MAX_FIRINGS:
        t = (it.get_next(datetime) - start).total_seconds()
        if t >= end:
            break
        times.append(max(0.0, t))
    return replace(rule, times=tuple(times))


def autoscaling(
    ctx: Ctx,
    spec: Mapping[str, Any],
    hpas: Sequence[FederatedHPA],
    crons: Sequence[CronFederatedHPA],
    traffic: Traffic,
    duration: float,
) -> Autoscaling:
    """A Scenario's `autoscaling`, with the federation's autoscalers and their cron times."""
    d: Mapping[str, Any] = spec.get("autoscaling", {})
    ap: Path = ("spec", "autoscaling")
    start_text = d.get("startTime", Autoscaling.start)
    try:
        start = datetime.fromisoformat(start_text.replace("Z", "+00:00"))
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
    except ValueError:
        ctx.error(
            (*ap, "startTime"),
            f"must be an RFC 3339 time like 2024-01-01T00:00:00Z, got {show(start_text)}",
        )
        start = datetime(2024, 1, 1, tzinfo=UTC)
    m = d.get("metrics", {})
    mp: Path = (*ap, "metrics")
    base = Pipeline()

    def sec(k: str, default: float, positive: bool) -> float:
        return seconds(ctx, (*mp, k), m[k], positive=positive, period=True) if k in m else default

    pipeline = Pipeline(
        interval=sec("scrapeInterval", base.interval, True),
        window=sec("window", base.window, False),
        sync_period=sec("syncPeriod", base.sync_period, True),
    )
    phase = seconds(ctx, (*mp, "firstScrape"), m["firstScrape"]) if "firstScrape" in m else None
    resolved = []
    for c in crons:
        rules = tuple(_fire_times(ctx, ap, r, start, duration) for r in c.rules)
        resolved.append(replace(c, rules=rules))
    called = {c.service for c in traffic.clients}
    loaded = {k for s in traffic.services if s.key in called for k in s.backends}
    for h in hpas:
        if h.target not in loaded:
            ctx.warn(
                ap,
                f"FederatedHPA {h.key} scales {h.target}, which no MultiClusterService "
                "with client traffic backs: its utilization stays 0 (it goes to minReplicas)",
            )
    return Autoscaling(
        hpas=tuple(hpas),
        crons=tuple(resolved),
        mode=d.get("mode", "federated"),
        pipeline=pipeline,
        start=start_text,
        phase=phase,
    )
