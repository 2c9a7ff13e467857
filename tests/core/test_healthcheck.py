"""The DNS health-check machine: flips counted by hand, and the jump-based arithmetic equal to
running every single check, for any history of outcomes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from federation.core.healthcheck import (
    CheckSchedule,
    EndpointHealth,
    advance,
    flip_index,
    next_expiry,
)


def test_three_failed_checks_two_seconds_apart() -> None:
    # checks at 0.5, 2.5, 4.5, ...; the data plane dies at 61: checks at 62.5, 64.5, 66.5 fail
    sched = CheckSchedule(2.0, 0.5)
    first = sched.first_at_or_after(61.0)
    assert sched.time(first) == 62.5
    h = advance(EndpointHealth(), True, first - 1, 3)
    k = flip_index(h, False, first, 3)
    assert k is not None and sched.time(k) == 66.5
    flipped = advance(h, False, k, 3)
    assert flipped.healthy is False and flipped.streak == 0
    # two failures, then the data plane is back: no flip, and the streak resets
    h2 = advance(h, False, first + 1, 3)
    assert h2.healthy and h2.streak == 2
    assert advance(h2, True, first + 2, 3).streak == 0


def test_a_check_at_the_instant_of_the_change_sees_the_new_outcome() -> None:
    sched = CheckSchedule(1.0, 0.0)
    assert sched.first_at_or_after(5.0) == 5
    assert sched.first_at_or_after(5.000001) == 6


def test_threshold_zero_never_flips() -> None:
    assert flip_index(EndpointHealth(), False, 0, 0) is None
    assert advance(EndpointHealth(), False, 100, 0).healthy


@pytest.mark.parametrize(
    ("now", "phase", "period", "want"),
    [
        (10.0, 2.5, 10.0, 12.5),
        (12.5, 2.5, 10.0, 12.5),
        (13.0, 2.5, 10.0, 22.5),
        (7.0, 0.0, 0.0, 7.0),
    ],
)
def test_next_expiry(now: float, phase: float, period: float, want: float) -> None:
    assert next_expiry(now, phase, period) == pytest.approx(want)


@given(
    threshold=st.integers(0, 5),
    changes=st.lists(st.tuples(st.integers(0, 60), st.booleans()), max_size=12),
)
def test_jumps_equal_check_by_check(threshold: int, changes: list[tuple[int, bool]]) -> None:
    """Outcomes change at check indices; advancing in jumps (as the engine does) ends in the
    same state as feeding every check one by one."""
    outcome = {}
    for k, ok in sorted(changes):
        outcome[k] = ok
    ok_at = []
    cur = True
    for k in range(80):
        cur = outcome.get(k, cur)
        ok_at.append(cur)
    slow = EndpointHealth()
    for k, ok in enumerate(ok_at):
        slow = advance(slow, ok, k, threshold)
    fast = EndpointHealth()
    cur, start = ok_at[0], 0
    for k in range(1, 81):
        if k == 80 or ok_at[k] != cur:
            fast = advance(fast, cur, k - 1, threshold)
            if k < 80:
                cur, start = ok_at[k], k
    assert (fast.healthy, fast.streak) == (slow.healthy, slow.streak)
    del start
