"""Every case of Karmada's ``Test_dynamicScale`` and ``Test_dynamicScaleUp``, run through kfed.

Source: karmada-io/karmada ``pkg/scheduler/core/assignment_test.go``. ``Test_dynamicScale`` (9
cases) goes through ``assignByDynamicStrategy``; ``Test_dynamicScaleUp`` (7 cases) calls
``buildScheduledClusters`` and then ``dynamicScaleUp`` directly, so each of its cases is a scale
up (a first scheduling when the binding has no previous result). The Karmada flow they exercise
is ``division_algorithm.go`` (``dynamicScaleUp`` / ``dynamicScaleDown`` /
``dynamicDivideReplicas``), ``assignment.go`` (``buildScheduledClusters``,
``resortAvailableClusters``) and ``util.go`` (``calAvailableReplicas``).

How a Karmada case becomes a ``divide`` call
--------------------------------------------
* Available replicas. Each candidate is built with ``NewClusterWithResource`` with N allocatable
  pods and nothing allocated or allocating, and the binding requests no resources, so the
  general estimator reports N available replicas for that cluster. ``calAvailableReplicas``
  neither subtracts nor adds back what the binding already has there: the previous replicas do
  not change N. kfed's available replicas are ``capacity - current``, so each row gets
  ``capacity = N + current``.
* The previous result ``spec.clusters`` is ``current``. ``buildScheduledClusters`` ignores a
  cluster that is no longer a candidate, so its replicas are new replicas to place; in kfed such
  a cluster is simply not listed (the two "gone" cases).
* ``spec.replicas`` is the total. These bindings carry no UID, so ``key=""`` (ties ascending);
  every case is also run with an even and an odd UID and no result changes (no case depends on
  a tie).
* A Karmada ``wantErr`` (``UnschedulableError``: fewer available replicas than replicas to add)
  keeps the previous result: kfed returns ``current`` unchanged and reports the replicas to add
  as ``unschedulable``.
* Karmada returns only the clusters it assigned; kfed lists every cluster, 0 for the others.

Which Karmada version
---------------------
The numbers are those of Karmada v1.16+, where ``dynamicScaleUp`` / ``dynamicScaleDown`` divide
by Webster (``AllocateWebsterSeats``, karmada-io/karmada#6837): on scale-up only the added
replicas are divided, by available replicas, each cluster starting from 0 seats (the current
replicas do not count in the priority), and the result is added to the current layout.

The copy of ``assignment_test.go`` in the stored corpus (commit 0372cab) is older than that
migration: three of its expectations are those of the earlier ``Dispenser`` rounding (each
share floored, the remainder one by one to the largest weights). Those three rows carry the old
numbers in ``legacy``. ``test_reference_model`` recomputes every row from an independent model
of Karmada's flow: with Webster rounding it gives ``want``, with the old rounding it gives the
stored (legacy) expectation, so the three differences are the rounding change and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest

from federation.core.division import divide
from federation.core.webster import tie_ascending

# uids whose FNV-1a parity is even (ties ascending) and odd (ties descending)
EVEN_UID, ODD_UID = "uid-2", "uid-1"

Layout = dict[str, int]


@dataclass(frozen=True)
class Case:
    name: str
    karmada: str  # Karmada test function and case name
    method: str
    total: int
    available: Layout  # candidate clusters -> available replicas (estimator)
    previous: Layout  # spec.clusters; may name clusters that are no longer candidates
    want: Layout | None  # Karmada's expected result; None = UnschedulableError
    legacy: tuple[Layout, ...] = ()  # stored pre-Webster expectation(s), where different


DYN, AGG = "webster-dynamic", "webster-aggregated"

CASES = [
    # --- Test_dynamicScale -------------------------------------------------------------
    Case(
        "12 -> 6 over available 1:1:1 from 2/4/6 gives 1/2/3",
        "Test_dynamicScale: replica 12 -> 6, dynamic weighted 1:1:1",
        DYN,
        6,
        {"m1": 1, "m2": 1, "m3": 1},
        {"m1": 2, "m2": 4, "m3": 6},
        {"m1": 1, "m2": 2, "m3": 3},
    ),
    Case(
        "12 -> 24 over available 10:10:10 from 2/4/6 gives 6/8/10",
        "Test_dynamicScale: replica 12 -> 24, dynamic weighted 10:10:10",
        DYN,
        24,
        {"m1": 10, "m2": 10, "m3": 10},
        {"m1": 2, "m2": 4, "m3": 6},
        {"m1": 6, "m2": 8, "m3": 10},
    ),
    Case(
        "12 -> 24 over available 1:1:1 from 2/4/6: 3 < 12 more, error",
        "Test_dynamicScale: replica 12 -> 24, dynamic weighted 1:1:1",
        DYN,
        24,
        {"m1": 1, "m2": 1, "m3": 1},
        {"m1": 2, "m2": 4, "m3": 6},
        None,
    ),
    Case(
        "aggregated 12 -> 6 over available 1:1:1 from 4/8/0 gives 0/6/0",
        "Test_dynamicScale: replica 12 -> 6, aggregated 1:1:1",
        AGG,
        6,
        {"m1": 1, "m2": 1, "m3": 1},
        {"m1": 4, "m2": 8},
        {"m2": 6},
    ),
    Case(
        "aggregated 12 -> 8 over available 100:100 from 4/8 gives 0/8",
        "Test_dynamicScale: replica 12 -> 8, aggregated 100:100",
        AGG,
        8,
        {"m1": 100, "m2": 100},
        {"m1": 4, "m2": 8},
        {"m2": 8},
    ),
    Case(
        "aggregated 12 -> 24 over available 4:6:8 from 4/8/0 gives 7/12/5",
        "Test_dynamicScale: replica 12 -> 24, aggregated 4:6:8",
        AGG,
        24,
        {"m1": 4, "m2": 6, "m3": 8},
        {"m1": 4, "m2": 8},
        {"m1": 7, "m2": 12, "m3": 5},
        legacy=({"m1": 6, "m2": 12, "m3": 6},),
    ),
    Case(
        "aggregated 12 -> 24 over available 6:6:20 from 4/8/0 gives 10/14/0",
        "Test_dynamicScale: replica 12 -> 24, aggregated 6:6:20",
        AGG,
        24,
        {"m1": 6, "m2": 6, "m3": 20},
        {"m1": 4, "m2": 8},
        {"m1": 10, "m2": 14},
    ),
    Case(
        "aggregated 12 -> 24 over available 1:1:1 from 4/8/0: 3 < 12 more, error",
        "Test_dynamicScale: replica 12 -> 24, aggregated 1:1:1",
        AGG,
        24,
        {"m1": 1, "m2": 1, "m3": 1},
        {"m1": 4, "m2": 8},
        None,
    ),
    Case(
        "aggregated 12 -> 24 over available m1 4, m3 8, m4 12 from m1 4 (m2's 8 gone) gives 7/7/10",
        "Test_dynamicScale: replica 12 -> 24, aggregated 4:8:12, "
        "with cluster2 disappeared and cluster4 appeared",
        AGG,
        24,
        {"m1": 4, "m3": 8, "m4": 12},
        {"m1": 4, "m2": 8},
        {"m1": 7, "m3": 7, "m4": 10},
        legacy=({"m1": 7, "m3": 6, "m4": 11},),
    ),
    # --- Test_dynamicScaleUp -----------------------------------------------------------
    Case(
        "0 -> 12 over available 6:8:10 gives 3/4/5",
        "Test_dynamicScaleUp: replica 12, dynamic weight 6:8:10",
        DYN,
        12,
        {"m1": 6, "m2": 8, "m3": 10},
        {},
        {"m1": 3, "m2": 4, "m3": 5},
    ),
    Case(
        "0 -> 12 over available 8:8:10 gives 4/4/4",
        "Test_dynamicScaleUp: replica 12, dynamic weight 8:8:10",
        DYN,
        12,
        {"m1": 8, "m2": 8, "m3": 10},
        {},
        {"m1": 4, "m2": 4, "m3": 4},
        legacy=({"m1": 4, "m2": 3, "m3": 5}, {"m1": 3, "m2": 4, "m3": 5}),
    ),
    Case(
        "0 -> 12 over available 3:3:3: 9 < 12, error",
        "Test_dynamicScaleUp: replica 12, dynamic weight 3:3:3",
        DYN,
        12,
        {"m1": 3, "m2": 3, "m3": 3},
        {},
        None,
    ),
    Case(
        "aggregated 0 -> 12 over available 6:8:10 gives 0/5/7",
        "Test_dynamicScaleUp: replica 12, aggregated 6:8:10",
        AGG,
        12,
        {"m1": 6, "m2": 8, "m3": 10},
        {},
        {"m2": 5, "m3": 7},
    ),
    Case(
        "aggregated 0 -> 12 over available 12:8:10 gives 12/0/0",
        "Test_dynamicScaleUp: replica 12, aggregated 12:8:10",
        AGG,
        12,
        {"m1": 12, "m2": 8, "m3": 10},
        {},
        {"m1": 12},
    ),
    Case(
        "aggregated 0 -> 12 over available 3:3:3: 9 < 12, error",
        "Test_dynamicScaleUp: replica 12, aggregated 3:3:3",
        AGG,
        12,
        {"m1": 3, "m2": 3, "m3": 3},
        {},
        None,
    ),
    Case(
        "12 over available m1 3, m2 3 from m1 6 (m3's 6 gone) gives 9/3",
        "Test_dynamicScaleUp: replica 12, dynamic weight 3:3, "
        "with cluster3 disappeared and cluster2 appeared",
        DYN,
        12,
        {"m1": 3, "m2": 3},
        {"m1": 6, "m3": 6},
        {"m1": 9, "m2": 3},
    ),
]

IDS = [c.name for c in CASES]


def rows(case: Case) -> list[dict[str, Any]]:
    """Candidates only; capacity = available + current (see the module docstring)."""
    out = []
    for name, free in case.available.items():
        current = case.previous.get(name, 0)
        out.append({"name": name, "current": current, "capacity": free + current})
    return out


def expected(case: Case) -> tuple[Layout, int]:
    """(replicas of every candidate, unschedulable) that kfed must return for `case`."""
    kept = {n: case.previous.get(n, 0) for n in case.available}
    if case.want is None:
        return kept, case.total - sum(kept.values())
    assert set(case.want) <= set(case.available)
    return {n: case.want.get(n, 0) for n in case.available}, 0


def test_the_table_is_complete() -> None:
    scale = [c for c in CASES if c.karmada.startswith("Test_dynamicScale:")]
    scale_up = [c for c in CASES if c.karmada.startswith("Test_dynamicScaleUp:")]
    assert (len(scale), len(scale_up)) == (9, 7)
    assert len({c.karmada for c in CASES}) == len(CASES) == len(set(IDS))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_karmada_case(case: Case) -> None:
    replicas, unschedulable = expected(case)
    d = divide(case.total, rows(case), method=case.method, key="")
    assert dict(d.replicas) == replicas
    assert d.unschedulable == unschedulable
    assert dict(d.overflow) == {} and dict(d.over_capacity) == {}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_karmada_case_does_not_depend_on_the_tie_direction_or_listing_order(case: Case) -> None:
    assert tie_ascending(EVEN_UID) and not tie_ascending(ODD_UID)
    base = divide(case.total, rows(case), method=case.method, key="")
    for key in (EVEN_UID, ODD_UID):
        for listed in (rows(case), rows(case)[::-1]):
            d = divide(case.total, listed, method=case.method, key=key)
            assert d.replicas == base.replicas and d.unschedulable == base.unschedulable


# --- an independent model of Karmada's flow, to show where the legacy numbers come from --

Rounding = Callable[[int, list[tuple[str, int]]], Layout]


def webster_rounding(seats: int, weights: list[tuple[str, int]]) -> Layout:
    """Webster from 0 seats, one seat at a time, exact priorities; ties: fewer seats, name."""
    got = {n: 0 for n, _ in weights}
    for _ in range(seats):
        best = max(
            weights,
            key=lambda nw: (Fraction(nw[1], 2 * got[nw[0]] + 1), -got[nw[0]], _desc(nw[0])),
        )
        got[best[0]] += 1
    return got


def _desc(name: str) -> tuple[int, ...]:
    """Sort key under which a smaller name is larger (so `max` picks it)."""
    return (*(-ord(ch) for ch in name), 1)


def dispenser_rounding(seats: int, weights: list[tuple[str, int]]) -> Layout:
    """Pre-Webster Dispenser: floor each share, then one each by weight desc, name asc."""
    total = sum(w for _, w in weights)
    got = {n: w * seats // total for n, w in weights}
    rest = seats - sum(got.values())
    for n, _ in sorted(weights, key=lambda nw: (-nw[1], nw[0]))[:rest]:
        got[n] += 1
    return got


def karmada_flow(case: Case, rounding: Rounding) -> Layout | None:
    """Steady-mode DynamicWeight / Aggregated; None = UnschedulableError."""
    scheduled = {n: r for n, r in case.previous.items() if n in case.available}
    assigned = sum(scheduled.values())
    if assigned == case.total:
        return scheduled
    if assigned > case.total:  # scale down: weights = previous result, no initial layout
        target, base, prior = case.total, {}, set()
        weights = sorted(case.previous.items(), key=lambda nw: (-nw[1], nw[0]))
    else:  # scale up: weights = available replicas, added to the previous layout
        target, base = case.total - assigned, scheduled
        prior = {n for n, r in scheduled.items() if r > 0}
        weights = sorted(case.available.items(), key=lambda nw: (-nw[1], nw[0]))
    if sum(w for _, w in weights) < target:
        return None
    if case.method == AGG:
        weights = [nw for nw in weights if nw[0] in prior] + [
            nw for nw in weights if nw[0] not in prior
        ]
        acc = 0
        for i, (_, w) in enumerate(weights):
            acc += w
            if acc >= target:
                weights = weights[: i + 1]
                break
    got = rounding(target, weights)
    merged = {n: base.get(n, 0) + got.get(n, 0) for n in set(base) | set(got)}
    return {n: r for n, r in merged.items() if r > 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_model(case: Case) -> None:
    assert karmada_flow(case, webster_rounding) == case.want
    legacy = case.legacy or ((case.want,) if case.want is not None else (None,))
    assert karmada_flow(case, dispenser_rounding) in legacy


def test_exactly_three_cases_changed_with_the_webster_migration() -> None:
    changed = [c.karmada for c in CASES if c.legacy]
    assert changed == [
        "Test_dynamicScale: replica 12 -> 24, aggregated 4:6:8",
        "Test_dynamicScale: replica 12 -> 24, aggregated 4:8:12, "
        "with cluster2 disappeared and cluster4 appeared",
        "Test_dynamicScaleUp: replica 12, dynamic weight 8:8:10",
    ]
