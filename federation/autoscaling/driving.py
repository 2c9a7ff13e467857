"""How a backend gives its control loop the scenario's autoscaler: the same on the sim and on
real members, fed by the traffic model's utilization (whichever backend drives it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from federation.autoscaling.autoscaler import Autoscaler
from federation.autoscaling.metrics import Utilization
from federation.recorder import Recorder

if TYPE_CHECKING:
    from federation.api.scenario import Scenario
    from federation.traffic.engine import TrafficEngine


def autoscaler(
    scenario: Scenario, recorder: Recorder, engine: TrafficEngine | None
) -> Autoscaler | None:
    """The scenario's autoscaler (None: it has no FederatedHPA or CronFederatedHPA)."""
    a = scenario.autoscaling
    if not a.enabled:
        return None
    metrics = None
    if engine is not None:
        metrics = Utilization(keep=a.pipeline.interval + a.pipeline.window)
        engine.track(metrics)
    return Autoscaler(a, recorder, scenario.seed, metrics)
