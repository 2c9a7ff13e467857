"""Table-driven cases for federation.core.division: API, Karmada methods, kfed, FNV vectors."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

import pytest

from federation.core.division import DEFAULT_METHOD, METHODS, Division, divide
from federation.core.fnv import fnv1_32, fnv1a_32
from federation.core.webster import tie_ascending

Row = dict[str, Any]


def weighted(**weights: Any) -> list[Row]:
    return [{"name": n, "weight": w} for n, w in weights.items()]


def ref_fnv1a(text: str) -> int:
    """Independent FNV-1a reference: decimal constants, modulo instead of a mask."""
    h = 2166136261
    for b in text.encode():
        h = ((h ^ b) * 16777619) % 2**32
    return h


# uids whose FNV-1a parity is even (ties ascending) and odd (ties descending)
EVEN_UID, ODD_UID = "uid-2", "uid-1"


# --- FNV -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "text", "want"),
    [
        (fnv1a_32, "", 0x811C9DC5),
        (fnv1a_32, "a", 0xE40C292C),
        (fnv1a_32, "foobar", 0xBF9CF968),
        (fnv1_32, "", 0x811C9DC5),
        (fnv1_32, "a", 0x050C5D7E),
        (fnv1_32, "foobar", 0x31F0B262),
    ],
    ids=lambda v: v.__name__ if callable(v) else repr(v),
)
def test_fnv_known_vectors(fn: Any, text: str, want: int) -> None:
    assert fn(text) == want


@pytest.mark.parametrize("uid", ["", "a", EVEN_UID, ODD_UID, "3f2b-ü", "x" * 40])
def test_fnv1a_matches_independent_reference(uid: str) -> None:
    assert fnv1a_32(uid) == ref_fnv1a(uid)


def test_uid_parity_fixtures() -> None:
    assert ref_fnv1a(EVEN_UID) % 2 == 0 and ref_fnv1a(ODD_UID) % 2 == 1
    assert tie_ascending(EVEN_UID) and not tie_ascending(ODD_UID) and tie_ascending("")


# --- API and validation ----------------------------------------------------------------


def test_methods_and_default() -> None:
    assert METHODS == ("kfed", "webster", "webster-dynamic", "webster-aggregated", "kubefed")
    assert DEFAULT_METHOD == "kfed" == METHODS[0]


def test_division_is_frozen_and_sorted_by_name() -> None:
    d = divide(3, weighted(zeta=1, alpha=1, mid=1))
    assert isinstance(d, Division)
    assert list(d.replicas) == ["alpha", "mid", "zeta"]
    assert d.method == "kfed" and d.total == 3 and d.unschedulable == 0
    assert d.reason.startswith("kfed: ")
    with pytest.raises(AttributeError):
        d.total = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.replicas["alpha"] = 9  # type: ignore[index]


def test_defaults_weight_1_and_none_means_default() -> None:
    rows: list[Row] = [
        {"name": "a"},
        {"name": "b", "weight": None, "min": None, "max": None, "current": None, "capacity": None},
    ]
    assert dict(divide(4, rows).replicas) == {"a": 2, "b": 2}


@pytest.mark.parametrize("method", METHODS)
def test_no_clusters_everything_unschedulable(method: str) -> None:
    d = divide(5, [], method=method)
    assert dict(d.replicas) == {} and d.unschedulable == 5


@pytest.mark.parametrize("method", METHODS)
def test_zero_total_gives_zero_everywhere(method: str) -> None:
    d = divide(0, weighted(a=1, b=2), method=method)
    assert dict(d.replicas) == {"a": 0, "b": 0} and d.unschedulable == 0


INVALID_CASES: list[tuple[Any, Any, dict[str, Any], str]] = [
    (-1, weighted(a=1), {}, "total"),
    (True, weighted(a=1), {}, "total"),
    (2.0, weighted(a=1), {}, "total"),
    (3, weighted(a=-1), {}, "weight must be >= 0"),
    (3, weighted(a="2"), {}, "weight must be a number"),
    (3, weighted(a=float("nan")), {}, "finite"),
    (3, weighted(a=float("inf")), {}, "finite"),
    (3, [{"name": "a", "min": 3, "max": 2}], {}, "min 3 > max 2"),
    (3, [{"name": "a", "min": -1}], {}, "min must be an int >= 0"),
    (3, [{"name": "a", "capacity": 1.5}], {}, "capacity must be an int"),
    (3, [{"name": "a", "current": -2}], {}, "current must be an int"),
    (3, [{"name": "a"}, {"name": "a"}], {}, "duplicate cluster name 'a'"),
    (3, [{"weight": 1}], {}, "name must be a non-empty str"),
    (3, [{"name": ""}], {}, "name must be a non-empty str"),
    (3, [{"name": "a", "capcity": 1}], {}, "unknown keys \\['capcity'\\]"),
    (3, ["a"], {}, "must be a mapping"),
    (3, "ab", {}, "sequence of mappings"),
    (3, weighted(a=1), {"method": "dhondt"}, "unknown division method 'dhondt'"),
    (3, weighted(a=1), {"key": 7}, "key must be a str"),
]


@pytest.mark.parametrize(
    ("total", "rows", "kwargs", "match"),
    INVALID_CASES,
    ids=[f"{c[3]} <- total={c[0]!r} {c[2] or c[1]}"[:70] for c in INVALID_CASES],
)
def test_invalid_input_raises_value_error(
    total: Any, rows: Any, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        divide(total, rows, **kwargs)


@pytest.mark.parametrize(
    "weight", [Fraction(1, 2), 0.5, Decimal("0.5")], ids=["Fraction", "float", "Decimal"]
)
def test_non_integer_weights_are_exact(weight: Any) -> None:
    # 0.5 : 1 is 1 : 2 -> 3 over 1:2 is 1/2, and 2 over 1:2 is 1/1
    rows = [{"name": "a", "weight": weight}, {"name": "b", "weight": 1}]
    for method in ("webster", "kfed", "kubefed"):
        assert dict(divide(3, rows, method=method).replicas) == {"a": 1, "b": 2}
    assert dict(divide(2, rows, method="webster").replicas) == {"a": 1, "b": 1}


# --- webster (Karmada StaticWeight) ----------------------------------------------------

WEBSTER_CASES = [
    ("2 over 2:1 -> 1/1", 2, {"a": 2, "b": 1}, {"a": 1, "b": 1}),
    ("7 over 2:1:1 -> 3/2/2", 7, {"A": 2, "B": 1, "C": 1}, {"A": 3, "B": 2, "C": 2}),
    ("10 over 1:1:1 -> 4/3/3", 10, {"A": 1, "B": 1, "C": 1}, {"A": 4, "B": 3, "C": 3}),
    ("4 over 170:110:60 -> 2-1-1", 4, {"e": 170, "w": 110, "c": 60}, {"e": 2, "w": 1, "c": 1}),
    ("5 over 170:110:60 -> 2-2-1", 5, {"e": 170, "w": 110, "c": 60}, {"e": 2, "w": 2, "c": 1}),
    ("6 over 170:110:60 -> 3-2-1", 6, {"e": 170, "w": 110, "c": 60}, {"e": 3, "w": 2, "c": 1}),
    ("7 over 170:110:60 -> 4-2-1", 7, {"e": 170, "w": 110, "c": 60}, {"e": 4, "w": 2, "c": 1}),
    (
        "4 over 1200:900:400 -> 2/1/1",
        4,
        {"Al": 1200, "Be": 900, "Ga": 400},
        {"Al": 2, "Be": 1, "Ga": 1},
    ),
    (
        "8 over 100k:80k:30k:20k -> 3/3/1/1 (Sainte-Lague classic)",
        8,
        {"A": 100000, "B": 80000, "C": 30000, "D": 20000},
        {"A": 3, "B": 3, "C": 1, "D": 1},
    ),
    ("5 over 0:0 -> all weight 1 -> 3/2", 5, {"a": 0, "b": 0}, {"a": 3, "b": 2}),
    ("5 over 0:1 -> 0/5", 5, {"a": 0, "b": 1}, {"a": 0, "b": 5}),
]


@pytest.mark.parametrize(
    ("total", "weights", "want"), [c[1:] for c in WEBSTER_CASES], ids=[c[0] for c in WEBSTER_CASES]
)
def test_webster_table(total: int, weights: dict[str, int], want: dict[str, int]) -> None:
    d = divide(total, weighted(**weights), method="webster")
    assert dict(d.replicas) == want and d.unschedulable == 0


def test_webster_170_110_60_never_lowers_a_cluster_from_4_to_7() -> None:
    rows = weighted(e=170, w=110, c=60)
    layouts = [divide(t, rows, method="webster").replicas for t in range(4, 8)]
    for before, after in pairwise(layouts):
        assert all(after[c] >= before[c] for c in before)


def test_webster_ignores_min_max_capacity_but_reports_over_capacity() -> None:
    rows: list[Row] = [
        {"name": "a", "weight": 1, "min": 1, "max": 1, "capacity": 1},
        {"name": "b", "weight": 1, "min": 5, "current": 9},
    ]
    d = divide(6, rows, method="webster")
    assert dict(d.replicas) == {"a": 3, "b": 3}
    assert dict(d.over_capacity) == {"a": 2} and dict(d.overflow) == {}


PARITY_CASES = [
    ("1 over a:b, no uid -> a (ascending)", 1, "", {"a": 1, "b": 0}),
    ("1 over a:b, even uid -> a (ascending)", 1, EVEN_UID, {"a": 1, "b": 0}),
    ("1 over a:b, odd uid -> b (descending)", 1, ODD_UID, {"a": 0, "b": 1}),
    ("3 over a:b, even uid -> 2/1", 3, EVEN_UID, {"a": 2, "b": 1}),
    ("3 over a:b, odd uid -> 1/2", 3, ODD_UID, {"a": 1, "b": 2}),
]


@pytest.mark.parametrize(
    ("total", "key", "want"), [c[1:] for c in PARITY_CASES], ids=[c[0] for c in PARITY_CASES]
)
def test_webster_uid_parity_flips_the_extra_seat(
    total: int, key: str, want: dict[str, int]
) -> None:
    for method in ("webster", "kfed"):
        assert dict(divide(total, weighted(a=1, b=1), method=method, key=key).replicas) == want


def test_webster_ties_prefer_fewer_seats_before_name() -> None:
    # 12 over b:10, c:6 -> seat 12 is a tie 10/15 == 6/9; c has fewer seats (4 < 7) and wins
    # even though the name order (descending for an odd uid) would not change that
    for key in ("", ODD_UID):
        got = divide(12, weighted(b=10, c=6), method="webster", key=key).replicas
        assert dict(got) == {"b": 7, "c": 5}


# --- webster-dynamic / webster-aggregated (Karmada DynamicWeight / Aggregated) ----------


def caps(**spec: tuple[int, int | None]) -> list[Row]:
    """name=(current, capacity)."""
    return [{"name": n, "current": c, "capacity": cap} for n, (c, cap) in spec.items()]


DYNAMIC_CASES: list[tuple[str, str, int, list[Row], dict[str, int], int]] = [
    (
        "12 over allocatable 6:12:18 -> 2/4/6 (webster-dynamic)",
        "webster-dynamic",
        12,
        caps(A=(0, 6), B=(0, 12), C=(0, 18)),
        {"A": 2, "B": 4, "C": 6},
        0,
    ),
    (
        "6 from A2 with free A8:B4 -> 4 new by 8:4 from 0 seats -> +3/+1 -> 5/1",
        "webster-dynamic",
        6,
        caps(A=(2, 10), B=(0, 4)),
        {"A": 5, "B": 1},
        0,
    ),
    (
        "6 from A2 with free 1:1 -> not enough: keep 2/0, 4 unschedulable",
        "webster-dynamic",
        6,
        caps(A=(2, 3), B=(0, 1)),
        {"A": 2, "B": 0},
        4,
    ),
    (
        "5 from 6/3/1 -> scale down by current -> 3/1/1",
        "webster-dynamic",
        5,
        caps(A=(6, None), B=(3, None), C=(1, None)),
        {"A": 3, "B": 1, "C": 1},
        0,
    ),
    (
        "4 from 1/3 -> equal -> keep",
        "webster-dynamic",
        4,
        caps(A=(1, 1), B=(3, 0)),
        {"A": 1, "B": 3},
        0,
    ),
    (
        "4 over unknown capacities -> weight = total -> 2/2",
        "webster-dynamic",
        4,
        caps(A=(0, None), B=(0, None)),
        {"A": 2, "B": 2},
        0,
    ),
    ("3 over free 0:5 -> 0/3", "webster-dynamic", 3, caps(A=(0, 0), B=(0, 5)), {"A": 0, "B": 3}, 0),
    (
        "12 over allocatable 4:10:6 -> fewest: B,C -> 0/7/5 (aggregated)",
        "webster-aggregated",
        12,
        caps(A=(0, 4), B=(0, 10), C=(0, 6)),
        {"A": 0, "B": 7, "C": 5},
        0,
    ),
    (
        "8 from B2 free A10:B3:C20 -> used B first, then C; 6 new by 3:20 -> 0/3/5",
        "webster-aggregated",
        8,
        caps(A=(0, 10), B=(2, 5), C=(0, 20)),
        {"A": 0, "B": 3, "C": 5},
        0,
    ),
    (
        "5 over free 5:5 -> one cluster, name order -> 5/0",
        "webster-aggregated",
        5,
        caps(A=(0, 5), B=(0, 5)),
        {"A": 5, "B": 0},
        0,
    ),
    (
        "6 from 5/3/2 -> prefix A,B -> 4/2/0",
        "webster-aggregated",
        6,
        caps(A=(5, None), B=(3, None), C=(2, None)),
        {"A": 4, "B": 2, "C": 0},
        0,
    ),
    (
        "9 from A2 free A1:B1 -> 7 > 2: keep, 7 unschedulable",
        "webster-aggregated",
        9,
        caps(A=(2, 3), B=(0, 1)),
        {"A": 2, "B": 0},
        7,
    ),
]


@pytest.mark.parametrize(
    ("method", "total", "rows", "want", "unschedulable"),
    [c[1:] for c in DYNAMIC_CASES],
    ids=[c[0] for c in DYNAMIC_CASES],
)
def test_karmada_dynamic_table(
    method: str, total: int, rows: list[Row], want: dict[str, int], unschedulable: int
) -> None:
    d = divide(total, rows, method=method)
    assert dict(d.replicas) == want
    assert d.unschedulable == unschedulable
    assert dict(d.overflow) == {}


def test_dynamic_not_enough_reason_mentions_available() -> None:
    d = divide(6, caps(A=(2, 3), B=(0, 1)), method="webster-dynamic")
    assert "available replicas 2 are not enough to schedule 4" in d.reason


def test_dynamic_ignores_weights_and_rebalance() -> None:
    rows = caps(A=(0, 6), B=(0, 12), C=(0, 18))
    for r in rows:
        r["weight"] = 100 if r["name"] == "A" else 1
    for rebalance in (True, False):
        d = divide(12, rows, method="webster-dynamic", rebalance=rebalance)
        assert dict(d.replicas) == {"A": 2, "B": 4, "C": 6}


# --- kfed --------------------------------------------------------------------------------

KFED_CASES: list[
    tuple[str, int, list[Row], dict[str, Any], dict[str, int], int, dict[str, int]]
] = [
    ("10 over 1:1:1 -> 4/3/3", 10, weighted(A=1, B=1, C=1), {}, {"A": 4, "B": 3, "C": 3}, 0, {}),
    (
        "10 over 1:1:1, A min 5 -> 5/3/2",
        10,
        [{"name": "A", "min": 5}, {"name": "B"}, {"name": "C"}],
        {},
        {"A": 5, "B": 3, "C": 2},
        0,
        {},
    ),
    (
        "5 with mins 4:4 -> minimums divided -> 3/2",
        5,
        [{"name": "A", "min": 4}, {"name": "B", "min": 4}],
        {},
        {"A": 3, "B": 2},
        0,
        {},
    ),
    (
        "5 with mins 6:2 -> minimums divided 6:2 -> 4/1",
        5,
        [{"name": "A", "min": 6}, {"name": "B", "min": 2}],
        {},
        {"A": 4, "B": 1},
        0,
        {},
    ),
    (
        "9 with A{min4,max6,w1} B{min4,max8,w2} -> 4/5",
        9,
        [
            {"name": "A", "min": 4, "max": 6, "weight": 1},
            {"name": "B", "min": 4, "max": 8, "weight": 2},
        ],
        {},
        {"A": 4, "B": 5},
        0,
        {},
    ),
    (
        "10 over 1:1:1, A max 2 -> 2/4/4",
        10,
        [{"name": "A", "max": 2}, {"name": "B"}, {"name": "C"}],
        {},
        {"A": 2, "B": 4, "C": 4},
        0,
        {},
    ),
    (
        "10 over 1:1, A capacity 2 -> 2/8, overflow A 3",
        10,
        [{"name": "A", "capacity": 2}, {"name": "B"}],
        {},
        {"A": 2, "B": 8},
        0,
        {"A": 3},
    ),
    (
        "10 over A,B cap 3 + weight-0 C,D -> 3/3/2/2 (overflow tier)",
        10,
        [
            {"name": "A", "capacity": 3},
            {"name": "B", "capacity": 3},
            {"name": "C", "weight": 0},
            {"name": "D", "weight": 0},
        ],
        {},
        {"A": 3, "B": 3, "C": 2, "D": 2},
        0,
        {"A": 2, "B": 2},
    ),
    (
        "4 over A + weight-0 B{min1} -> 3/1 (weight 0 gets only its min)",
        4,
        [{"name": "A"}, {"name": "B", "weight": 0, "min": 1}],
        {},
        {"A": 3, "B": 1},
        0,
        {},
    ),
    (
        "10 over A cap 3, B max 4 -> 3/4, 3 unschedulable, overflow A 3",
        10,
        [{"name": "A", "capacity": 3}, {"name": "B", "max": 4}],
        {},
        {"A": 3, "B": 4},
        3,
        {"A": 3},
    ),
    ("6 over weight-0 only -> even tier 3/3", 6, weighted(a=0, b=0), {}, {"a": 3, "b": 3}, 0, {}),
    (
        "5 with min 3 > capacity 1 -> min cut to 1 -> 1/4",
        5,
        [{"name": "A", "min": 3, "capacity": 1}, {"name": "B"}],
        {},
        {"A": 1, "B": 4},
        0,
        {"A": 2},
    ),
    (
        "8 keep A6 (rebalance=False) -> 6/2",
        8,
        [{"name": "A", "current": 6}, {"name": "B"}],
        {"rebalance": False},
        {"A": 6, "B": 2},
        0,
        {},
    ),
    (
        "8 from A6 (rebalance=True) -> 4/4",
        8,
        [{"name": "A", "current": 6}, {"name": "B"}],
        {"rebalance": True},
        {"A": 4, "B": 4},
        0,
        {},
    ),
    (
        "4 from 6/2 (rebalance=False) -> scale down 6:2 -> 3/1",
        4,
        [{"name": "A", "current": 6}, {"name": "B", "current": 2}],
        {"rebalance": False},
        {"A": 3, "B": 1},
        0,
        {},
    ),
    (
        "4 from 6/0, B min 2 (rebalance=False) -> 2/2",
        4,
        [{"name": "A", "current": 6}, {"name": "B", "min": 2}],
        {"rebalance": False},
        {"A": 2, "B": 2},
        0,
        {},
    ),
    (
        "6 from A6 capacity 4 (rebalance=False) -> 4/2, overflow A 2",
        6,
        [{"name": "A", "current": 6, "capacity": 4}, {"name": "B"}],
        {"rebalance": False},
        {"A": 4, "B": 2},
        0,
        {"A": 2},
    ),
    (
        "6 from weight-0 A4 (rebalance=False) -> keeps 4/2",
        6,
        [{"name": "A", "current": 4, "weight": 0}, {"name": "B"}],
        {"rebalance": False},
        {"A": 4, "B": 2},
        0,
        {},
    ),
]


@pytest.mark.parametrize(
    ("total", "rows", "kwargs", "want", "unschedulable", "overflow"),
    [c[1:] for c in KFED_CASES],
    ids=[c[0] for c in KFED_CASES],
)
def test_kfed_table(
    total: int,
    rows: list[Row],
    kwargs: dict[str, Any],
    want: dict[str, int],
    unschedulable: int,
    overflow: dict[str, int],
) -> None:
    d = divide(total, rows, **kwargs)
    assert d.method == "kfed"
    assert dict(d.replicas) == want
    assert d.unschedulable == unschedulable
    assert dict(d.overflow) == overflow
    assert dict(d.over_capacity) == {}


def test_kfed_reason_names_the_overflow_tier_and_the_unschedulable() -> None:
    rows: list[Row] = [{"name": "A", "capacity": 1}, {"name": "B", "weight": 0, "max": 1}]
    d = divide(5, rows)
    assert dict(d.replicas) == {"A": 1, "B": 1} and d.unschedulable == 3
    assert "weight-0 overflow tier" in d.reason and "3 fit nowhere" in d.reason


def test_kfed_huge_total_is_fast_and_exact() -> None:
    # 10**12 seats one at a time would never finish: the jump-start must do the work
    rows = [{"name": f"c{i:02d}", "weight": i + 1, "max": None if i else 7} for i in range(40)]
    d = divide(10**12, rows)
    assert d.replicas["c00"] == 7 and sum(d.replicas.values()) == 10**12
    w = divide(10**12, rows, method="webster")
    assert sum(w.replicas.values()) == 10**12
    assert abs(w.replicas["c39"] - 10**12 * 40 // 820) <= 1


def test_docs_example() -> None:
    rows: list[Row] = [
        {"name": "a", "weight": 2},
        {"name": "b", "min": 3},
        {"name": "c", "capacity": 1},
    ]
    d = divide(10, rows, method="kfed", key="6f1c-uid", rebalance=True)
    assert dict(d.replicas) == {"a": 6, "b": 3, "c": 1}
    assert d.unschedulable == 0 and dict(d.overflow) == {"c": 1}
