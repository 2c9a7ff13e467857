"""Placement from verdicts shared across workloads (`place` with a memo) decides exactly what the
general path decides: the same selection and order, scores, exclusions and evictions (with
their reasons, in the same order), and the same next eviction time, for workloads on clusters
that are tainted, no longer match, or that the workload was evicted from (barred)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.health import RECOVERING_TAINT, UNREACHABLE_TAINT
from federation.core.model import (
    Cluster,
    ClusterAffinity,
    FailoverPolicy,
    LabelSelector,
    Placement,
    Taint,
    Toleration,
)
from federation.core.placement import PlacementResult, place

NAMES = tuple(f"c{i}" for i in range(8))
TAINTS = (
    Taint("gpu", "", "NoSchedule"),
    Taint("spot", "", "PreferNoSchedule"),
    Taint("maint", "", "NoExecute", time_added=10.0),
    Taint(UNREACHABLE_TAINT, "", "NoExecute", time_added=20.0),
    Taint(RECOVERING_TAINT, "", "NoExecute", time_added=5.0),
)
TOLERATIONS = (
    Toleration("gpu", "Exists"),
    Toleration("maint", "Exists", toleration_seconds=30.0),
    Toleration(UNREACHABLE_TAINT, "Exists", toleration_seconds=15.0),
    Toleration("spot", "Exists", effect="PreferNoSchedule"),
)
AFFINITIES = (
    ClusterAffinity(),
    ClusterAffinity(cluster_names=NAMES[:5]),
    ClusterAffinity(exclude=("c1", "c6")),
    ClusterAffinity(label_selector=LabelSelector({"tier": "a"})),
)


def view(r: PlacementResult) -> tuple[Any, ...]:
    return (
        r.selected,
        list(r.excluded.items()),
        list(r.evict.items()),
        r.next_eviction_at,
        list(dict(r.scores).items()),
        r.degraded,
        dict(r.tiers),
    )


@st.composite
def situations(draw: st.DrawFn) -> dict[str, Any]:
    clusters = tuple(Cluster(name, labels={"tier": draw(st.sampled_from("ab"))}) for name in NAMES)
    taints = {
        name: tuple(draw(st.lists(st.sampled_from(TAINTS), max_size=2, unique=True)))
        for name in NAMES
    }
    placement = Placement(
        affinity=draw(st.sampled_from(AFFINITIES)),
        tolerations=tuple(draw(st.lists(st.sampled_from(TOLERATIONS), max_size=3, unique=True))),
    )
    failover = FailoverPolicy(
        enabled=draw(st.booleans()), toleration_seconds=draw(st.sampled_from([0.0, 12.0]))
    )
    free = {name: draw(st.one_of(st.none(), st.integers(0, 4))) for name in NAMES}
    # several workloads of one policy share the memo, each with its own clusters
    workloads = draw(
        st.lists(
            st.tuples(
                st.lists(st.sampled_from((*NAMES, "gone")), max_size=4, unique=True),
                st.dictionaries(st.sampled_from(NAMES), st.sampled_from(["evicted", "drain"])),
                st.sampled_from([0.0, 14.0, 25.0, 40.0]),
            ),
            min_size=1,
            max_size=6,
        )
    )
    return dict(
        clusters=clusters,
        taints=taints,
        placement=placement,
        failover=failover,
        free=free,
        workloads=workloads,
    )


@settings(max_examples=400, deadline=None)
@given(situations())
def test_shared_verdicts_place_as_the_general_path(s: dict[str, Any]) -> None:
    memo: dict[Any, Any] = {}
    for hosting, barred, now in s["workloads"]:
        args = (s["placement"], s["failover"], s["clusters"], s["taints"], hosting, now, s["free"])
        general = place(*args, barred=barred)
        shared = place(*args, memo=memo, barred=barred)
        assert view(shared) == view(general)
