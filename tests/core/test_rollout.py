"""A Deployment's rollout by Kubernetes' rules (`federation.core.rollout`): fenceposts, what the
API server refuses, the controller's steps worked out by hand, and properties over any
strategy."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation.core.rollout import Sizes, Strategy, fenceposts, problems, step, strategy_of


@pytest.mark.parametrize(
    ("surge", "unavailable", "replicas", "expected"),
    [
        ("25%", "25%", 4, (1, 1)),
        ("25%", "25%", 10, (3, 2)),  # surge rounds up, unavailable down
        ("25%", "25%", 1, (1, 0)),
        ("25%", "25%", 0, (0, 0)),  # replicas 0: both 0, unavailable capped at 0
        ("1%", "0%", 2, (1, 0)),
        ("0%", "1%", 2, (0, 1)),  # both resolve to 0: one unavailable (ResolveFenceposts)
        (0, "10%", 5, (0, 1)),
        (3, 2, 10, (3, 2)),
        (0, 7, 4, (0, 4)),  # unavailable at most the replicas
        ("150%", 0, 4, (6, 0)),  # a surge may exceed 100 %
    ],
)
def test_fenceposts(
    surge: int | str, unavailable: int | str, replicas: int, expected: tuple[int, int]
) -> None:
    assert fenceposts(Strategy("RollingUpdate", surge, unavailable), replicas) == expected


RU = ("strategy", "rollingUpdate")


@pytest.mark.parametrize(
    ("strategy", "path", "fragment"),
    [
        ({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}, RU, "both be 0"),
        ({"rollingUpdate": {"maxSurge": "0%", "maxUnavailable": 0}}, RU, "both be 0"),
        ({"rollingUpdate": {"maxUnavailable": "101%"}}, (*RU, "maxUnavailable"), "100%"),
        ({"rollingUpdate": {"maxSurge": "x"}}, (*RU, "maxSurge"), "percentage"),
        ({"rollingUpdate": {"maxSurge": -1}}, (*RU, "maxSurge"), "integer >= 0"),
        ({"type": "Recreate", "rollingUpdate": {}}, RU, "Recreate"),
    ],
)
def test_problems(strategy: dict[str, object], path: tuple[str, ...], fragment: str) -> None:
    ((where, message, _),) = problems({"strategy": strategy})
    assert where == path and fragment in message


def test_valid_strategies_have_no_problems() -> None:
    for st_ in (
        {},
        {"type": "Recreate"},
        {"rollingUpdate": {"maxSurge": 0}},  # maxUnavailable keeps its 25 %
        {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
        {"rollingUpdate": {"maxSurge": "200%", "maxUnavailable": "100%"}},
    ):
        assert problems({"strategy": st_}) == []


def test_strategy_of_reads_the_manifest_with_defaults() -> None:
    assert strategy_of({"spec": {}}) == Strategy()
    m = {
        "spec": {
            "minReadySeconds": 5,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2}},
        }
    }
    assert strategy_of(m) == Strategy("RollingUpdate", 2, "25%", 5.0)
    assert strategy_of({"spec": {"strategy": {"type": "Recreate"}}}).type == "Recreate"


def test_four_replicas_at_25_percent_by_hand() -> None:
    # maxSurge 1, maxUnavailable 1: at most 5 pods, at least 3 available
    s = Strategy()
    new, old = step(s, 4, Sizes(0, 0), [Sizes(4, 4)])
    # new +1 (5 pods), one old goes (4 available > 3), new +1 more; now 2 new unavailable
    assert (new, old) == (Sizes(2, 0), [Sizes(3, 3)])
    new, old = step(s, 4, Sizes(2, 2), old)  # wave 1 available: two old go, two new come
    assert (new, old) == (Sizes(4, 2), [Sizes(1, 1)])
    new, old = step(s, 4, Sizes(4, 4), old)  # wave 2 available: the last old goes
    assert (new, old) == (Sizes(4, 4), [Sizes(0, 0)])


def test_no_surge_removes_before_it_adds() -> None:
    s = Strategy("RollingUpdate", 0, 1)
    new, old = step(s, 3, Sizes(0, 0), [Sizes(3, 3)])
    assert (new, old) == (Sizes(1, 0), [Sizes(2, 2)])


def test_no_unavailable_waits_for_the_surge() -> None:
    s = Strategy("RollingUpdate", 1, 0)
    new, old = step(s, 3, Sizes(0, 0), [Sizes(3, 3)])
    assert (new, old) == (Sizes(1, 0), [Sizes(3, 3)])  # nothing old goes until it is available
    new, old = step(s, 3, Sizes(1, 1), old)
    assert (new, old) == (Sizes(2, 1), [Sizes(2, 2)])


def test_unhealthy_old_pods_go_first() -> None:
    # two old pods never became available: they go without counting against availability
    # budget = 4 pods - 3 min available - 0 new unavailable = 1: one unhealthy old pod goes,
    # the available ones stay (2 < 3 min available already); the new set takes its place
    new, old = step(Strategy("RollingUpdate", 0, 1), 4, Sizes(0, 0), [Sizes(4, 2)])
    assert (new, old) == (Sizes(1, 0), [Sizes(3, 2)])


def test_recreate_drops_every_old_pod_first() -> None:
    new, old = step(Strategy("Recreate"), 4, Sizes(0, 0), [Sizes(3, 3), Sizes(1, 0)])
    assert (new, old) == (Sizes(4, 0), [Sizes(0, 0), Sizes(0, 0)])


percent = st.integers(0, 100).map(lambda p: f"{p}%")


@settings(max_examples=400, deadline=None)
@given(
    replicas=st.integers(1, 30),
    surge=st.one_of(st.integers(0, 6), percent),
    unavailable=st.one_of(st.integers(0, 6), percent),
)
def test_a_rolling_update_keeps_its_bounds_and_finishes(
    replicas: int, surge: int | str, unavailable: int | str
) -> None:
    s = Strategy("RollingUpdate", surge, unavailable)
    if problems(
        {"strategy": {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}}
    ):
        return
    max_surge, max_unavailable = fenceposts(s, replicas)
    new, old = Sizes(0, 0), [Sizes(replicas, replicas)]
    for _ in range(replicas + 2):  # each wave makes at least one new pod available
        new, old = step(s, replicas, new, old)
        assert new.replicas + sum(o.replicas for o in old) <= replicas + max_surge
        assert new.available + sum(o.available for o in old) >= replicas - max_unavailable
        if not sum(o.replicas for o in old) and new.available == replicas:
            break
        new = Sizes(new.replicas, new.replicas)  # this wave's new pods become available
    assert new == Sizes(replicas, replicas) and not sum(o.replicas for o in old)
