"""The example scenarios keep their promises: each one, run in the simulator, meets every
expectation it declares (so the examples in docs/ stay true)."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation import runner
from federation.api import load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
SCENARIOS = sorted(p for p in EXAMPLES.rglob("*.yaml") if p.read_text().find("kind: Scenario") >= 0)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_meets_its_expectations_in_the_sim(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.expectations
    summary = runner.execute(scenario, "sim", plots=False).summary
    failed = [e for e in summary["expectations"] if not e["passed"]]
    assert failed == []
