"""The Horizontal Pod Autoscaler's decision as Kubernetes computes it (pkg/controller/podautoscaler,
release 1.27, which Karmada's FederatedHPA lifts): the replica calculator (usage ratio, tolerance,
unready and missing pods), the scale-down stabilization window, and the behaviour's rate limits
(or, without a `behavior`, the legacy cap max(2 x current, 4)). Pure: `now` is an argument and
the controller's memory (recommendations, scale events) is a value in and out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

PodState = Literal["ready", "unready", "missing", "ignored"]
Select = Literal["Max", "Min", "Disabled"]

TOLERANCE = 0.1  # --horizontal-pod-autoscaler-tolerance
SYNC_PERIOD = 15.0  # --horizontal-pod-autoscaler-sync-period
DOWNSCALE_STABILIZATION = 300.0  # --horizontal-pod-autoscaler-downscale-stabilization
CPU_INITIALIZATION_PERIOD = 300.0  # --horizontal-pod-autoscaler-cpu-initialization-period
INITIAL_READINESS_DELAY = 30.0  # --horizontal-pod-autoscaler-initial-readiness-delay
SCALE_UP_LIMIT_FACTOR = 2.0  # the legacy cap (no behavior): max(2 x current, 4)
SCALE_UP_LIMIT_MINIMUM = 4.0


@dataclass(frozen=True)
class Pods:
    """`count` pods alike: how the calculator groups them, each asking `request` milli-cores
    and, when `state` is ready, using `usage` milli-cores (the metric)."""

    count: int
    state: PodState = "ready"
    request: int = 1000
    usage: int = 0


def pod_state(
    *,
    phase: Literal["Pending", "Running", "Failed"],
    deleting: bool,
    has_metric: bool,
    ready: bool | None,
    start: float | None,
    ready_changed: float,
    metric_at: float,
    window: float,
    now: float,
    cpu_initialization: float = CPU_INITIALIZATION_PERIOD,
    readiness_delay: float = INITIAL_READINESS_DELAY,
) -> PodState:
    """How the HPA counts one pod for a CPU metric (groupPods): deleting or failed pods are
    ignored, Pending ones unready, pods without a metric missing; a pod in its first
    `cpu_initialization` seconds is unready while not Ready or while its metric's window began
    before it turned Ready; later, only a pod that has never been Ready (it turned unready
    within `readiness_delay` of its start) is unready. `ready` None: no Ready condition."""
    if deleting or phase == "Failed":
        return "ignored"
    if phase == "Pending":
        return "unready"
    if not has_metric:
        return "missing"
    if ready is None or start is None:
        return "unready"
    if start + cpu_initialization > now:
        unready = not ready or metric_at < ready_changed + window
    else:
        unready = not ready and start + readiness_delay > ready_changed
    return "unready" if unready else "ready"


def _utilization(groups: Sequence[Pods], target: int) -> tuple[float, int]:
    """(usage ratio, utilization %) over the pods with a metric, as GetResourceUtilizationRatio:
    the percentage is an integer (truncated), the ratio is it over the target."""
    used = sum(g.count * g.usage for g in groups)
    asked = sum(g.count * g.request for g in groups)
    if asked <= 0:
        raise ValueError("no requests")
    utilization = (used * 100) // asked
    return utilization / target, utilization


@dataclass(frozen=True)
class Proposal:
    """What the metric asks for, before stabilization and rate limits."""

    replicas: int
    utilization: int  # % of the request, over the pods with a metric (integer, as the HPA)


def propose(
    current: int,
    target: int,
    pods: Sequence[Pods],
    tolerance: float = TOLERANCE,
    calibration: float = 1.0,
) -> Proposal | None:
    """The replica count a CPU utilization target asks for (GetResourceReplicas), None when
    there is nothing to go by (no pods, no metric for any ready pod). `calibration` scales the
    result as Karmada's FederatedHPA does (the share of replicas its pods stand for)."""
    if sum(g.count for g in pods) == 0:
        return None
    ready = [g for g in pods if g.state == "ready" and g.count > 0]
    unready = sum(g.count for g in pods if g.state == "unready")
    missing = [g for g in pods if g.state == "missing" and g.count > 0]
    if not ready:
        return None
    ready_count = sum(g.count for g in ready)
    ratio, utilization = _utilization(ready, target)
    up_with_unready = unready > 0 and ratio > 1.0
    if not up_with_unready and not missing:
        if abs(1.0 - ratio) <= tolerance:
            return Proposal(current, utilization)
        return Proposal(math.ceil(ratio * ready_count / calibration), utilization)
    extra: list[Pods] = []
    if missing:
        if ratio < 1.0:  # scale-down: missing pods use max(100 %, target) of their request
            fallback = max(100, target)
            extra += [replace(g, usage=g.request * fallback // 100) for g in missing]
        elif ratio > 1.0:  # scale-up: they use nothing
            extra += [replace(g, usage=0) for g in missing]
    if up_with_unready:  # scale-up: unready pods use nothing
        extra += [replace(g, usage=0) for g in pods if g.state == "unready" and g.count > 0]
    counted = ready + extra
    new_ratio, _ = _utilization(counted, target)
    if abs(1.0 - new_ratio) <= tolerance or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return Proposal(current, utilization)
    replicas = math.ceil(new_ratio * sum(g.count for g in counted) / calibration)
    if (new_ratio < 1.0 and replicas > current) or (new_ratio > 1.0 and replicas < current):
        return Proposal(current, utilization)
    return Proposal(replicas, utilization)


# ---------------------------------------------------------------- behaviour


@dataclass(frozen=True)
class Policy:
    """A rate limit: at most `value` pods (type Pods) or percent (type Percent) of the count
    at the start of the last `period` seconds."""

    type: Literal["Pods", "Percent"]
    value: int
    period: float


@dataclass(frozen=True)
class Rules:
    stabilization: float
    select: Select = "Max"
    policies: tuple[Policy, ...] = ()


# Kubernetes' (and Karmada's) defaults for the parts of a `behavior` left out
DEFAULT_UP = Rules(0.0, "Max", (Policy("Pods", 4, 15.0), Policy("Percent", 100, 15.0)))
DEFAULT_DOWN = Rules(DOWNSCALE_STABILIZATION, "Max", (Policy("Percent", 100, 15.0),))


@dataclass(frozen=True)
class Behavior:
    up: Rules = DEFAULT_UP
    down: Rules = DEFAULT_DOWN


@dataclass(frozen=True)
class HPASpec:
    """What an HPA asks for: bounds, a CPU utilization target (%), and a behaviour (None: the
    legacy normalization, downscale stabilization `downscale_stabilization` s)."""

    min_replicas: int = 1
    max_replicas: int = 10
    target: int = 80
    behavior: Behavior | None = None
    tolerance: float = TOLERANCE
    downscale_stabilization: float = DOWNSCALE_STABILIZATION


@dataclass(frozen=True)
class HPAState:
    """The controller's memory of one HPA: unstabilized recommendations (time, replicas) and
    scale events (time, replicas changed), oldest first, pruned to what can still matter."""

    recommendations: tuple[tuple[float, int], ...] = ()
    ups: tuple[tuple[float, int], ...] = ()
    downs: tuple[tuple[float, int], ...] = ()


@dataclass(frozen=True)
class Decision:
    desired: int  # what the target is scaled to (== current: no change)
    state: HPAState
    reason: str  # why (the HPA's condition reasons: ScaleDownStabilized, ScaleUpLimit, ...)
    proposal: int | None = None  # what the metric asked for (None: no metric)
    stabilized: int | None = None  # after the stabilization window
    limits: tuple[int, int] = field(default=(0, 0))  # the (lowest, highest) allowed this time


def _changed(period: float, events: Sequence[tuple[float, int]], now: float) -> int:
    return sum(n for t, n in events if t > now - period)


def up_limit(current: int, rules: Rules, st: HPAState, now: float) -> int:
    """The most replicas the scale-up policies allow now (calculateScaleUpLimitWithScalingRules)."""
    if rules.select == "Disabled":
        return current
    pick = min if rules.select == "Min" else max
    out: int | None = None
    for p in rules.policies:
        start = current - _changed(p.period, st.ups, now) + _changed(p.period, st.downs, now)
        proposed = start + p.value if p.type == "Pods" else math.ceil(start * (1 + p.value / 100))
        out = proposed if out is None else pick(out, proposed)
    return current if out is None else out


def down_limit(current: int, rules: Rules, st: HPAState, now: float) -> int:
    """The fewest replicas the scale-down policies allow now
    (calculateScaleDownLimitWithBehaviors)."""
    if rules.select == "Disabled":
        return current
    pick = max if rules.select == "Min" else min
    out: int | None = None
    for p in rules.policies:
        start = current - _changed(p.period, st.ups, now) + _changed(p.period, st.downs, now)
        proposed = start - p.value if p.type == "Pods" else int(start * (1 - p.value / 100))
        out = proposed if out is None else pick(out, proposed)
    return current if out is None else out


def _remember(spec: HPASpec, st: HPAState, recommendation: int, now: float) -> HPAState:
    """Record an unstabilized recommendation, forgetting those older than every window."""
    if spec.behavior is None:
        keep = spec.downscale_stabilization
    else:
        keep = max(spec.behavior.up.stabilization, spec.behavior.down.stabilization)
    recs = tuple(r for r in st.recommendations if r[0] >= now - keep)
    return replace(st, recommendations=(*recs, (now, recommendation)))


def _stabilize(
    spec: HPASpec, st: HPAState, current: int, desired: int, now: float
) -> tuple[int, str]:
    if spec.behavior is None:  # stabilizeRecommendation: the max over the window
        best = desired
        for t, r in st.recommendations:
            if t >= now - spec.downscale_stabilization:
                best = max(best, r)
        return best, "ScaleDownStabilized" if best != desired else "ReadyForNewScale"
    up = down = desired
    for t, r in st.recommendations:
        if t > now - spec.behavior.up.stabilization:
            up = min(up, r)
        if t > now - spec.behavior.down.stabilization:
            down = max(down, r)
    out = min(max(current, up), down)
    if out == desired:
        return out, "ReadyForNewScale"
    return out, "ScaleUpStabilized" if out < desired else "ScaleDownStabilized"


def _limit(
    spec: HPASpec, st: HPAState, current: int, desired: int, now: float
) -> tuple[int, str, tuple[int, int]]:
    if spec.behavior is None:  # convertDesiredReplicasWithRules
        cap = int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))
        high, why = (
            (cap, "ScaleUpLimit")
            if spec.max_replicas > cap
            else (
                spec.max_replicas,
                "TooManyReplicas",
            )
        )
        if desired < spec.min_replicas:
            return spec.min_replicas, "TooFewReplicas", (spec.min_replicas, high)
        if desired > high:
            return high, why, (spec.min_replicas, high)
        return desired, "DesiredWithinRange", (spec.min_replicas, high)
    if desired > current:  # convertDesiredReplicasWithBehaviorRate
        cap = max(up_limit(current, spec.behavior.up, st, now), current)
        high, why = (
            (cap, "ScaleUpLimit")
            if spec.max_replicas > cap
            else (
                spec.max_replicas,
                "TooManyReplicas",
            )
        )
        if desired > high:
            return high, why, (current, high)
        return desired, "DesiredWithinRange", (current, high)
    if desired < current:
        floor = min(down_limit(current, spec.behavior.down, st, now), current)
        low, why = (
            (floor, "ScaleDownLimit")
            if spec.min_replicas < floor
            else (
                spec.min_replicas,
                "TooFewReplicas",
            )
        )
        if desired < low:
            return low, why, (low, current)
        return desired, "DesiredWithinRange", (low, current)
    return desired, "DesiredWithinRange", (current, current)


