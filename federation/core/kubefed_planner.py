"""KubeFed's ReplicaSchedulingPreference planner (``kubefed``), reproduced step by step.

Source: kubernetes-retired/kubefed ``pkg/controller/util/planner/planner.go`` (``Planner.Plan``),
checked against the cases in ``planner_test.go``.

1. Order: weight descending, then ascending FNV-1 (not 1a) 32-bit hash of the cluster name's
   bytes followed directly by the key's bytes. (Equal hashes, which Go's unstable sort leaves
   open, fall back to the name.) Being earlier is the only tie-breaker.
2. Min pass: in that order each cluster gets min(min, remaining, capacity).
3. Keep-running pass (rebalance=False only): a cluster running more than planned is
   pre-allocated min(min(current, max, capacity) - planned, remaining).
4. Weighted passes while something changed and replicas remain: with W = sum of the weights of
   still-open clusters and R = remaining at the start of the pass, each cluster in order gets
   min(ceil(R * w / W), remaining), first consuming its own pre-allocation; the result is cut at
   max and at capacity (the part above capacity is recorded as overflow); a cut cluster is
   closed. ``ceil`` always rounds up, so earlier clusters take the rounding: 10 over three equal
   clusters is 4/4/2, not 4/3/3.
5. With rebalance=True overflow is returned in full; with rebalance=False it is trimmed to the
   replicas that could not be placed anywhere.

A KubeFed cluster with no preference at all (no entry and no ``"*"``) gets 0 and takes no
part; weight 0 with current 0 is equivalent here. Replicas not placed (all clusters closed or
all weights 0) are `unschedulable`. KubeFed's scheduler then writes ``plan + overflow`` into
each member; `Division.replicas` is the plan alone so that it adds up to the total.
"""

from __future__ import annotations

from collections.abc import Sequence

from federation.core.division_model import Member, Outcome, integer_votes
from federation.core.fnv import fnv1_32

__all__ = ["plan"]


def plan(total: int, members: Sequence[Member], key: str, rebalance: bool) -> Outcome:
    """Run KubeFed's ``Planner.Plan`` on `members`; `key` plays the "namespace/name" role."""
    votes = dict(
        zip((m.name for m in members), integer_votes(m.weight for m in members), strict=True)
    )
    order = sorted(members, key=lambda m: (-votes[m.name], fnv1_32(m.name + key), m.name))
    remaining = total
    planned: dict[str, int] = {}
    for m in order:  # min pass
        take = min(m.min, remaining)
        if m.capacity is not None:
            take = min(take, m.capacity)
        remaining -= take
        planned[m.name] = take

    prealloc: dict[str, int] = {}
    if not rebalance:  # keep-running pass
        for m in order:
            if m.current > planned[m.name]:
                target = m.current
                if m.max is not None:
                    target = min(target, m.max)
                if m.capacity is not None:
                    target = min(target, m.capacity)
                extra = max(0, min(target - planned[m.name], remaining))
                remaining -= extra
                prealloc[m.name] = extra
                planned[m.name] += extra

    overflow: dict[str, int] = {}
    open_ = order
    modified = True
    while modified and remaining > 0:  # weighted passes
        modified = False
        weight_sum = sum(votes[m.name] for m in open_)
        if weight_sum <= 0:
            break
        share_out = remaining
        still_open = []
        for m in open_:
            start = planned[m.name]
            extra = min(-(-share_out * votes[m.name] // weight_sum), remaining)
            pre = prealloc.get(m.name, 0)
            used = min(extra, pre)
            prealloc[m.name] = pre - used
            extra -= used
            modified = modified or used > 0
            now = start + extra
            full = False
            if m.max is not None and now > m.max:
                now, full = m.max, True
            if m.capacity is not None and now > m.capacity:
                overflow[m.name] = now - m.capacity
                now, full = m.capacity, True
            if not full:
                still_open.append(m)
            remaining -= now - start
            planned[m.name] = now
            modified = modified or now > start
        open_ = still_open

    if not rebalance:
        overflow = {c: min(n, remaining) for c, n in overflow.items() if min(n, remaining) > 0}
    reason = f"KubeFed RSP planner, rebalance={'true' if rebalance else 'false'}"
    if remaining:
        reason += f"; {remaining} replicas fit nowhere"
    replicas = {m.name: planned[m.name] for m in members}
    return Outcome(replicas, remaining, reason, overflow)
