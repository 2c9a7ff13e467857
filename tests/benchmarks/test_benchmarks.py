"""Smoke tests of the benchmark code paths at tiny sizes, without real clusters.

Nothing here asserts on wall-clock time: only that each figure is computed, named and shaped
as the report expects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import fitting, p1_speedup, p2_scale, p5_failover, report
from benchmarks.__main__ import main, select
from benchmarks.child import in_child
from benchmarks.clusters import Clusters, hash_text
from federation.api import load_scenario
from federation.core.health import HealthThresholds

ROOT = Path(__file__).resolve().parents[2]
KEYS = [k for k, _, _ in report.KEYS]


def test_measure_counts_events_and_pending_events() -> None:
    r = p2_scale.measure(6, 12, 300.0, bare_events=2000)
    assert r["events"] > 0 and r["simulated_s"] == 300.0
    assert r["control_s"] + r["sim_s"] == pytest.approx(r["wall_s"], abs=0.01)
    assert r["pending_mean"] >= 1 and r["pending_max"] >= r["pending_mean"]
    assert r["bare"]["pending"] == r["pending_mean"] and r["bare"]["events"] > 0


def test_a_longer_tail_keeps_the_faults_and_adds_events() -> None:
    short = p2_scale.measure(3, 6, 300.0)
    long = p2_scale.measure(3, 6, 300.0, tail=3.0)
    assert long["simulated_s"] == 900.0
    assert long["events"] > short["events"]


def test_bare_simpy_runs_about_the_asked_events() -> None:
    b = p2_scale.bare_simpy(50, 5000)
    assert b["pending"] == 50
    assert 4000 <= b["events"] <= 6000


def test_child_process_reports_its_own_peak_memory() -> None:
    r = in_child("benchmarks.p2_scale:measure", clusters=3, workloads=3, seconds=60.0)
    assert r["events"] > 0
    assert r["child_maxrss_mb"] > 0 and r["child_wall_s"] > 0


def test_sim_speed_of_the_reference_scenario() -> None:
    s = p1_speedup.sim_speed(repeats=1)
    assert s["scenario"] == "cluster-outage" and s["simulated_s"] == 360.0
    assert s["speed_median"] > 0 and s["events"] > 0


def test_sweep_row_for_the_default_settings() -> None:
    (row,) = p5_failover.sweep((2.0,), (3,), seeds=2, lossy_hours=0.05)
    assert row["default"] and row["failure_seconds"] == HealthThresholds().failure_seconds
    # the third failed probe decides: 4 s after the first, plus the outage's phase (< 2 s)
    assert row["detect_mean_s"] is not None and 4.0 <= row["detect_mean_s"] <= 6.1
    assert row["false_offline_per_hour"] >= 0


def test_calibration_fit_from_figures() -> None:
    figures = {
        "watch": {"delay": fitting.quantiles([0.0001, 0.0002, 0.0003])},
        "api": {"apply_samples": [0.002, 0.003, 0.004]},
        "startup": {"samples": [0.05, 0.3], "scale_samples": [0.3, 0.31, 0.32]},
    }
    fit = fitting.fit(figures)
    assert fit["link"].latency == pytest.approx(0.0002)
    assert fit["api_latency"].kind == "lognormal"
    assert fit["api_latency"].median == pytest.approx(0.0026, abs=1e-4)
    assert fit["pod_startup"].median == pytest.approx(0.31)
    q = fitting.quantiles([3.0, 1.0, 2.0])
    assert (q["min"], q["p50"], q["max"], q["count"]) == (1.0, 2.0, 3.0, 3)


def test_cluster_sets_are_keyed_by_shape_not_name(tmp_path: Path) -> None:
    a = load_scenario(ROOT / "scenarios" / "api-hang.yaml")
    b = load_scenario(ROOT / "scenarios" / "cluster-outage.yaml")
    assert Clusters.shape(a) != Clusters.shape(b)
    assert Clusters.shape(a) == Clusters.shape(a)
    assert hash_text("x") == hash_text("x") != hash_text("y")
    Clusters(tmp_path, lambda m: None).close()  # nothing running: nothing to do


def test_figures_are_selected_by_name_and_alias() -> None:
    assert select("p1,p3") == ["p2", "p1"]
    assert select(None)[0] == "p2"
    with pytest.raises(SystemExit):
        select("p9")


def test_json_report_has_every_key_with_reasons_for_nulls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (
        main(["--tiny", "--no-kube", "--only", "p1,p2,p5", "--json", "--out", str(tmp_path)]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    for key in KEYS:
        assert key in result
        if result[key] is None:
            assert key in result["notes"], key
    assert result["p2_events"] > 0 and result["p2_peak_mb"] > 0 and result["p3_ratio"] > 0
    assert result["p1_speedup"] is None  # no real clusters: not assumed
    assert result["machine"]["cpus"] >= 1 and result["mode"] == "tiny"
    assert (tmp_path / "results.json").is_file()
    assert "growth" in result["details"]["p2"] and "idle_tail" in result["details"]["p2"]


def test_table_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--tiny", "--no-kube", "--only", "p1,p4"]) == 0
    out = capsys.readouterr().out
    assert "P1 sim speed-up" in out and "P4 propagation p99" in out and "notes:" in out


def test_module_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "--quick" in proc.stdout and "--no-kube" in proc.stdout


def test_startup_figures_of_whole_processes(tmp_path: Path) -> None:
    from benchmarks import startup

    ctx = report.Context(tiny=True, quick=True, kube=False, log=lambda msg: None)
    out = startup.run(ctx)
    assert out["notes"] == [], out["notes"]
    for name in ("python", "version", "validate", "run"):
        figures = out["commands"][name]
        assert figures["exit_code"] == 0 and figures["median_s"] > 0, figures
        assert figures["x_python"] > 0
        assert out[f"startup_{name}_s"] == figures["median_s"]
    printed = report.table({**{k: out.get(k) for k in KEYS}, "details": {"startup": out}})
    assert "Start-up: kfed validate, reference (s)" in printed
    block = printed.split("Start-up, whole processes")[1].splitlines()[1:]
    labels = ["python -c pass", "kfed --version", "kfed validate", "kfed run"]
    for line, label in zip(block[:4], labels, strict=True):
        assert line.strip().startswith(label) and " s  (" in line
        assert line.endswith("python -c pass") == (label != "python -c pass")
    assert block[4].strip().startswith("bytecode cached")


def test_traffic_figure_compares_runs_of_this_invocation() -> None:
    from benchmarks import traffic

    out = traffic.run(report.Context(quick=True, tiny=True, kube=False))
    assert set(out["runs"]) == {"without", "services_only", "with_traffic"}
    assert out["traffic_overhead"] is not None and out["traffic_rows"] > 0
    assert out["runs"]["services_only"]["traffic_rows"] == 0
