"""Hypothesis properties of federation.core.division.divide, method by method."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from federation.core.division import METHODS, divide

Row = dict[str, Any]
INF = 10**18


@st.composite
def rows(draw: st.DrawFn, max_size: int = 6) -> list[Row]:
    names = draw(st.lists(st.sampled_from("abcdefgh"), max_size=max_size, unique=True))
    out = []
    for name in names:
        weight = draw(
            st.one_of(
                st.integers(0, 6),
                st.fractions(0, 4, max_denominator=4),
            )
        )
        low = draw(st.integers(0, 4))
        high = draw(st.one_of(st.none(), st.integers(low, low + 12)))
        current = draw(st.integers(0, 12))
        capacity = draw(st.one_of(st.none(), st.integers(0, 15)))
        out.append(
            {
                "name": name,
                "weight": weight,
                "min": low,
                "max": high,
                "current": current,
                "capacity": capacity,
            }
        )
    return out


totals = st.integers(0, 60)
keys = st.sampled_from(["", "uid-1", "uid-2", "default/web"])


def upper(r: Row) -> int:
    bounds = [b for b in (r["max"], r["capacity"]) if b is not None]
    return min(bounds) if bounds else INF


def lower(r: Row) -> int:
    return int(min(r["min"], upper(r)))


@given(
    total=totals,
    clusters=rows(),
    method=st.sampled_from(METHODS),
    key=keys,
    rebalance=st.booleans(),
)
def test_replicas_plus_unschedulable_is_total(
    total: int, clusters: list[Row], method: str, key: str, rebalance: bool
) -> None:
    d = divide(total, clusters, method=method, key=key, rebalance=rebalance)
    assert set(d.replicas) == {r["name"] for r in clusters}
    assert all(n >= 0 for n in d.replicas.values())
    assert sum(d.replicas.values()) + d.unschedulable == total
    assert d.unschedulable >= 0
    assert all(n > 0 for n in d.overflow.values())
    assert all(n > 0 for n in d.over_capacity.values())


@given(
    total=totals,
    clusters=rows(),
    method=st.sampled_from(METHODS),
    key=keys,
    rebalance=st.booleans(),
)
def test_deterministic(
    total: int, clusters: list[Row], method: str, key: str, rebalance: bool
) -> None:
    a = divide(total, clusters, method=method, key=key, rebalance=rebalance)
    b = divide(total, [dict(r) for r in clusters], method=method, key=key, rebalance=rebalance)
    assert a == b


@given(
    total=totals,
    clusters=rows(),
    key=keys,
    rebalance=st.booleans(),
    data=st.data(),
    method=st.sampled_from(METHODS),
)
def test_order_of_clusters_never_matters(
    total: int, clusters: list[Row], key: str, rebalance: bool, data: st.DataObject, method: str
) -> None:
    shuffled = data.draw(st.permutations(clusters))
    a = divide(total, clusters, method=method, key=key, rebalance=rebalance)
    b = divide(total, shuffled, method=method, key=key, rebalance=rebalance)
    assert a == b


@given(
    total=totals,
    clusters=rows(),
    key=keys,
    rebalance=st.booleans(),
    method=st.sampled_from(["kfed", "kubefed"]),
)
def test_max_and_capacity_caps_are_honoured(
    total: int, clusters: list[Row], key: str, rebalance: bool, method: str
) -> None:
    d = divide(total, clusters, method=method, key=key, rebalance=rebalance)
    for r in clusters:
        assert d.replicas[r["name"]] <= upper(r)
    assert dict(d.over_capacity) == {}


@given(total=totals, clusters=rows(), key=keys, rebalance=st.booleans())
def test_kfed_unschedulable_iff_upper_bounds_too_small(
    total: int, clusters: list[Row], key: str, rebalance: bool
) -> None:
    d = divide(total, clusters, key=key, rebalance=rebalance)
    assert d.unschedulable == max(0, total - sum(upper(r) for r in clusters))


@given(total=totals, clusters=rows(), key=keys, rebalance=st.booleans())
def test_kfed_minimums_are_honoured_when_they_fit(
    total: int, clusters: list[Row], key: str, rebalance: bool
) -> None:
    d = divide(total, clusters, key=key, rebalance=rebalance)
    if total >= sum(lower(r) for r in clusters):
        assert all(d.replicas[r["name"]] >= lower(r) for r in clusters)
    else:
        assert all(d.replicas[r["name"]] <= lower(r) for r in clusters)


@given(total=totals, clusters=rows(), key=keys)
def test_kfed_keeps_running_replicas_without_rebalance(
    total: int, clusters: list[Row], key: str
) -> None:
    keep = {r["name"]: max(lower(r), min(r["current"], upper(r))) for r in clusters}
    d = divide(total, clusters, key=key, rebalance=False)
    if sum(keep.values()) <= total:
        assert all(d.replicas[n] >= k for n, k in keep.items())
    elif total >= sum(lower(r) for r in clusters):
        assert all(lower(r) <= d.replicas[r["name"]] <= keep[r["name"]] for r in clusters)


@given(total=totals, clusters=rows(), key=keys, rebalance=st.booleans())
def test_kfed_weight_zero_only_beyond_min_when_weighted_clusters_are_full(
    total: int, clusters: list[Row], key: str, rebalance: bool
) -> None:
    d = divide(total, clusters, key=key, rebalance=rebalance)
    weighted_full = all(d.replicas[r["name"]] >= upper(r) for r in clusters if r["weight"] > 0)
    for r in clusters:
        if r["weight"] == 0 and d.replicas[r["name"]] > lower(r):
            assert weighted_full or (not rebalance and d.replicas[r["name"]] <= r["current"])


@given(total=totals, clusters=rows(), key=keys, rebalance=st.booleans())
def test_kfed_overflow_is_what_capacity_took_away(
    total: int, clusters: list[Row], key: str, rebalance: bool
) -> None:
    d = divide(total, clusters, key=key, rebalance=rebalance)
    no_caps = [{**r, "capacity": None} for r in clusters]
    wished = divide(total, no_caps, key=key, rebalance=rebalance).replicas
    want = {
        r["name"]: wished[r["name"]] - r["capacity"]
        for r in clusters
        if r["capacity"] is not None and wished[r["name"]] > r["capacity"]
    }
    assert dict(d.overflow) == want


@given(clusters=rows(), key=keys, rebalance=st.booleans(), scale=st.integers(1, 7))
def test_kfed_and_webster_only_see_weight_ratios(
    clusters: list[Row], key: str, rebalance: bool, scale: int
) -> None:
    scaled = [{**r, "weight": Fraction(r["weight"]) * scale} for r in clusters]
    for method in ("kfed", "webster"):
        a = divide(37, clusters, method=method, key=key, rebalance=rebalance)
        b = divide(37, scaled, method=method, key=key, rebalance=rebalance)
        assert a.replicas == b.replicas


@given(clusters=rows(), key=keys, method=st.sampled_from(["kfed", "webster"]))
def test_house_monotone_on_scale_up(clusters: list[Row], key: str, method: str) -> None:
    # kfed: monotone with rebalance=True for every total, also across sum(min)
    before = divide(0, clusters, method=method, key=key).replicas
    for total in range(1, 45):
        after = divide(total, clusters, method=method, key=key).replicas
        assert all(after[c] >= before[c] for c in before), (total, dict(before), dict(after))
        before = after


@given(
    total=totals,
    clusters=rows(),
    key=keys,
    method=st.sampled_from(["webster-dynamic", "webster-aggregated"]),
)
def test_karmada_dynamic_scale_up_never_lowers_a_cluster(
    total: int, clusters: list[Row], key: str, method: str
) -> None:
    d = divide(total, clusters, method=method, key=key)
    assigned = sum(r["current"] for r in clusters)
    if assigned <= total:
        assert all(d.replicas[r["name"]] >= r["current"] for r in clusters)
        assert d.unschedulable in (0, total - assigned)
    else:
        assert d.unschedulable == 0
        assert all(d.replicas[r["name"]] <= r["current"] for r in clusters)


def available(r: Row, total: int) -> int:
    """Karmada's available replicas as the dynamic methods see them (no estimate -> total)."""
    return total if r["capacity"] is None else max(0, r["capacity"] - r["current"])