def _record_scale(spec: HPASpec, st: HPAState, current: int, desired: int, now: float) -> HPAState:
    """storeScaleEvent: remember a rescale for the rate limits (only with a behaviour)."""
    if spec.behavior is None or desired == current:
        return st
    longest_up = max((p.period for p in spec.behavior.up.policies), default=0.0)
    longest_down = max((p.period for p in spec.behavior.down.policies), default=0.0)
    ups = tuple(e for e in st.ups if e[0] > now - longest_up)
    downs = tuple(e for e in st.downs if e[0] > now - longest_down)
    if desired > current:
        ups = (*ups, (now, desired - current))
    else:
        downs = (*downs, (now, current - desired))
    return replace(st, ups=ups, downs=downs)


def decide(spec: HPASpec, st: HPAState, current: int, proposal: int | None, now: float) -> Decision:
    """One HPA evaluation (reconcileAutoscaler): `current` is the target's replicas, `proposal`
    the calculator's (None: no metric this time, nothing changes)."""
    if not st.recommendations:  # recordInitialRecommendation
        st = replace(st, recommendations=((now, current),))
    if current == 0 and spec.min_replicas != 0:
        return Decision(0, st, "ScalingDisabled", proposal)
    if current > spec.max_replicas:
        desired, reason = spec.max_replicas, "AboveMaxReplicas"
        return Decision(desired, _record_scale(spec, st, current, desired, now), reason, proposal)
    if current < spec.min_replicas:
        desired, reason = spec.min_replicas, "BelowMinReplicas"
        return Decision(desired, _record_scale(spec, st, current, desired, now), reason, proposal)
    if proposal is None:
        return Decision(current, st, "FailedGetResourceMetric", None)
    wanted = max(0, proposal)
    stabilized, why = _stabilize(spec, st, current, wanted, now)
    st = _remember(spec, st, wanted, now)
    desired, limited, limits = _limit(spec, st, current, stabilized, now)
    reason = limited if desired != stabilized else why
    st = _record_scale(spec, st, current, desired, now)
    return Decision(desired, st, reason, proposal, stabilized, limits)
