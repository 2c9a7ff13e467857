"""Conditions the core reports: each cluster's Ready condition from its health, and the
workload conditions (Scheduled, Available, FullyApplied, SpreadSatisfied), shared by value."""

from __future__ import annotations

from collections.abc import Mapping

from federation.core.actions import Condition
from federation.core.context import Context
from federation.core.health import ClusterHealth
from federation.core.memo import remember
from federation.core.model import Health


def cluster_conditions(
    health: Mapping[str, ClusterHealth], ctx: Context
) -> dict[str, tuple[Condition, ...]]:
    return {name: cluster_condition(h, ctx.obs(name).reachable) for name, h in health.items()}


def cluster_condition(h: ClusterHealth, reachable: bool) -> tuple[Condition, ...]:
    """One cluster's conditions: Ready from its health, and Observed False when unreachable."""
    failed = 0 if h.run_ok else h.run
    k = (h.state, h.since, failed, reachable)
    conds = _CONDITIONS.get(k)
    if conds is None:
        conds = remember(_CONDITIONS, k, _conditions(h.state, h.since, failed, reachable))
    return conds


# the same few conditions every cycle: memoised by value (cheap to keep, costly to format)
_CONDITIONS: dict[tuple[Health, float, int, bool], tuple[Condition, ...]] = {}


def condition(type_: str, status: bool, reason: str, message: str = "") -> Condition:
    """A Condition, shared with every equal one (they are frozen; most workloads repeat a few)."""
    k = (type_, status, reason, message)
    c = _WORKLOAD_CONDITIONS.get(k)
    if c is None:
        c = remember(_WORKLOAD_CONDITIONS, k, Condition(type_, status, reason, message))
    return c


_WORKLOAD_CONDITIONS: dict[tuple[str, bool, str, str], Condition] = {}


def _conditions(state: Health, since: float, failed: int, reachable: bool) -> tuple[Condition, ...]:
    msg = f"{state.value} since t={since:g}s"
    if failed:
        msg += f"; {failed} failed probe(s) in a row"
    conds = [Condition("Ready", state is Health.READY, state.value, msg)]
    if not reachable:
        conds.append(Condition("Observed", False, "Unreachable", "last observation failed"))
    return tuple(conds)


def available_condition(ready: int, replicas: int) -> Condition:
    """Available: every one of `replicas` Ready, else Degraded."""
    ok = ready >= replicas
    why = "Available" if ok else "Degraded"
    return condition("Available", ok, why, f"{ready}/{replicas} ready")


def scheduled_conditions(degraded: str, unschedulable: int, targets: int) -> list[Condition]:
    """Scheduled (and SpreadSatisfied when a spread constraint is degraded) after placement."""
    out = []
    if degraded:
        out.append(condition("SpreadSatisfied", False, "Degraded", degraded))
    if unschedulable:
        msg = f"{unschedulable} replica(s) fit on no cluster"
        out.append(condition("Scheduled", False, "Unschedulable", msg))
    elif not targets:
        out.append(condition("Scheduled", False, "NoCluster", "no cluster passes placement"))
    else:
        out.append(condition("Scheduled", True, "Scheduled", f"{targets} cluster(s)"))
    return out