@given(total=totals, clusters=rows(), key=keys)
def test_karmada_dynamic_scale_up_is_a_first_scheduling_of_the_added_replicas(
    total: int, clusters: list[Row], key: str
) -> None:
    # dynamicScaleUp divides only the added replicas by available replicas, every cluster
    # from 0 seats (where the current ones run does not matter), and adds them to current
    assigned = sum(r["current"] for r in clusters)
    if assigned >= total:
        return
    delta = total - assigned
    fresh = [{"name": r["name"], "capacity": available(r, total)} for r in clusters]
    d = divide(total, clusters, method="webster-dynamic", key=key)
    f = divide(delta, fresh, method="webster-dynamic", key=key)
    assert d.unschedulable == f.unschedulable
    for r in clusters:
        added = f.replicas[r["name"]] if not f.unschedulable else 0
        assert d.replicas[r["name"]] == r["current"] + added


@given(
    total=totals,
    clusters=rows(),
    key=keys,
    method=st.sampled_from(["webster-dynamic", "webster-aggregated"]),
)
def test_karmada_dynamic_scale_up_adds_at_most_the_available_replicas(
    total: int, clusters: list[Row], key: str, method: str
) -> None:
    d = divide(total, clusters, method=method, key=key)
    if sum(r["current"] for r in clusters) < total:
        for r in clusters:
            assert 0 <= d.replicas[r["name"]] - r["current"] <= available(r, total)


