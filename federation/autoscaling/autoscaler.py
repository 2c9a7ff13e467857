"""The autoscaler the shared control loop runs: every FederatedHPA evaluated every sync period
(15 s) from what the loop observed (members' health, their copies' spec and Ready replicas) and
the modelled metric, CronFederatedHPA rules fired at their times. It answers with new global
replica counts (the loop's division then divides them) or, in per-cluster mode, with the counts
each member's own HPA writes into its copy. Evaluations that change nothing cost no reconcile.

Rows: `autoscale` (cluster "" for a FederatedHPA, the member for a per-cluster HPA): the HPA,
the `current` and `desired` replicas, the metric's `proposal`, `utilization` (% of the request,
as the HPA read it), `calibration`, `ready_pods`, `reason`; written when any of them changes.
`cron` (cluster ""): a rule fired, with what it set. Every rescale is a row.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from federation.autoscaling.spec import Autoscaling, CronRule, FederatedHPA
from federation.core.autoscaling import Member, Pipeline, federated, local, scrape
from federation.core.hpa import HPAState
from federation.core.model import ClusterObservation, Health, Workload
from federation.core.step_function import Steps
from federation.recorder import Recorder

READY_STATES = (Health.READY, Health.SUSPECT)  # Karmada's Ready condition holds while Suspect


class MetricSource(Protocol):
    def histories(self, key: str, cluster: str) -> tuple[Steps, Steps]: ...


@dataclass(frozen=True)
class MemberWrite:
    """A member's own HPA scales its copy of `key` to `replicas` (per-cluster mode)."""

    cluster: str
    key: str
    replicas: int


def pipeline_phase(a: Autoscaling, seed: int | str) -> Pipeline:
    """The pipeline with its first scrape placed: as written, or drawn from the run's seed (the
    same on both backends)."""
    p = a.pipeline
    phase = a.phase
    if phase is None:
        phase = random.Random(f"{seed}/metrics-pipeline").random() * p.interval
    return replace(p, phase=phase)


