"""Karmada's three divided-replica strategies (v1.16+ Webster arithmetic), reproduced exactly.

Source: karmada-io/karmada ``pkg/scheduler/core/assignment.go`` (strategy dispatch, Steady mode,
``buildScheduledClusters``, ``resortAvailableClusters``), ``division_algorithm.go``
(``getStaticWeightInfoList``, ``dynamicScaleUp`` / ``dynamicScaleDown`` /
``dynamicDivideReplicas``), ``util.go`` (``calAvailableReplicas``) and
``pkg/util/helper/webstermethod.go`` (``AllocateWebsterSeats``). Every case of Karmada's
``Test_dynamicScale`` and ``Test_dynamicScaleUp`` is a row of
``tests/core/test_division_karmada_cases.py``.

* `static_weight` (``webster``): Webster of the total by weight, recomputed from scratch.
  If every weight is 0 every cluster gets weight 1. min, max, current and capacity are ignored,
  as Karmada's StaticWeight ignores available resources.
* `dynamic_weight` (``webster-dynamic``), Karmada "Steady" mode. A cluster's weight is its
  available replicas: ``capacity - current`` (floored at 0); unknown capacity means "no
  estimate", which Karmada replaces by the desired replica count, so we use `total`.
  assigned = sum(current). assigned < total (a first scheduling included): only the
  ``delta = total - assigned`` added replicas are divided, by Webster weighted by available
  replicas, every cluster starting from 0 seats (the current replicas do not count in the
  priority), and the result is added to `current` (``MergeTargetClusters``) - so no cluster
  ever loses a replica on scale-up. If the available replicas sum to less than the delta
  Karmada fails with UnschedulableError and keeps the previous result: we return `current`
  unchanged and report the whole delta as unschedulable. assigned > total: Webster of the
  total weighted by the current layout (a proportional scale-down). Equal: keep.
* `aggregated` (``webster-aggregated``): like `dynamic_weight`, but before dividing, clusters
  are ordered by available replicas (desc; equal counts by name, where Go's unstable sort
  leaves the order open), clusters with current > 0 are moved to the front keeping that order,
  and only the shortest prefix whose cumulative available replicas reach the delta is used.
  Scale-down applies the same prefix rule to the current layout (so small clusters may be
  emptied).

A cluster that is no longer a candidate is simply not listed: Karmada's
``buildScheduledClusters`` drops it from the previous result, so its replicas are placed again
as part of the delta. `rebalance` does not exist in Karmada's Steady mode and is ignored here.
No overflow is reported (Karmada computes none); `Division.over_capacity` shows what exceeds a
capacity. The dynamic methods never add replicas beyond a known capacity (Webster of a delta
no larger than the available replicas never gives a cluster more than its available replicas,
and scale-down never raises a cluster), so for them `over_capacity` only shows current
replicas that already exceed it.
"""

from __future__ import annotations

from collections.abc import Sequence

from federation.core.division_model import Member, Outcome, integer_votes
from federation.core.webster import Party, allocate, tie_ascending

__all__ = ["aggregated", "dynamic_weight", "static_weight"]


def static_weight(total: int, members: Sequence[Member], key: str) -> Outcome:
    """Karmada StaticWeight: Webster of `total` by weight (all weights 0 -> all weight 1)."""
    weights = [m.weight for m in members]
    if not any(weights):
        votes = [1] * len(members)
        note = " (all weights 0: every cluster weighted 1)"
    else:
        votes = integer_votes(weights)
        note = ""
    parties = [Party(m.name, v) for m, v in zip(members, votes, strict=True)]
    seats, left = allocate(total, parties, ascending=tie_ascending(key))
    reason = f"{total} replicas by static weight over {len(members)} clusters{note}"
    return Outcome(seats, left, reason)


def dynamic_weight(total: int, members: Sequence[Member], key: str) -> Outcome:
    """Karmada DynamicWeight (Steady mode): weights are the clusters' available replicas."""
    return _dynamic(total, members, key, aggregated=False)


def aggregated(total: int, members: Sequence[Member], key: str) -> Outcome:
    """Karmada Aggregated (Steady mode): as few clusters as the available replicas allow."""
    return _dynamic(total, members, key, aggregated=True)


def _available(m: Member, total: int) -> int:
    if m.capacity is None:
        return total  # calAvailableReplicas: no estimate -> spec.replicas
    return max(0, m.capacity - m.current)


def _prefix(order: list[tuple[str, int]], target: int) -> list[tuple[str, int]]:
    """The shortest prefix of (name, replicas) whose replicas add up to >= target."""
    acc = 0
    for i, (_, n) in enumerate(order):
        acc += n
        if acc >= target:
            return order[: i + 1]
    return order


def _by_replicas(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _dynamic(total: int, members: Sequence[Member], key: str, *, aggregated: bool) -> Outcome:
    ascending = tie_ascending(key)
    current = {m.name: m.current for m in members}
    assigned = sum(current.values())
    label = "aggregated" if aggregated else "dynamic weight"
    if assigned == total:
        return Outcome(dict(current), 0, f"{total} replicas already assigned; kept ({label})")
    if assigned > total:
        # dynamicScaleDown: weights = previous result, no initial seats
        weights = _by_replicas([(m.name, m.current) for m in members])
        if aggregated:
            weights = _prefix(weights, total)
        seats, left = allocate(total, [Party(n, v) for n, v in weights], ascending=ascending)
        replicas = {m.name: seats.get(m.name, 0) for m in members}
        reason = f"scale down {assigned} -> {total} in proportion to the current layout ({label})"
        return Outcome(replicas, left, reason)
    delta = total - assigned
    available = _by_replicas([(m.name, _available(m, total)) for m in members])
    room = sum(n for _, n in available)
    if room < delta:
        reason = (
            f"available replicas {room} are not enough to schedule {delta} more; "
            f"previous assignment kept ({label})"
        )
        return Outcome(dict(current), delta, reason)
    if aggregated:
        used = [r for r in available if current[r[0]] > 0]
        fresh = [r for r in available if current[r[0]] == 0]
        available = _prefix(used + fresh, delta)
    # dynamicScaleUp: AllocateWebsterSeats(delta, available, no initial seats), then merged
    # into the previous result; a cluster outside the (aggregated) prefix keeps its current
    seats, left = allocate(delta, [Party(n, v) for n, v in available], ascending=ascending)
    replicas = {m.name: m.current + seats.get(m.name, 0) for m in members}
    reason = f"scale up {assigned} -> {total}: {delta} new replicas by available replicas ({label})"
    return Outcome(replicas, left, reason)
