"""Health-check defaults of the projects kfed reads: a scenario whose clusters all come from
Karmada (or all from KubeFed) documents gets that project's probing and thresholds unless its
spec.health says otherwise, since those are controller flags, not document fields."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from federation.core.health import HealthThresholds


def thresholds(period: float, timeout: float, failures: int, successes: int) -> HealthThresholds:
    """`failures` (`successes`) probes `period` apart in a row; the span a quarter period
    shorter than (n - 1) periods, as kfed's own defaults are (see HealthThresholds)."""
    return HealthThresholds(
        probe_period=period,
        probe_timeout=timeout,
        failure_count=failures,
        failure_seconds=max(0.0, (failures - 1) * period - period / 4),
        success_count=successes,
        success_seconds=max(0.0, (successes - 1) * period - period / 4),
    )


# karmada-controller-manager: --cluster-status-update-frequency 10s, the member client's 32 s
# timeout, --cluster-failure-threshold 30s and --cluster-success-threshold 30s: NotReady (and
# Ready again) once the new state has lasted 30 s, i.e. on the 4th probe 10 s apart
KARMADA = thresholds(10.0, 32.0, 4, 4)
# KubeFedConfig defaults: clusterHealthCheck period 10s, timeout 3s, failureThreshold 3,
# successThreshold 1
KUBEFED = thresholds(10.0, 3.0, 3, 1)


def health_defaults(
    origins: Collection[str], kubefed: Mapping[str, Any] | None = None
) -> HealthThresholds:
    """The health defaults of a federation whose Cluster documents come from `origins`
    ("karmada", "kubefed", "kfed"), with a KubeFedConfig's clusterHealthCheck if given."""
    if set(origins) == {"karmada"}:
        return KARMADA
    if set(origins) == {"kubefed"}:
        if kubefed is None:
            return KUBEFED
        return thresholds(
            float(kubefed["period"]),
            float(kubefed["timeout"]),
            int(kubefed["failureThreshold"]),
            int(kubefed["successThreshold"]),
        )
    return HealthThresholds()


def spec_health(th: HealthThresholds) -> str:
    """`th` as a Scenario's spec.health block (one line of YAML)."""
    return (
        f"health: {{probePeriod: {th.probe_period:g}s, probeTimeout: {th.probe_timeout:g}s, "
        f"failureThreshold: {th.failure_count}, failureSeconds: {th.failure_seconds:g}s, "
        f"successThreshold: {th.success_count}, successSeconds: {th.success_seconds:g}s}}"
    )
