"""The same sweep gives the same runs.csv whatever runs it: in this process, a pool of two
workers, or a real Dask LocalCluster of two worker processes (wall_seconds aside, the only
column that measures the machine)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kfed
from tests.planning.federations import write

GRID = ["Cluster[*].spec.capacity.cpu=2,3", "Scenario.spec.health.failureThreshold=2,3"]


def runs_csv(result, folder: Path) -> str:
    result.write(folder, plots=False)
    runs = pd.read_csv(folder / "runs.csv", dtype=str, keep_default_na=False)
    assert runs["wall_seconds"].astype(float).gt(0).all()
    return runs.drop(columns=["wall_seconds"]).to_csv(index=False)


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("hand"))


@pytest.fixture(scope="module")
def in_process(hand: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    result = kfed.sweep(hand, GRID, seeds=3, workers=1)
    assert result.engine == "in-process" and len(result.runs) == 12
    return runs_csv(result, tmp_path_factory.mktemp("one"))


def test_a_pool_of_two_workers_gives_the_same_runs(hand: Path, in_process: str, tmp_path) -> None:
    result = kfed.sweep(hand, GRID, seeds=3, workers=2)
    assert (result.engine, result.workers) == ("pool", 2)
    assert runs_csv(result, tmp_path) == in_process


def test_a_dask_local_cluster_gives_the_same_runs(hand: Path, in_process: str, tmp_path) -> None:
    result = kfed.sweep(hand, GRID, seeds=3, workers=2, dask="local")
    assert (result.engine, result.workers) == ("dask", 2)
    assert runs_csv(result, tmp_path) == in_process


def test_survive_on_dask_equals_the_pool(hand: Path) -> None:
    pool = kfed.survive(hand, domain="region", seeds=2, workers=2)
    dask = kfed.survive(hand, domain="region", seeds=2, workers=2, dask="local")
    cols = [c for c in pool.runs.columns if c != "wall_seconds"]
    pd.testing.assert_frame_equal(pool.runs[cols], dask.runs[cols])
    pd.testing.assert_frame_equal(pool.sets, dask.sets)


def test_a_running_scheduler_by_address(hand: Path, in_process: str, tmp_path) -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        result = kfed.sweep(hand, GRID, seeds=3, dask=address)
        assert cluster.status.name == "running"  # kfed closes its client, not the cluster
    assert (result.engine, result.workers) == ("dask", 2)
    assert runs_csv(result, tmp_path) == in_process
