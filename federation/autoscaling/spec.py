"""Autoscaling records: a FederatedHPA (its target workload and HPA spec), a CronFederatedHPA
(rules firing at resolved times), and a scenario's autoscaling settings (federated or
per-cluster, the metric pipeline, the wall-clock time the run starts at)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from federation.core.autoscaling import Pipeline
from federation.core.hpa import HPASpec

Mode = Literal["federated", "per-cluster"]


@dataclass(frozen=True)
class FederatedHPA:
    name: str
    namespace: str
    target: str  # the workload key of scaleTargetRef
    spec: HPASpec = HPASpec()

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class CronRule:
    """At each of `times` (seconds since the run started, resolved from `schedule` in the rule's
    time zone): set the target's replicas, or the target FederatedHPA's min and max."""

    name: str
    schedule: str
    times: tuple[float, ...] = ()
    replicas: int | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None


@dataclass(frozen=True)
class CronFederatedHPA:
    name: str
    namespace: str
    target: str  # a FederatedHPA key ("namespace/name") or a workload key
    target_is_hpa: bool
    rules: tuple[CronRule, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Autoscaling:
    hpas: tuple[FederatedHPA, ...] = ()
    crons: tuple[CronFederatedHPA, ...] = ()
    mode: Mode = "federated"
    pipeline: Pipeline = Pipeline()
    start: str = "2024-01-01T00:00:00Z"  # the wall-clock time of t = 0 (cron schedules)
    phase: float | None = None  # when metrics-server first scrapes; None: drawn from the seed

    @property
    def enabled(self) -> bool:
        return bool(self.hpas or self.crons)
