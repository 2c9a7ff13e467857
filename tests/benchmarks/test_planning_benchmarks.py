"""Smoke tests of the P6 (sweep throughput) and day-long figures at tiny sizes: each is
computed, named and shaped as the report expects (never a wall-time assertion)."""

from __future__ import annotations

from benchmarks import day, p6_sweep, report


def test_p6_measures_in_process_pool_and_dask() -> None:
    ctx = report.Context(tiny=True, quick=True, kube=False, log=lambda msg: None)
    out = p6_sweep.run(ctx)
    rounds, n1, n = p6_sweep.SIZES["tiny"]
    assert out["single"]["runs"] == rounds * n1 and out["p6_single_runs_per_s"] > 0
    for engine in ("pool", "dask"):
        assert out[engine]["runs"] == rounds * n
        assert out[engine]["passed"] == out[engine]["runs"]  # the reference scenario passes
    assert out["dask"]["cluster_start_s"] > 0
    assert out["p6_pool_efficiency"] > 0 and out["p6_dask_efficiency"] > 0
    printed = report.table({**{k: out.get(k) for k, _, _ in report.KEYS}, "details": {"p6": out}})
    assert "P6 sweep: pool efficiency" in printed and "interleaved rounds" in printed


def test_day_compares_a_long_run_with_a_short_one() -> None:
    ctx = report.Context(tiny=True, quick=True, kube=False, log=lambda msg: None)
    out = day.run(ctx)
    assert out["long"]["simulated_s"] == 10 * out["short"]["simulated_s"]
    assert out["long"]["events"] > out["short"]["events"]
    assert out["idle_per_hour"]["events"] > 0 and out["day_wall_ratio"] > 0
    printed = report.table({"day_wall_ratio": out["day_wall_ratio"], "details": {"day": out}})
    assert "24 h with one fault" in printed and "each quiet hour costs" in printed
