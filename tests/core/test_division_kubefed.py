"""KubeFed planner (``kubefed``): every case of KubeFed's planner_test.go, plus published examples.

A KubeFed RSP maps cluster names (or "*") to {weight, minReplicas, maxReplicas}; a candidate
cluster with no entry and no "*" takes no part and gets 0, which is weight 0 here. Unless a
case says otherwise the key is "" (as in planner_test.go), so the FNV-1 order of one-letter
names is E, D, C, B, A.
"""

from __future__ import annotations

from typing import Any

import pytest

from federation.core.division import divide
from federation.core.fnv import fnv1_32

Pref = dict[str, Any]


def rsp(
    prefs: dict[str, Pref],
    clusters: str,
    current: dict[str, int] | None = None,
    capacity: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Build divide() rows the way KubeFed resolves an RSP for the given candidate clusters."""
    rows = []
    for name in clusters:
        pref = prefs.get(name, prefs.get("*", {"weight": 0}))
        rows.append(
            {
                "name": name,
                "weight": pref.get("weight", 0),
                "min": pref.get("min", 0),
                "max": pref.get("max"),
                "current": (current or {}).get(name, 0),
                "capacity": (capacity or {}).get(name),
            }
        )
    return rows


EQ: dict[str, Pref] = {"*": {"weight": 1}}

# (id, prefs, total, clusters, current, capacity, rebalance, want plan, want overflow)
CASES: list[
    tuple[
        str,
        dict[str, Pref],
        int,
        str,
        dict[str, int],
        dict[str, int],
        bool,
        dict[str, int],
        dict[str, int],
    ]
] = [
    # TestEqual
    (
        "50 over A,B,C equal -> 16/17/17",
        EQ,
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 16, "B": 17, "C": 17},
        {},
    ),
    ("50 over A,B equal -> 25/25", EQ, 50, "AB", {}, {}, False, {"A": 25, "B": 25}, {}),
    ("1 over A,B equal -> B", EQ, 1, "AB", {}, {}, False, {"A": 0, "B": 1}, {}),
    (
        "1 over A,B,C,D equal -> D",
        EQ,
        1,
        "ABCD",
        {},
        {},
        False,
        {"A": 0, "B": 0, "C": 0, "D": 1},
        {},
    ),
    ("1 over A -> 1", EQ, 1, "A", {}, {}, False, {"A": 1}, {}),
    ("1 over nothing -> {}", EQ, 1, "", {}, {}, False, {}, {}),
    # TestEqualWithExisting (rebalance=false)
    (
        "50 over A,B,C, C runs 30 -> 10/10/30",
        EQ,
        50,
        "ABC",
        {"C": 30},
        {},
        False,
        {"A": 10, "B": 10, "C": 30},
        {},
    ),
    ("50 over A,B, A runs 30 -> 30/20", EQ, 50, "AB", {"A": 30}, {}, False, {"A": 30, "B": 20}, {}),
    (
        "15 over A,B, runs 0/8 -> 7/8",
        EQ,
        15,
        "AB",
        {"A": 0, "B": 8},
        {},
        False,
        {"A": 7, "B": 8},
        {},
    ),
    (
        "15 over A,B, runs 1/8 -> 7/8",
        EQ,
        15,
        "AB",
        {"A": 1, "B": 8},
        {},
        False,
        {"A": 7, "B": 8},
        {},
    ),
    (
        "15 over A,B, runs 4/8 -> 7/8",
        EQ,
        15,
        "AB",
        {"A": 4, "B": 8},
        {},
        False,
        {"A": 7, "B": 8},
        {},
    ),
    (
        "15 over A,B, runs 5/8 -> 7/8",
        EQ,
        15,
        "AB",
        {"A": 5, "B": 8},
        {},
        False,
        {"A": 7, "B": 8},
        {},
    ),
    (
        "15 over A,B, runs 6/8 -> 7/8",
        EQ,
        15,
        "AB",
        {"A": 6, "B": 8},
        {},
        False,
        {"A": 7, "B": 8},
        {},
    ),
    (
        "15 over A,B, runs 7/8 -> 7/8",
        EQ,
        15,
        "AB",
        {"A": 7, "B": 8},
        {},
        False,
        {"A": 7, "B": 8},
        {},
    ),
    (
        "500000 over A,B, A runs 300000 -> 300000/200000",
        EQ,
        500000,
        "AB",
        {"A": 300000},
        {},
        False,
        {"A": 300000, "B": 200000},
        {},
    ),
    ("50 over A,B, A runs 10 -> 25/25", EQ, 50, "AB", {"A": 10}, {}, False, {"A": 25, "B": 25}, {}),
    (
        "50 over A,B, runs 10/70 -> 0/50 (KubeFed TODO: should be 10/40)",
        EQ,
        50,
        "AB",
        {"A": 10, "B": 70},
        {},
        False,
        {"A": 0, "B": 50},
        {},
    ),
    ("1 over A,B, A runs 30 -> 1/0", EQ, 1, "AB", {"A": 30}, {}, False, {"A": 1, "B": 0}, {}),
    (
        "50 over A,B, runs 10/20 -> 25/25",
        EQ,
        50,
        "AB",
        {"A": 10, "B": 20},
        {},
        False,
        {"A": 25, "B": 25},
        {},
    ),
    # TestWithExistingAndCapacity
    (
        "50 over A,B,C, C capacity 10 -> 20/20/10, overflow C 7",
        EQ,
        50,
        "ABC",
        {},
        {"C": 10},
        True,
        {"A": 20, "B": 20, "C": 10},
        {"C": 7},
    ),
    (
        "50 over B(w1 cap 10),C(no pref) -> 10/0, overflow B 40",
        {"A": {"weight": 10000}, "B": {"weight": 1}},
        50,
        "BC",
        {},
        {"B": 10},
        True,
        {"B": 10, "C": 0},
        {"B": 40},
    ),
    (
        "60 over A:1,B:2 (cap 10),C -> 50/10/0, overflow B 30",
        {"A": {"weight": 1}, "B": {"weight": 2}},
        60,
        "ABC",
        {},
        {"B": 10},
        True,
        {"A": 50, "B": 10, "C": 0},
        {"B": 30},
    ),
    (
        "71 over A{10000,max10},B,C{max21,cap10},D{max10} -> 10/41/10/10, overflow C 11",
        {
            "A": {"weight": 10000, "max": 10},
            "B": {"weight": 1},
            "C": {"weight": 1, "max": 21},
            "D": {"weight": 1, "max": 10},
        },
        71,
        "ABCD",
        {},
        {"C": 10},
        True,
        {"A": 10, "B": 41, "C": 10, "D": 10},
        {"C": 11},
    ),
    (
        "60 over A,B cap 10/10, rebalance=false -> 10/10/0, overflow trimmed 20/20",
        {"A": {"weight": 1}, "B": {"weight": 1}},
        60,
        "ABC",
        {},
        {"A": 10, "B": 10},
        False,
        {"A": 10, "B": 10, "C": 0},
        {"A": 20, "B": 20},
    ),
    (
        "60 over A:1,B:5 (cap 10), rebalance=false -> 50/10/0, no overflow",
        {"A": {"weight": 1}, "B": {"weight": 5}},
        60,
        "ABC",
        {},
        {"B": 10},
        False,
        {"A": 50, "B": 10, "C": 0},
        {},
    ),
    (
        "50 over *{min20,w0}, B cap 10, rebalance=false -> 20/10/20",
        {"*": {"min": 20, "weight": 0}},
        50,
        "ABC",
        {},
        {"B": 10},
        False,
        {"A": 20, "B": 10, "C": 20},
        {},
    ),
    (
        "60 over *{min20,w1}, B cap 10 -> 50/10, overflow B 15",
        {"*": {"min": 20, "weight": 1}},
        60,
        "AB",
        {},
        {"B": 10},
        True,
        {"A": 50, "B": 10},
        {"B": 15},
    ),
    # TestMin
    (
        "50 over *{min2,w0} -> 2/2/2",
        {"*": {"min": 2, "weight": 0}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 2, "B": 2, "C": 2},
        {},
    ),
    (
        "50 over *{min20,w0} -> 10/20/20",
        {"*": {"min": 20, "weight": 0}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 10, "B": 20, "C": 20},
        {},
    ),
    (
        "50 over *{min20,w0}, A{min100,w1} -> 50/0/0",
        {"*": {"min": 20, "weight": 0}, "A": {"min": 100, "weight": 1}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 50, "B": 0, "C": 0},
        {},
    ),
    (
        "50 over *{min10,w1,max12} -> 12/12/12",
        {"*": {"min": 10, "weight": 1, "max": 12}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 12, "B": 12, "C": 12},
        {},
    ),
    # TestMax
    (
        "50 over *{w1,max2} -> 2/2/2",
        {"*": {"weight": 1, "max": 2}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 2, "B": 2, "C": 2},
        {},
    ),
    (
        "50 over *{w0,max2} -> 0/0/0",
        {"*": {"weight": 0, "max": 2}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 0, "B": 0, "C": 0},
        {},
    ),
    # TestWeight
    (
        "60 over A:1,B:2,C -> 20/40/0",
        {"A": {"weight": 1}, "B": {"weight": 2}},
        60,
        "ABC",
        {},
        {},
        False,
        {"A": 20, "B": 40, "C": 0},
        {},
    ),
    (
        "50 over A:10000,B:1,C -> 50/0/0",
        {"A": {"weight": 10000}, "B": {"weight": 1}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 50, "B": 0, "C": 0},
        {},
    ),
    (
        "50 over B:1,C -> 50/0",
        {"A": {"weight": 10000}, "B": {"weight": 1}},
        50,
        "BC",
        {},
        {},
        False,
        {"B": 50, "C": 0},
        {},
    ),
    (
        "50 over A{10000,max10},B:1,C:1 -> 10/20/20",
        {"A": {"weight": 10000, "max": 10}, "B": {"weight": 1}, "C": {"weight": 1}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 10, "B": 20, "C": 20},
        {},
    ),
    (
        "50 over A{10000,max10},B:1,C{1,max10} -> 10/30/10",
        {"A": {"weight": 10000, "max": 10}, "B": {"weight": 1}, "C": {"weight": 1, "max": 10}},
        50,
        "ABC",
        {},
        {},
        False,
        {"A": 10, "B": 30, "C": 10},
        {},
    ),
    (
        "71 over A{10000,max10},B,C{max21},D{max10} -> 10/30/21/10",
        {
            "A": {"weight": 10000, "max": 10},
            "B": {"weight": 1},
            "C": {"weight": 1, "max": 21},
            "D": {"weight": 1, "max": 10},
        },
        71,
        "ABCD",
        {},
        {},
        False,
        {"A": 10, "B": 30, "C": 21, "D": 10},
        {},
    ),
    (
        "91 over A{10000,max10},B,C{max21},D{max10},E -> 10/25/21/10/25",
        {
            "A": {"weight": 10000, "max": 10},
            "B": {"weight": 1},
            "C": {"weight": 1, "max": 21},
            "D": {"weight": 1, "max": 10},
            "E": {"weight": 1},
        },
        91,
        "ABCDE",
        {},
        {},
        False,
        {"A": 10, "B": 25, "C": 21, "D": 10, "E": 25},
        {},
    ),
    # published examples (KubeFed docs/userguide.md; anchors §2.2)
    (
        "9 with A{min4,max6,w1}, B{min4,max8,w2} -> A4, B5",
        {"A": {"min": 4, "max": 6, "weight": 1}, "B": {"min": 4, "max": 8, "weight": 2}},
        9,
        "AB",
        {},
        {},
        False,
        {"A": 4, "B": 5},
        {},
    ),
    (
        "50 over A, C{max20} (B offline) -> A30, C20",
        {"A": {"weight": 1}, "C": {"weight": 1, "max": 20}},
        50,
        "AC",
        {},
        {},
        True,
        {"A": 30, "C": 20},
        {},
    ),
    (
        "10 over three equal -> 4/4/2 (ceil rounding, not 4/3/3)",
        EQ,
        10,
        "ABC",
        {},
        {},
        True,
        {"A": 2, "B": 4, "C": 4},
        {},
    ),
    (
        "7 at 2:1:1 -> 4/2/1 (C before B in hash order)",
        {"A": {"weight": 2}, "B": {"weight": 1}, "C": {"weight": 1}},
        7,
        "ABC",
        {},
        {},
        True,
        {"A": 4, "B": 1, "C": 2},
        {},
    ),
]


@pytest.mark.parametrize(
    ("prefs", "total", "clusters", "current", "capacity", "rebalance", "want", "overflow"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_kubefed_planner_cases(
    prefs: dict[str, Pref],
    total: int,
    clusters: str,
    current: dict[str, int],
    capacity: dict[str, int],
    rebalance: bool,
    want: dict[str, int],
    overflow: dict[str, int],
) -> None:
    rows = rsp(prefs, clusters, current, capacity)
    d = divide(total, rows, method="kubefed", rebalance=rebalance)
    assert dict(d.replicas) == want
    assert dict(d.overflow) == overflow
    assert sum(want.values()) + d.unschedulable == total


def test_kubefed_order_is_fnv1_not_fnv1a() -> None:
    # with an empty key one-letter names sort E, D, C, B, A by FNV-1; FNV-1a would differ
    assert sorted("ABCDE", key=fnv1_32) == list("EDCBA")
    d = divide(1, rsp(EQ, "ABCDE"), method="kubefed")
    assert dict(d.replicas) == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 1}


def test_kubefed_key_changes_the_order() -> None:
    # FNV-1 of name + "default/web": B < C < A, so B and C take the rounded-up shares
    assert sorted("ABC", key=lambda n: fnv1_32(n + "default/web")) == ["B", "C", "A"]
    d = divide(10, rsp(EQ, "ABC"), method="kubefed", key="default/web")
    assert dict(d.replicas) == {"A": 2, "B": 4, "C": 4}


def test_kubefed_all_weights_zero_leaves_replicas_unschedulable() -> None:
    d = divide(50, rsp({"*": {"weight": 0, "max": 2}}, "ABC"), method="kubefed")
    assert d.unschedulable == 50 and "50 replicas fit nowhere" in d.reason


def test_kubefed_is_not_house_monotone() -> None:
    # the ceil rounding lowers a cluster when the total rises: 3 -> 1/1/1, 4 -> 2/2/0
    three = divide(3, rsp(EQ, "ABC"), method="kubefed").replicas
    four = divide(4, rsp(EQ, "ABC"), method="kubefed").replicas
    assert dict(three) == {"A": 1, "B": 1, "C": 1}
    assert dict(four) == {"A": 0, "B": 2, "C": 2}
