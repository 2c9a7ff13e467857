"""Ordered affinity groups (Karmada `clusterAffinities`): the group a workload is scheduled
with, walked as Karmada's scheduler walks them.

Source: karmada-io/karmada ``pkg/scheduler/scheduler.go``
(``scheduleResourceBindingWithClusterAffinities``), ``pkg/scheduler/helper.go``
(``getAffinityIndex``) and ``pkg/scheduler/core`` (``divideReplicasByResource``: "clusters
resources are not enough to schedule"). The walk:

1. **Where it starts.** At the group the workload was last scheduled with (Karmada's
   ``status.schedulerObservedAffinityName``), or at the first group when there is none, when
   that name is no longer a group, or on a fresh reschedule (kfed: a failback, Karmada's
   WorkloadRebalancer, which restarts at index 0 since karmada-io/karmada#5425). A workload
   therefore never returns to an earlier group by itself.
2. **Each group in turn, forward only.** The group is tried alone: placement with its
   affinity (and its overflow tiers), then division. It fails when no cluster of it is
   feasible, or when the division fails for want of room. Only the methods that read room
   can fail so: DynamicWeight (``webster-dynamic``) and Aggregated (``webster-aggregated``),
   when the replicas to add exceed the available replicas of the group's clusters. Static
   weights (``kfed``, ``webster``, ``kubefed``) and Duplicated never fail for room (Karmada's
   static division and Duplicated assignment ignore it; a group that cannot hold them is
   filled and the rest stays unschedulable or Pending). The first group that does not fail
   is used, and remembered.
3. **When every group fails**, what Karmada does depends on the first group tried: if it had
   no feasible cluster, the result is emptied (nothing is placed); if it failed for room, the
   previous assignment is kept and the rest is unschedulable. The remembered group stays.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace

from federation.core.context import Context
from federation.core.model import Placement, PropagationPolicy, Workload
from federation.core.placement import PlacementResult, place

# the division methods that fail, as Karmada's do, when the group lacks room for the replicas
ROOM_METHODS = frozenset({"webster-dynamic", "webster-aggregated"})


@dataclass
class Trial:
    """What dividing a workload over one group's placement gives (see `schedule_groups`)."""

    targets: dict[str, int]
    unschedulable: int
    bound: bool  # room decided the layout
    room: int | None  # the group's available replicas (None: unknown)
    current: dict[str, int]  # what of the assignment stays (the clusters not being left)
    extra: object = None  # the caller's own record of the trial


@dataclass(frozen=True)
class GroupChoice:
    """The group a workload is scheduled with and what that gives."""

    placement: PlacementResult  # of the group used (of the first tried when none fits)
    trial: Trial  # its division (the first tried group's, targets as Karmada leaves them)
    group: str | None  # the group remembered (the one used, or the previous when none fits)
    note: str  # which group, and why the groups before it were skipped


def fails_for_room(policy: PropagationPolicy, w: Workload, unschedulable: int) -> bool:
    """Does a division that left `unschedulable` replicas out fail the group, as Karmada's
    scheduling fails with "not enough" (its dynamic methods place all or nothing)?"""
    rs = policy.placement.replicas
    return (
        w.divisible
        and rs.type == "Divided"
        and rs.method_name() in ROOM_METHODS
        and unschedulable > 0
    )


def schedule_groups(
    ctx: Context,
    w: Workload,
    policy: PropagationPolicy,
    observed: str | None,
    hosting: Collection[str],
    free: Mapping[str, int | None],
    barred: Mapping[str, str] | None,
    fresh: bool,
    trial: Callable[[PlacementResult], Trial],
) -> GroupChoice:
    """Walk `policy`'s affinity groups for `w` (see the module docstring). `observed` is the
    group it was last scheduled with, `hosting` the clusters it is assigned to, `fresh` a
    failback (start at the first group); `trial` divides it over one group's placement."""
    pl = policy.placement
    start = 0 if fresh else (pl.group_index(observed) or 0)
    skipped: list[tuple[int, str, PlacementResult]] = []
    first: tuple[PlacementResult, Trial, bool] | None = None  # the first tried, no fit?
    for i in range(start, len(pl.affinity_groups)):
        res = place(
            pl,
            policy.failover,
            ctx.desired.clusters,
            ctx.taints,
            hosting,
            ctx.now,
            free,
            barred=barred,
            group=i,
        )
        got = trial(res)
        if not res.selected:
            first = first or (res, got, True)
            skipped.append((i, "no feasible cluster", res))
            continue
        if fails_for_room(policy, w, got.unschedulable):
            room = "unknown" if got.room is None else str(got.room)
            first = first or (res, got, False)
            skipped.append((i, f"{got.unschedulable} replicas wanted, room for {room}", res))
            continue
        note = f"group {pl.group_name(i)}"
        if start and not fresh:
            note += " (scheduling starts from the group last used)"
        if skipped:
            note += "; " + _skips(pl, skipped)
        got.bound = got.bound or any(why != "no feasible cluster" for _, why, _ in skipped)
        return GroupChoice(_explained(pl, res, skipped), got, pl.group_name(i), note)
    # every group failed: Karmada's result depends on the first group tried
    assert first is not None
    res, got, no_fit = first
    total = w.replicas or 0
    if no_fit:
        got.targets, got.unschedulable, kept = {}, total if w.divisible else 0, "nothing is placed"
    else:
        got.targets = dict(got.current)
        got.unschedulable = max(0, total - sum(got.current.values()))
        kept = "the previous assignment is kept"
    got.bound = not no_fit
    note = f"no group fits ({_skips(pl, skipped)}); {kept}"
    return GroupChoice(_explained(pl, res, skipped), got, observed, note)


def _skips(pl: Placement, skipped: list[tuple[int, str, PlacementResult]]) -> str:
    return ", ".join(f"group {pl.group_name(i)} skipped: {why}" for i, why, _ in skipped)


def _explained(
    pl: Placement, res: PlacementResult, skipped: list[tuple[int, str, PlacementResult]]
) -> PlacementResult:
    """`res` with the clusters of skipped groups excluded for the group's reason: its room, or
    their own reasons in it (a taint, say) when it had no feasible cluster."""
    if not skipped:
        return res
    excluded = dict(res.excluded)
    done: set[str] = set()
    for i, why, r in skipped:  # a cluster in several groups: the earliest one's word
        head = f"affinity group {pl.group_name(i)} skipped"
        own = {n: why for n in r.selected}
        own.update((n, x) for n, x in r.excluded.items() if not _elsewhere(x))
        for name, reason in own.items():
            if name not in done and _elsewhere(excluded.get(name, "")):
                excluded[name] = f"{head}: {reason}"
                done.add(name)
    return replace(res, excluded=excluded)


def _elsewhere(reason: str) -> bool:
    """Is this placement's reason that the cluster belongs to another group?"""
    return reason.startswith("not in affinity group") or (
        reason.startswith("affinity group") and "is only a fallback" in reason
    )