@given(total=totals, clusters=rows(), key=keys)
def test_karmada_dynamic_places_new_replicas_only_where_there_is_room(
    total: int, clusters: list[Row], key: str
) -> None:
    d = divide(total, clusters, method="webster-dynamic", key=key)
    if d.unschedulable == 0 and sum(r["current"] for r in clusters) < total:
        for r in clusters:
            if r["capacity"] is not None and r["capacity"] <= r["current"]:
                assert d.replicas[r["name"]] == r["current"]


@given(total=totals, clusters=rows(), key=keys, rebalance=st.booleans())
def test_webster_ignores_everything_but_weights(
    total: int, clusters: list[Row], key: str, rebalance: bool
) -> None:
    bare = [{"name": r["name"], "weight": r["weight"]} for r in clusters]
    a = divide(total, clusters, method="webster", key=key, rebalance=rebalance)
    b = divide(total, bare, method="webster", key=key)
    assert a.replicas == b.replicas
    assert a.unschedulable == (total if not clusters else 0)


@given(total=totals, clusters=rows(), key=keys, rebalance=st.booleans())
def test_kubefed_places_everything_when_one_weighted_cluster_is_unbounded(
    total: int, clusters: list[Row], key: str, rebalance: bool
) -> None:
    d = divide(total, clusters, method="kubefed", key=key, rebalance=rebalance)
    if any(r["weight"] > 0 and upper(r) == INF for r in clusters):
        assert d.unschedulable == 0


@given(
    rows(),
    st.integers(0, 20),
    st.booleans(),
    st.text("xyz", max_size=3),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 2)),
)
def test_kfed_reads_no_capacity_beyond_what_could_go_there(
    rs: list[Row], total: int, rebalance: bool, key: str, tiers: dict[str, int]
) -> None:
    """A capacity of at least max(total, min, current) divides as an unknown one (the memo of
    federation.core.targets keys divisions by rows with such capacities dropped)."""
    from federation.core.targets import tiered

    ample = [
        {**r, "capacity": None}
        if r["capacity"] is not None and r["capacity"] >= max(total, r["min"], r["current"])
        else r
        for r in rs
    ]
    a = divide(total, rs, method="kfed", key=key, rebalance=rebalance)
    b = divide(total, ample, method="kfed", key=key, rebalance=rebalance)
    assert (a.replicas, a.unschedulable, a.overflow) == (b.replicas, b.unschedulable, b.overflow)
    assert tiered(total, rs, tiers, "kfed", key, rebalance) == tiered(
        total, ample, tiers, "kfed", key, rebalance
    )
