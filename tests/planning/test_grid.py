"""Sweep grids: `PATH=V1,V2,...` and `PATH=START..STOP:STEP`, their product, and bad input."""

from __future__ import annotations

import pytest

from federation.api.settings import SettingError
from federation.planning.grid import axes, axis, from_mapping, points


def test_lists_and_ranges() -> None:
    assert axis("Cluster/m1.spec.capacity.cpu=8,16,500m").values == (8, 16, "500m")
    assert axis("Cluster/m1.spec.capacity.cpu=8..20:4").values == (8, 12, 16, 20)
    assert axis("Cluster/m1.spec.capacity.cpu=8..19:4").values == (8, 12, 16)  # stop not hit
    assert axis("Cluster/m1.spec.nodes=1..3").values == (1, 2, 3)
    # decimal steps land exactly (no 0.30000000000000004)
    assert axis("Cluster/m1.spec.costPerCpuHour=0.1..0.5:0.1").values == (0.1, 0.2, 0.3, 0.4, 0.5)
    assert axis("Scenario.spec.health.failureThreshold=2").values == (2,)


def test_the_grid_is_the_product_last_axis_fastest() -> None:
    grid = axes(["Cluster/a.spec.nodes=1,2", "Cluster/b.spec.nodes=5..7"])
    got = [(p["Cluster/a.spec.nodes"], p["Cluster/b.spec.nodes"]) for p in points(grid)]
    assert got == [(1, 5), (1, 6), (1, 7), (2, 5), (2, 6), (2, 7)]
    assert from_mapping({"Cluster/a.spec.nodes": "1..2", "Cluster/b.spec.nodes": [3]}) == [
        axis("Cluster/a.spec.nodes=1..2"),
        axis("Cluster/b.spec.nodes=3"),
    ]


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["Cluster/a.spec.nodes=3..1"], "the range goes down (3..1)"),
        (["Cluster/a.spec.nodes=1..3:0"], "the step must be > 0"),
        (["Cluster/a.spec.nodes=1..x"], "'x' is not a number"),
        (["Cluster/a.spec.nodes=1,1"], "a value is given twice"),
        (["Cluster/a.spec.nodes=1", "Cluster/a.spec.nodes=2"], "is swept twice"),
        (["Klaster/a.spec.nodes=1"], "unknown kind 'Klaster'"),
    ],
)
def test_bad_grids_say_why(texts: list[str], message: str) -> None:
    with pytest.raises(SettingError) as e:
        axes(texts)
    assert message in str(e.value)
