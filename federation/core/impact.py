"""Impact: the workloads a change of a cluster's health or reachability can affect."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from federation.core.actions import FederationState
from federation.core.desired import DesiredState


def touching(
    desired: DesiredState, state: FederationState, cluster: str, held: Iterable[str]
) -> set[str]:
    """The workloads a change of `cluster`'s health or reachability can affect: those its
    policy's affinity admits there (placement may now pick or drop it), those with replicas, a
    drain or a failback there, and those it `held` (observed objects). Nothing else reads that
    cluster's health, taints or reachability."""
    return touching_any(desired, state, {cluster: held})


def touching_any(
    desired: DesiredState, state: FederationState, held: Mapping[str, Iterable[str]]
) -> set[str]:
    """`touching` for several clusters at once (cluster -> the keys it holds): the union, in
    one pass over the workloads' state."""
    keys: set[str] = set()
    for cluster, objects in held.items():
        keys.update(desired.workloads_near(cluster))
        keys.update(objects)
    names = set(held)
    if len(names) == 1:
        (cluster,) = names
        for key, ws in state.workloads.items():
            if cluster in ws.assignment or cluster in ws.evictions or cluster in ws.evicted_from:
                keys.add(key)
        return keys
    for key, ws in state.workloads.items():
        if (
            not names.isdisjoint(ws.assignment)
            or not names.isdisjoint(ws.evictions)
            or not names.isdisjoint(ws.evicted_from)
        ):
            keys.add(key)
    return keys
