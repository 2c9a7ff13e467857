"""DesiredState's lookups: the claiming policy found through the label index is the one a scan
of every policy in Karmada's order finds, and a workload no override selects renders once for
every cluster."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.desired import DesiredState
from federation.core.model import (
    Cluster,
    ClusterAffinity,
    LabelSelector,
    OverridePolicy,
    OverrideRule,
    PropagationPolicy,
    Requirement,
    ResourceSelector,
    Workload,
)

LABELS = st.dictionaries(st.sampled_from("abc"), st.sampled_from("xy"), max_size=3)


@st.composite
def selectors(draw: st.DrawFn) -> ResourceSelector:
    exprs = tuple(
        Requirement(k, "In", ("x",)) for k in draw(st.lists(st.sampled_from("ab"), max_size=1))
    )
    label_selector = draw(st.one_of(st.none(), st.builds(LabelSelector, LABELS, st.just(exprs))))
    return ResourceSelector(
        kind=draw(st.sampled_from(["", "Deployment", "ConfigMap"])),
        name=draw(st.sampled_from(["", "w0", "w1"])),
        label_selector=label_selector,
    )


def scan(desired: DesiredState, w: Workload) -> PropagationPolicy | None:
    """Karmada's order over every policy, without an index."""
    best, chosen = None, None
    for p in desired.policies:
        if not p.matches(w):
            continue
        precision = max(s.precision() for s in p.selectors if s.matches(w))
        rank = (-p.priority, 0 if p.namespace else 1, -precision, p.name)
        if best is None or rank < best:
            best, chosen = rank, p
    return chosen


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(selectors(), max_size=3), st.integers(0, 2), st.booleans()),
        max_size=6,
    ),
    st.lists(
        st.tuples(st.sampled_from(["Deployment", "ConfigMap"]), LABELS), min_size=1, max_size=6
    ),
)
def test_the_indexed_claim_is_the_scanned_one(
    policies: list[tuple[list[ResourceSelector], int, bool]],
    workloads: list[tuple[str, dict[str, str]]],
) -> None:
    ps = [
        PropagationPolicy(f"p{i}", "default" if ns else "", prio, tuple(sel))
        for i, (sel, prio, ns) in enumerate(policies)
    ]
    ws = [
        Workload("v1", kind, f"w{i}", "default", labels)
        for i, (kind, labels) in enumerate(workloads)
    ]
    desired = DesiredState.build((), ps, (), ws)
    for w in ws:
        assert desired.policy_for(w) is scan(desired, w)


def test_a_workload_no_override_selects_renders_once_for_every_cluster() -> None:
    web = Workload("apps/v1", "Deployment", "web", "shop", {"app": "web"}, {"spec": {}}, 2)
    db = Workload("apps/v1", "Deployment", "db", "shop", {"app": "db"}, {"spec": {}}, 2)
    pin = OverridePolicy(
        "pin",
        "shop",
        (ResourceSelector(kind="Deployment", name="db"),),
        (OverrideRule(ClusterAffinity(cluster_names=("a",)), replicas=5),),
    )
    a, b = Cluster("a"), Cluster("b")
    desired = DesiredState.build((a, b), (), (pin,), (web, db))
    assert desired.rendered(web, a, 2) is desired.rendered(web, b, 2)
    assert desired.rendered(web, a, 2)[2] == 2
    assert desired.rendered(db, a, 2) is not desired.rendered(db, b, 2)
    assert (desired.rendered(db, a, 2)[2], desired.rendered(db, b, 2)[2]) == (5, 2)
