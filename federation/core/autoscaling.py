"""Federated autoscaling, as Karmada's FederatedHPA decides it: the pods of the workload on the
member clusters that are Ready, their metrics, and a calibration (the share of the template's
replicas those clusters hold) turned into one global replica count, which the workload's policy
then divides. Also the metric pipeline's delay (a scrape every `interval` s reporting the mean
over the `window` s before it) and the per-member variant (each member's own HPA on its share).
Pure: `now` is an argument; histories are plain step functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from federation.core.hpa import Decision, HPASpec, HPAState, Pods, decide, propose
from federation.core.step_function import Steps, mean_over, min_over


@dataclass(frozen=True)
class Pipeline:
    """The metric pipeline: the kubelet's CPU rate over `window` s, collected by metrics-server
    every `interval` s (first at `phase`), read by the HPA every `sync_period` s."""

    interval: float = 60.0
    window: float = 10.0
    phase: float = 0.0
    sync_period: float = 15.0


def last_scrape(p: Pipeline, now: float) -> float | None:
    """When the newest metric the HPA can read at `now` was collected (None: none yet)."""
    if now < p.phase:
        return None
    return p.phase + math.floor((now - p.phase) / p.interval + 1e-9) * p.interval


@dataclass(frozen=True)
class Scrape:
    """What metrics-server reported for one workload on one member: `pods` pods (those Ready
    over the whole window) at `utilization` (fraction of their request, the window's mean),
    collected at `at`."""

    at: float
    pods: int
    utilization: float


def scrape(p: Pipeline, ready: Steps, utilization: Steps, now: float) -> Scrape | None:
    """The metric the HPA reads at `now`, from the ground-truth histories of Ready pods and
    per-pod utilization on one member."""
    s = last_scrape(p, now)
    if s is None:
        return None
    a = max(0.0, s - p.window)
    return Scrape(s, int(min_over(ready, a, s)), mean_over(utilization, a, s))


@dataclass(frozen=True)
class Member:
    """One member cluster as the FederatedHPA sees it: whether the federation holds it Ready,
    its copy's spec replicas (the scale subresource), its Ready pods, and the metric."""

    cluster: str
    ready_cluster: bool
    spec_replicas: int
    ready_pods: int
    metric: Scrape | None


def pods_of(m: Member, request: int) -> list[Pods]:
    """The member's pods as the HPA groups them: the Ready pods that metrics-server reported
    are ready (their usage the metric); Ready pods it has no sample for yet turned Ready after
    the window began, so within the CPU initialization period they count as unready; the rest
    of the spec replicas are Pending (unready)."""
    with_metric = min(m.ready_pods, m.metric.pods) if m.metric is not None else 0
    usage = round(m.metric.utilization * request) if m.metric is not None else 0
    out = [Pods(with_metric, "ready", request, usage)]
    out.append(Pods(m.ready_pods - with_metric, "unready", request))
    out.append(Pods(max(0, m.spec_replicas - m.ready_pods), "unready", request))
    return [g for g in out if g.count > 0]


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    calibration: float
    utilization: int | None  # % over the pods with a metric (None: none)
    ready_pods: int


def federated(
    spec: HPASpec,
    st: HPAState,
    template_replicas: int,
    members: Sequence[Member],
    request: int,
    now: float,
) -> Evaluation:
    """One FederatedHPA evaluation: only Ready members count; calibration = their spec replicas
    over the template's; the proposal is ceil(ratio x ready pods / calibration); then the HPA's
    stabilization and limits against the template's replicas."""
    ready = [m for m in members if m.ready_cluster]
    spec_sum = sum(m.spec_replicas for m in ready)
    pods = [g for m in ready for g in pods_of(m, request)]
    ready_pods = sum(g.count for g in pods if g.state == "ready")
    if spec_sum == 0 or template_replicas == 0:
        # "failed to get replicas in any of clusters": nothing to go by this time
        calibration = 0.0
        proposal = None
        utilization = None
    else:
        calibration = spec_sum / template_replicas
        prop = propose(template_replicas, spec.target, pods, spec.tolerance, calibration)
        proposal = None if prop is None else prop.replicas
        utilization = None if prop is None else prop.utilization
    decision = decide(spec, st, template_replicas, proposal, now)
    return Evaluation(decision, calibration, utilization, ready_pods)


def local(spec: HPASpec, st: HPAState, member: Member, request: int, now: float) -> Evaluation:
    """A member's own HPA on its own copy: its spec replicas are the current count, its pods and
    metric the only ones it sees."""
    pods = pods_of(member, request)
    prop = propose(member.spec_replicas, spec.target, pods, spec.tolerance)
    proposal = None if prop is None else prop.replicas
    decision = decide(spec, st, member.spec_replicas, proposal, now)
    ready_pods = sum(g.count for g in pods if g.state == "ready")
    return Evaluation(decision, 1.0, None if prop is None else prop.utilization, ready_pods)


def direction_changes(series: Mapping[float, int] | Sequence[tuple[float, int]]) -> int:
    """How many times a replica count series turns around (up then down, or down then up)."""
    items = sorted(series.items()) if isinstance(series, Mapping) else list(series)
    last_dir = 0
    turns = 0
    prev: int | None = None
    for _, v in items:
        if prev is not None and v != prev:
            d = 1 if v > prev else -1
            if last_dir and d != last_dir:
                turns += 1
            last_dir = d
        prev = v
    return turns
