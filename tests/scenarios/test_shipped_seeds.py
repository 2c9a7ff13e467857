"""Every shipped scenario meets its own expectations for every seed 1-20, not just the seed in
its file: a scenario that only passes by luck of the draw would mislead whoever copies it."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.api import load_scenario
from federation.runner import execute

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = sorted(p for p in ROOT.rglob("*.yaml") if "kind: Scenario" in p.read_text())


def test_the_shipped_scenarios_are_found() -> None:
    names = {p.stem for p in SHIPPED}
    assert {
        "cluster-outage",
        "region-outage",
        "latency-spike",
        "flapping-cluster",
        "migration",
    } <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_seed_meets_the_expectations(path: Path) -> None:
    scenario = load_scenario(path)
    failed = []
    for seed in range(1, 21):
        summary = execute(scenario, "sim", seed=seed, plots=False).summary
        for e in summary["expectations"]:
            if not e["passed"]:
                failed.append(f"seed {seed}: {e['description']} = {e['value']}: {e['reason']}")
    assert not failed, "\n".join(failed)
