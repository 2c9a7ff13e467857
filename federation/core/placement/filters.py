"""Placement's per-cluster filters and scores: affinity membership (groups, overflow tiers)
and taints against the policy's tolerations, NoExecute eviction timing included."""

from __future__ import annotations

from collections.abc import Sequence

from federation.core.health import RECOVERING_TAINT, UNREACHABLE_TAINT
from federation.core.model import Cluster, ClusterAffinity, FailoverPolicy, Placement, Taint

HEALTH_TAINTS = frozenset({UNREACHABLE_TAINT, RECOVERING_TAINT})
LOCALITY_SCORE = 100
PREFER_NO_SCHEDULE_PENALTY = 50


def _no_execute_verdict(
    taint: Taint, placement: Placement, failover: FailoverPolicy, now: float
) -> tuple[bool, float | None]:
    """(evict now?, later eviction time) for a hosting cluster carrying a NoExecute taint."""
    added = taint.time_added if taint.time_added is not None else now
    tol = next((t for t in placement.tolerations if t.tolerates(taint)), None)
    if taint.key in HEALTH_TAINTS:
        if not failover.enabled:
            return False, None
        if tol is None:
            due = added + failover.toleration_seconds
        elif tol.toleration_seconds is None:
            return False, None
        else:
            due = added + tol.toleration_seconds
    else:
        if tol is None:
            return True, None
        if tol.toleration_seconds is None:
            return False, None
        due = added + tol.toleration_seconds
    return (True, None) if now >= due else (False, due)


def taint_filter(
    c: Cluster,
    taints: Sequence[Taint],
    placement: Placement,
    failover: FailoverPolicy,
    hosting: bool,
    now: float,
) -> tuple[str | None, str | None, float | None, int]:
    """(exclusion reason, eviction reason, next eviction time, score penalty) for one cluster."""
    penalty, later = 0, None
    for t in taints:
        tolerated = any(tol.tolerates(t) for tol in placement.tolerations)
        label = f"{t.key}:{t.effect}"
        if t.effect == "PreferNoSchedule":
            penalty += 0 if tolerated else PREFER_NO_SCHEDULE_PENALTY
        elif t.effect == "NoSchedule":
            if not tolerated and not hosting:
                return f"untolerated taint {label}", None, None, 0
        else:  # NoExecute
            if hosting:
                evict, due = _no_execute_verdict(t, placement, failover, now)
                if evict:
                    return f"evicted: taint {label}", f"taint {label}", None, 0
                if due is not None:
                    later = due if later is None else min(later, due)
            else:
                # a cluster the workload is not on yet is admitted only by a toleration
                # without a time limit: a timed one would evict what it just placed
                tol = next((x for x in placement.tolerations if x.tolerates(t)), None)
                if tol is None:
                    return f"untolerated taint {label}", None, None, 0
                if tol.toleration_seconds is not None:
                    why = f"taint {label} is tolerated only for {tol.toleration_seconds:g}s"
                    return why, None, None, 0
    return None, None, later, penalty


def affinity_reason(groups: Sequence[ClusterAffinity], c: Cluster) -> tuple[int, str | None]:
    """Index of the first affinity group matching c, or (-1, why none does)."""
    reason = None
    for i, g in enumerate(groups):
        why = g.mismatch(c)
        if why is None:
            return i, None
        reason = reason or why
    return -1, reason or "no affinity group matches"


def membership(placement: Placement, c: Cluster) -> tuple[int, int, str | None]:
    """(group, tier, None) of the first affinity group c belongs to, where tier 0 is the group
    itself and tier k its k-th overflow affinity (the first one c matches); or (-1, 0, why)."""
    groups = placement.affinity_groups or (placement.affinity,)
    if not placement.overflow:
        gi, why = affinity_reason(groups, c)
        return gi, 0, why
    reason = None
    for i in range(len(groups)):
        k, why = membership_in(placement, i, c)
        if why is None:
            return i, k, None
        reason = reason or why  # the group's own mismatch: its tiers are tried after it
    return -1, 0, reason or "no affinity group matches"


def membership_in(placement: Placement, group: int, c: Cluster) -> tuple[int, str | None]:
    """(tier, None) of c within affinity group `group` only (tier 0 the group itself, tier k
    its k-th overflow affinity, the first c matches); or (0, why the group leaves c out)."""
    groups = placement.affinity_groups or (placement.affinity,)
    tiers = (groups[group], *(placement.overflow[group] if group < len(placement.overflow) else ()))
    reason = None
    for k, a in enumerate(tiers):
        why = a.mismatch(c)
        if why is None:
            return k, None
        reason = reason or why
    return 0, reason
