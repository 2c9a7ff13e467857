"""Headroom: the smallest uniform capacity factor with which every failure set passes every
seed (the search of `--find` over factors 0.05..3.00, target 1.0), and what capacity costs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from federation.api.scenario import Scenario
from federation.core.desired import DesiredState
from federation.planning.failure_sets import FailureSet
from federation.planning.runner import Runner
from federation.planning.search import Found, Search, run_searches
from federation.report.cost import GIB

FACTORS = tuple(round(0.05 * i, 2) for i in range(1, 61))  # 0.05 .. 3.00


def scaled(scenario: Scenario, factor: float) -> Scenario:
    """`scenario` with every cluster's CPU and memory capacity multiplied by `factor`."""
    d = scenario.desired
    clusters = [
        replace(
            c,
            capacity=replace(
                c.capacity, cpu=c.capacity.cpu * factor, memory=c.capacity.memory * factor
            ),
        )
        for c in d.clusters
    ]
    desired = DesiredState.build(clusters, d.policies, d.overrides, d.workloads.values())
    return replace(scenario, desired=desired)


def capacity_per_hour(desired: DesiredState) -> float:
    return round(
        sum(
            c.capacity.cpu * c.cost_per_cpu_hour + c.capacity.memory / GIB * c.cost_per_gib_hour
            for c in desired.clusters
        ),
        6,
    )


def search_headroom(
    runner: Runner,
    scenario: Scenario,
    sets: Sequence[FailureSet],
    at: float,
    duration: float | None,
    seeds: int,
    whole: tuple[int, int],
) -> Found:
    """The smallest factor in `FACTORS` with which every set passes every seed (the search of
    `--find`, target 1.0; factor 1.0 is the runs already made)."""
    from federation.planning.survival import variants_of

    search = Search("capacity factor", FACTORS, 1.0, {}, known={1.0: whole})
    base = len(sets)

    def sample(step: list[tuple[Search, Any]]) -> None:
        nonlocal base
        results = {}
        for _, f in step:
            variants = variants_of(scaled(scenario, f), sets, at, duration, base, factor=f)
            got = runner.evaluate(
                variants, [(base + i, s) for i in range(len(sets)) for s in range(1, seeds + 1)]
            )
            base += len(sets)
            if len(got) == len(sets) * seeds:
                results[f] = (sum(bool(r["passed"]) for r in got), len(got))
        search.record(results)

    run_searches([search], sample)
    return search.found