class Autoscaler:
    def __init__(
        self,
        autoscaling: Autoscaling,
        recorder: Recorder,
        seed: int | str,
        metrics: MetricSource | None = None,
    ) -> None:
        self.spec = autoscaling
        self.recorder = recorder
        self.metrics = metrics
        self.pipeline = pipeline_phase(autoscaling, seed)
        self.hpas: dict[str, FederatedHPA] = {h.key: h for h in autoscaling.hpas}
        self.states: dict[tuple[str, str], HPAState] = {}  # (hpa, cluster or "") -> memory
        self.next_eval = self.pipeline.sync_period
        self._last: dict[tuple[str, str], dict[str, object]] = {}
        self._cron: list[tuple[float, int, int, int]] = []  # (t, order, cron index, rule index)
        n = 0
        for ci, cron in enumerate(autoscaling.crons):
            for ri, rule in enumerate(cron.rules):
                for t in rule.times:
                    heapq.heappush(self._cron, (t, n, ci, ri))
                    n += 1
        self.evaluations = 0
        self.scales = 0

    def deadline(self) -> float:
        t = self.next_eval if self.hpas else float("inf")
        return min(t, self._cron[0][0]) if self._cron else t

    def due(self, now: float) -> bool:
        return now >= self.deadline()

    def run(
        self,
        now: float,
        workloads: Mapping[str, Workload],
        health: Callable[[str], Health],
        clusters: Mapping[str, ClusterObservation],
    ) -> tuple[dict[str, int], list[MemberWrite]]:
        """What is due at `now`: new global replicas by workload key, and member writes."""
        changes: dict[str, int] = {}
        writes: list[MemberWrite] = []
        while self._cron and self._cron[0][0] <= now:
            _t, _, ci, ri = heapq.heappop(self._cron)
            self._fire(ci, ri, now, workloads, changes)
        if self.hpas and now >= self.next_eval:
            while self.next_eval <= now:
                self.next_eval += self.pipeline.sync_period
            for key in sorted(self.hpas):
                hpa = self.hpas[key]
                w = workloads.get(hpa.target)
                if w is None or w.replicas is None:
                    continue
                current = changes.get(w.key, w.replicas)
                if self.spec.mode == "per-cluster":
                    writes += self._members(hpa, w, now, health, clusters)
                    continue
                n = self._federated(hpa, w, current, now, health, clusters)
                if n != current:
                    changes[w.key] = n
        return changes, writes

    # ---------------------------------------------------------------- internals

    def _member(self, w: Workload, c: ClusterObservation, ready: bool, now: float) -> Member:
        obj = c.objects.get(w.key)
        spec_replicas = (obj.replicas or 0) if obj is not None else 0
        ready_pods = (obj.ready_replicas or 0) if obj is not None else 0
        metric = None
        if self.metrics is not None and obj is not None:
            ready_steps, load = self.metrics.histories(w.key, c.cluster)
            metric = scrape(self.pipeline, ready_steps, load, now)
        return Member(c.cluster, ready, spec_replicas, ready_pods, metric)

    def _federated(
        self,
        hpa: FederatedHPA,
        w: Workload,
        current: int,
        now: float,
        health: Callable[[str], Health],
        clusters: Mapping[str, ClusterObservation],
    ) -> int:
        members = [
            self._member(w, c, c.reachable and health(name) in READY_STATES, now)
            for name, c in sorted(clusters.items())
        ]
        st = self.states.get((hpa.key, ""), HPAState())
        ev = federated(hpa.spec, st, current, members, _milli(w), now)
        self.states[(hpa.key, "")] = ev.decision.state
        self.evaluations += 1
        d = ev.decision
        if d.desired != current:
            self.scales += 1
        self._row(
            now,
            "",
            hpa,
            w,
            current=current,
            desired=d.desired,
            proposal=d.proposal,
            utilization=ev.utilization,
            calibration=round(ev.calibration, 6),
            ready_pods=ev.ready_pods,
            reason=d.reason,
        )
        return d.desired

    def _members(
        self,
        hpa: FederatedHPA,
        w: Workload,
        now: float,
        health: Callable[[str], Health],
        clusters: Mapping[str, ClusterObservation],
    ) -> list[MemberWrite]:
        out = []
        for name, c in sorted(clusters.items()):
            obj = c.objects.get(w.key)
            # a member's own HPA runs inside it: it needs the member up (as far as we can tell)
            if obj is None or not c.reachable or health(name) not in READY_STATES:
                continue
            m = self._member(w, c, True, now)
            if m.spec_replicas == 0:
                continue
            st = self.states.get((hpa.key, name), HPAState())
            ev = local(hpa.spec, st, m, _milli(w), now)
            self.states[(hpa.key, name)] = ev.decision.state
            self.evaluations += 1
            d = ev.decision
            if d.desired != m.spec_replicas:
                self.scales += 1
                out.append(MemberWrite(name, w.key, d.desired))
            self._row(
                now,
                name,
                hpa,
                w,
                current=m.spec_replicas,
                desired=d.desired,
                proposal=d.proposal,
                utilization=ev.utilization,
                calibration=1.0,
                ready_pods=ev.ready_pods,
                reason=d.reason,
            )
        return out

    def _fire(
        self,
        ci: int,
        ri: int,
        now: float,
        workloads: Mapping[str, Workload],
        changes: dict[str, int],
    ) -> None:
        cron = self.spec.crons[ci]
        rule: CronRule = cron.rules[ri]
        applied: dict[str, object] = {}
        if cron.target_is_hpa:
            hpa = self.hpas.get(cron.target)
            if hpa is None:
                return
            spec = hpa.spec
            if rule.min_replicas is not None:
                spec = replace(spec, min_replicas=rule.min_replicas)
                applied["minReplicas"] = rule.min_replicas
            if rule.max_replicas is not None:
                spec = replace(spec, max_replicas=rule.max_replicas)
                applied["maxReplicas"] = rule.max_replicas
            if spec.min_replicas > spec.max_replicas:
                # Karmada's webhook refuses the FederatedHPA's update: the execution fails
                applied["failed"] = (
                    f"maxReplicas {spec.max_replicas} < minReplicas {spec.min_replicas}"
                )
            else:
                self.hpas[hpa.key] = replace(hpa, spec=spec)
            target = hpa.target
        else:
            target = cron.target
            if rule.replicas is not None and target in workloads:
                changes[target] = rule.replicas
                applied["replicas"] = rule.replicas
        self.recorder.row(
            now,
            "cron",
            "",
            target,
            cron=cron.key,
            rule=rule.name,
            schedule=rule.schedule,
            **applied,
        )

    def _row(
        self, now: float, cluster: str, hpa: FederatedHPA, w: Workload, **fields: object
    ) -> None:
        k = (hpa.key, cluster)
        if self._last.get(k) == fields and fields["desired"] == fields["current"]:
            return  # a rescale is always a row; an evaluation only when something differs
        self._last[k] = fields
        self.recorder.row(now, "autoscale", cluster, w.key, hpa=hpa.key, **fields)


def _milli(w: Workload) -> int:
    """The pods' CPU request in milli-cores (1000 when the template asks none: utilization is
    then a share of one core)."""
    m = round(w.request.cpu * 1000)
    return m if m > 0 else 1000
