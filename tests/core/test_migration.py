"""The migration state machine (federation.core.migration): table-driven steps worked out by
hand, and properties over random moves."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.migration import Migration, advance, step

# (name, final, asked, ready, surge, preserve) -> expected
CASES = [
    # 4 on a -> 4 on b, surge 1: b gets 1 first; a keeps all 4 (only 4 Ready, none spare)
    ("start: b +1 within surge 1", {"b": 4}, {"a": 4}, {"a": 4}, 1, True, {"a": 4, "b": 1}),
    # b's 1 is Ready: 5 Ready, 1 above the total: a gives 1 Ready, b grows by 1
    (
        "b1 ready: a 4->3, b 1->2",
        {"b": 4},
        {"a": 4, "b": 1},
        {"a": 4, "b": 1},
        1,
        True,
        {"a": 3, "b": 2},
    ),
    # b's replica still starting: nothing spare, nothing moves
    ("b1 starting: hold", {"b": 4}, {"a": 4, "b": 1}, {"a": 4, "b": 0}, 1, True, {"a": 4, "b": 1}),
    # a's replicas not Ready can go at once: they serve nobody
    (
        "a has 2 not Ready: cut them",
        {"b": 4},
        {"a": 4, "b": 1},
        {"a": 2, "b": 0},
        1,
        True,
        {"a": 2, "b": 3},
    ),
    # surge 2 over two destinations: one each, by name
    ("surge 2 over b, c", {"b": 2, "c": 2}, {"a": 4}, {"a": 4}, 2, True, {"a": 4, "b": 1, "c": 1}),
    # the last step: b all Ready, a's last one goes
    ("last: a 1->0", {"b": 4}, {"a": 1, "b": 4}, {"a": 1, "b": 4}, 1, True, {"b": 4}),
    # a cluster outside the move keeps its count
    (
        "c untouched",
        {"b": 2, "c": 2},
        {"a": 2, "c": 2},
        {"a": 2, "c": 2},
        1,
        True,
        {"a": 2, "b": 1, "c": 2},
    ),
    # without preserve: the final layout at once
    ("naive: all at once", {"b": 4}, {"a": 4}, {"a": 4}, 1, False, {"b": 4}),
]


@pytest.mark.parametrize(
    ("final", "asked", "ready", "surge", "preserve", "want"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_step(
    final: dict[str, int],
    asked: dict[str, int],
    ready: dict[str, int],
    surge: int,
    preserve: bool,
    want: dict[str, int],
) -> None:
    assert step(final, asked, ready, surge, preserve) == want


def test_hold_keeps_the_sources_ready_replicas() -> None:
    # clients still reach a: its Ready replicas stay however many are spare
    assert step({"b": 2}, {"a": 2, "b": 2}, {"a": 2, "b": 2}, 2, hold=True) == {"a": 2, "b": 2}


def test_surge_budget_rounds_a_percentage_up() -> None:
    m = Migration("m", "k", ("a",), ("b",), 0.0)
    assert m.budget(10) == 3  # 25 % of 10 = 2.5 -> 3, as a Deployment's maxSurge
    assert m.budget(4) == 1
    assert m.budget(1) == 1  # at least 1 when preserving
    assert Migration("m", "k", ("a",), ("b",), 0.0, max_surge=5).budget(10) == 5


def test_a_whole_move_by_hand() -> None:
    """4 replicas from a to b with surge 1, each new replica Ready at the next reconcile:
    (a, b) asked 4,1 -> 3,2 -> 2,3 -> 1,4 -> 0,4, done at once (b's 4 are Ready)."""
    m = Migration("m", "w", ("a",), ("b",), 0.0, max_surge=1)
    progress = None
    asked = {"a": 4}
    seen = []
    for t in range(10):
        ready = dict(asked)  # everything asked last time is Ready now
        asked, progress, _events, _ = advance(m, progress, {"b": 4}, {"a": 4}, ready, float(t))
        seen.append((asked.get("a", 0), asked.get("b", 0)))
        if progress.finished_at is not None:
            break
    assert seen == [(4, 1), (3, 2), (2, 3), (1, 4), (0, 4)]
    assert progress is not None and progress.finished_at == 4.0
    assert progress.surge_peak == 1


def test_steering_waits_the_answers_out() -> None:
    """With clients steered (steer 6 s): a keeps its replicas until b is all Ready, then 6 s
    more, then goes."""
    m = Migration("m", "w", ("a",), ("b",), 0.0, max_surge=1, steer=6.0)
    p = None
    asked, p, events, _ = advance(m, p, {"b": 2}, {"a": 2}, {"a": 2}, 0.0)
    assert asked == {"a": 2, "b": 2}  # the budget grows to what moves: a still serves
    # clients kept off b while it starts
    assert [(k, f.get("away"), f.get("back")) for k, f in events] == [
        ("migrate", None, None),
        ("steer", ["b"], []),
    ]
    asked, p, events, wake = advance(m, p, {"b": 2}, {"a": 2}, {"a": 2, "b": 2}, 1.0)
    assert asked == {"a": 2, "b": 2} and wake == 7.0
    assert [(k, f["away"], f["back"]) for k, f in events] == [("steer", ["a"], ["b"])]
    asked, p, _, _ = advance(m, p, {"b": 2}, {"a": 2}, {"a": 2, "b": 2}, 7.0)
    assert asked == {"b": 2}


layouts = st.dictionaries(st.sampled_from("abcde"), st.integers(0, 6), max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    final=layouts,
    asked=layouts,
    ready_frac=st.lists(st.floats(0, 1), min_size=5, max_size=5),
    surge=st.integers(1, 4),
)
def test_never_below_the_total_nor_above_the_budget(
    final: dict[str, int], asked: dict[str, int], ready_frac: list[float], surge: int
) -> None:
    """preserveAvailableReplicas: Ready after a step (a member removes replicas not Ready
    first) is at least min(Ready before, final total); what is asked never exceeds the final
    total plus the surge unless it already did, and then it does not grow."""
    names = sorted(set(final) | set(asked))
    ready = {c: int(asked.get(c, 0) * ready_frac[i % 5]) for i, c in enumerate(names)}
    new = step(final, asked, ready, surge)
    total = sum(final.values())
    before = sum(ready.values())
    after = sum(min(ready.get(c, 0), new.get(c, 0)) for c in names)
    assert after >= min(before, total)
    if sum(asked.values()) <= total + surge:
        assert sum(new.values()) <= total + surge
    else:
        assert sum(new.values()) <= sum(asked.values())
    # every cluster moves towards its final count, never past it
    for c in names:
        a, n, f = asked.get(c, 0), new.get(c, 0), final.get(c, 0)
        assert min(a, f) <= n <= max(a, f)


@settings(max_examples=200, deadline=None)
@given(final=layouts, asked=layouts, surge=st.integers(1, 4))
def test_a_move_always_finishes_when_replicas_get_ready(
    final: dict[str, int], asked: dict[str, int], surge: int
) -> None:
    """Replicas that become Ready let every move finish: no deadlock for any surge >= 1."""
    layout = {c: n for c, n in asked.items() if n}
    for _ in range(100):
        new = step(final, layout, layout, surge)
        if new == layout:
            break
        layout = new
    assert layout == {c: n for c, n in final.items() if n}
