"""`--find PATH --target T`: the smallest value of one swept numeric parameter whose pass rate
is at least T.

It assumes the pass rate never falls as the value grows (more capacity, a longer timeout: never
worse). It samples a few values spread over the range (`COARSE`), then bisects between the
largest sampled value that misses the target and the next sampled one, which meets it. The
answer is the smallest value from which every sampled value meets the target. When a sampled
value meets the target below a larger one that misses it, the assumption is broken: the result
says so with that counter-example (the answer then still holds for every value sampled above
it, and may be wrong elsewhere)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

COARSE = 5  # values sampled across the range before bisecting

ASSUMPTION = "the pass rate never falls as {path} grows"


@dataclass
class Found:
    """The answer of a search, for one combination of the other swept values."""

    path: str
    target: float
    others: Mapping[str, Any]
    value: Any | None  # None: no sampled value meets the target
    sampled: list[tuple[Any, int, int]] = field(default_factory=list)  # (value, passed, runs)
    counterexample: str | None = None
    complete: bool = False  # False: interrupted before the search was over

    @property
    def assumption(self) -> str:
        return ASSUMPTION.format(path=self.path)

    def describe(self) -> str:
        if not self.complete:
            return f"{self.path}: interrupted before the search was over"
        where = ", ".join(f"{k}={v}" for k, v in self.others.items())
        head = f"{self.path}" + (f" (with {where})" if where else "")
        if self.value is None:
            hi = max(v for v, _, _ in self.sampled) if self.sampled else None
            text = f"{head}: no value up to {hi} reaches a pass rate of {self.target:g}"
        else:
            _, k, n = next(s for s in self.sampled if s[0] == self.value)
            text = (
                f"{head}: smallest value with a pass rate >= {self.target:g}: {self.value} "
                f"({k}/{n} runs passed)"
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "target": self.target,
            "others": dict(self.others),
            "value": self.value,
            "assumption": self.assumption,
            "complete": self.complete,
            "monotone": self.counterexample is None,
            "counterexample": self.counterexample,
            "sampled": [{"value": v, "passed": k, "runs": n} for v, k, n in self.sampled],
        }


def coarse(n: int, count: int = COARSE) -> list[int]:
    """`count` indices spread evenly over 0..n-1, both ends included."""
    if n <= count:
        return list(range(n))
    return sorted({round(i * (n - 1) / (count - 1)) for i in range(count)})


def counterexample(sampled: Sequence[tuple[Any, int, int]], target: float) -> str | None:
    """A sampled value that meets the target below a larger one that misses it, said plainly."""
    ordered = sorted(sampled, key=lambda s: s[0])
    for i, (a, ka, na) in enumerate(ordered):
        if ka / na < target:
            continue
        for b, kb, nb in ordered[i + 1 :]:
            if kb / nb < target:
                return (
                    f"{a} passes {ka}/{na} runs but the larger {b} passes only {kb}/{nb}: "
                    "the pass rate is not monotone here"
                )
    return None


class Search:
    """The state of one search over sorted `values`: which values to sample next."""

    def __init__(
        self,
        path: str,
        values: Sequence[Any],
        target: float,
        others: Mapping[str, Any],
        known: Mapping[Any, tuple[int, int]] | None = None,
    ) -> None:
        self.values = sorted(values)
        self.found = Found(path, target, dict(others), None)
        self.rates: dict[int, tuple[int, int]] = {}  # index -> (passed, runs)
        for v, result in (known or {}).items():
            if v in self.values:
                self.rates[self.values.index(v)] = result
        self.todo: list[int] = [i for i in coarse(len(self.values)) if i not in self.rates]
        if not self.todo:
            self._step()

    def next(self) -> list[Any]:
        """The values to sample now (empty when the search is over)."""
        return [self.values[i] for i in self.todo]

    def record(self, results: Mapping[Any, tuple[int, int]]) -> None:
        """Take the (passed, runs) of the values asked for and plan the next step."""
        for i in self.todo:
            if self.values[i] in results:
                self.rates[i] = results[self.values[i]]
        self.todo = []
        self._step()

    def _step(self) -> None:
        target = self.found.target
        meets = {i: k / n >= target for i, (k, n) in self.rates.items() if n}
        if not meets:
            return
        misses = [i for i, ok in meets.items() if not ok]
        lo = max(misses) if misses else -1
        above = [i for i in meets if i > lo]
        if not above:  # the largest sampled value misses the target
            self._finish(None)
            return
        hi = min(above)
        if hi - lo <= 1:
            self._finish(hi)
            return
        self.todo = [(lo + hi) // 2]  # never sampled: it lies strictly between lo and hi

    def _finish(self, index: int | None) -> None:
        f = self.found
        f.sampled = [(self.values[i], k, n) for i, (k, n) in sorted(self.rates.items())]
        f.value = None if index is None else self.values[index]
        f.counterexample = counterexample(f.sampled, f.target)
        f.complete = True

    def stop(self) -> None:
        """End an unfinished search: what was sampled, and no answer."""
        if not self.found.complete:
            self._finish(None)
            self.found.complete = False
        self.todo = []

    @property
    def over(self) -> bool:
        return not self.todo


def run_searches(
    searches: Sequence[Search], sample: Callable[[list[tuple[Search, Any]]], None]
) -> None:
    """Step every search together (each step's values sampled in one go by `sample`, which
    calls `record` on each search) until all are over or a step samples nothing new."""
    while True:
        step = [(s, v) for s in searches if not s.over for v in s.next()]
        if not step:
            return
        before = sum(len(s.rates) for s in searches)
        sample(step)
        if sum(len(s.rates) for s in searches) == before:  # interrupted: nothing came back
            for s in searches:
                s.stop()
            return
