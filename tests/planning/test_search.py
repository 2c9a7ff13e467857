"""`--find`: coarse samples then bisection, under the stated monotonicity assumption, with a
counter-example when sampled values break it."""

from __future__ import annotations

from collections.abc import Callable

from federation.planning.search import Search, coarse, counterexample, run_searches


def search(values: list[int], rate: Callable[[int], float], target: float = 0.95) -> Search:
    """Run a search where `rate(v)` is the pass rate of value v, 20 runs per value."""
    s = Search("p", values, target, {})
    asked: list[int] = []

    def sample(step):
        got = {}
        for _, v in step:
            asked.append(v)
            got[v] = (round(rate(v) * 20), 20)
        s.record(got)

    run_searches([s], sample)
    s.asked = asked  # type: ignore[attr-defined]
    return s


def test_coarse_samples_spread_over_the_range() -> None:
    assert coarse(3) == [0, 1, 2]
    assert coarse(100) == [0, 25, 50, 74, 99]


def test_monotone_finds_the_smallest_value_meeting_the_target() -> None:
    values = list(range(1, 101))
    s = search(values, lambda v: 1.0 if v >= 37 else 0.5)
    f = s.found
    assert f.complete and f.value == 37 and f.counterexample is None
    # 5 coarse values, then bisection between 26 (misses) and 50 (meets): 38, 32, 35, 36, 37
    assert len(s.asked) <= 5 + 5 and len(set(s.asked)) == len(s.asked)
    assert "smallest value with a pass rate >= 0.95: 37 (20/20 runs passed)" in f.describe()
    assert f.assumption == "the pass rate never falls as p grows"


def test_the_smallest_value_already_passing_and_none_passing() -> None:
    assert search([4, 8, 16], lambda v: 1.0).found.value == 4
    f = search(list(range(10)), lambda v: 0.9).found
    assert f.complete and f.value is None
    assert f.describe() == "p: no value up to 9 reaches a pass rate of 0.95"


def test_non_monotone_samples_give_a_counter_example() -> None:
    # the user's story: 57 passes, 61 fails, 64 passes
    rates = {57: 1.0, 61: 0.4, 64: 1.0}
    values = sorted(rates)
    f = search(values, lambda v: rates[v]).found
    assert f.value == 64
    assert f.counterexample == (
        "57 passes 20/20 runs but the larger 61 passes only 8/20: "
        "the pass rate is not monotone here"
    )


def test_counterexample_needs_a_pass_below_a_miss() -> None:
    assert counterexample([(1, 0, 5), (2, 5, 5), (3, 5, 5)], 0.95) is None
    assert counterexample([(1, 5, 5), (2, 4, 5)], 0.8) is None  # 0.8 meets the target
    assert counterexample([(2, 4, 5), (1, 5, 5)], 0.95) is not None  # order does not matter


def test_known_results_are_not_sampled_again() -> None:
    s = Search("f", [0.5, 1.0, 1.5, 2.0, 2.5], 1.0, {}, known={1.0: (10, 10)})
    assert 1.0 not in s.next()


def test_an_interrupted_search_has_no_answer() -> None:
    s = Search("p", list(range(10)), 0.95, {})
    run_searches([s], lambda step: s.record({}))  # nothing came back
    assert not s.found.complete and s.found.value is None
    assert s.found.describe() == "p: interrupted before the search was over"
