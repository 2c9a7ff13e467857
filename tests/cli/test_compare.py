"""`kfed compare` and `federation.compare`: metrics of two timelines side by side, their
errors on one scale (0.1 = 10 % or one probe period), the overlay plot, the exit codes.

The real side comes from a recorded run (`--real-run DIR`), here a sim run's output, so no
clusters are needed; the kube path is exercised by `python -m benchmarks` (parity)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from federation.api import load_scenario
from federation.cli import main
from federation.compare import CALIBRATIONS, calibrated, compare
from federation.recorder import Row
from federation.report.fidelity import TARGET, metrics
from federation.report.steps import area, area_between, changes, cluster_ready
from federation.runner import execute

ROOT = Path(__file__).resolve().parents[2]
OUTAGE = ROOT / "scenarios" / "cluster-outage.yaml"
SURGE = ROOT / "scenarios" / "capacity-overflow.yaml"


def _sim_rows(path: Path, duration: float, **sim: object) -> list[Row]:
    sc = load_scenario(path)
    sc = replace(sc, duration=duration, sim=replace(sc.sim, **sim))
    return execute(sc, "sim", plots=False).rows


def test_step_arithmetic() -> None:
    a = [(0.0, 0), (1.0, 3), (5.0, 1)]
    b = [(0.0, 0), (2.0, 3)]
    assert area(a, 10.0) == 3 * 4 + 1 * 5
    assert area_between(a, b, 10.0) == 3 * 1 + 2 * 5
    assert changes(a, 10.0) == 3 + 2
    rows = [
        Row(1.0, "ready", "m1", "w1", {"ready": 2}),
        Row(1.0, "ready", "m1", "w2", {"ready": 1}),
        Row(3.0, "ready", "m1", "w1", {"ready": 0}),
        Row(3.0, "ready", "zz", "w1", {"ready": 9}),  # not a cluster of the scenario
    ]
    assert cluster_ready(rows, ["m1", "m2"]) == {
        "m1": [(0.0, 0), (1.0, 3), (3.0, 1)],
        "m2": [(0.0, 0)],
    }


def test_identical_timelines_have_zero_error() -> None:
    sc = replace(load_scenario(OUTAGE), duration=100.0)
    rows = execute(sc, "sim", plots=False).rows
    ms = metrics(sc, rows, rows, 100.0)
    names = [m.name for m in ms]
    assert names[:3] == ["m2 outage@60 detect", "m2 outage@60 evict", "m2 outage@60 failover"]
    assert {"m1 ready replicas", "m2 ready replicas", "m3 ready replicas"} <= set(names)
    assert all(m.error == 0.0 and m.within for m in ms)


def test_time_errors_are_relative_with_a_probe_period_floor() -> None:
    sc = replace(load_scenario(OUTAGE), duration=100.0)
    real = execute(sc, "sim", plots=False).rows
    # the same run with the fault (and so everything after it) 1.5 s later
    late = [replace(r, t=r.t + 1.5) if r.t >= 60.0 and r.kind != "fault" else r for r in real]
    ms = {m.name: m for m in metrics(sc, late, real, 100.0)}
    detect = ms["m2 outage@60 detect"]
    assert detect.diff == pytest.approx(1.5)
    # real detection is ~4-6 s: the floor (one probe period = 10 % of 20 s) applies
    assert detect.error == pytest.approx(1.5 / (sc.health.probe_period / TARGET))
    assert detect.within


def test_a_missing_failover_is_a_miss_not_a_pass() -> None:
    sc = replace(load_scenario(OUTAGE), duration=100.0)
    real = execute(sc, "sim", plots=False).rows
    no_failover = [r for r in real if r.kind not in ("health", "evict")]
    ms = {m.name: m for m in metrics(sc, real, no_failover, 100.0)}
    assert ms["m2 outage@60 detect"].error is None
    assert not ms["m2 outage@60 detect"].within


def test_surge_has_scale_and_settle_metrics() -> None:
    sc = load_scenario(SURGE)
    rows = execute(sc, "sim", plots=False).rows
    names = [m.name for m in metrics(sc, rows, rows, sc.duration)]
    assert "Deployment/shop/web load-surge@60 scale" in names
    assert "Deployment/shop/web load-surge@60 settle" in names


def test_calibration_profile_replaces_sim_latencies() -> None:
    sc = load_scenario(OUTAGE)
    kw = calibrated(sc, "kwok")
    assert kw.sim.pod_startup == CALIBRATIONS["kwok"]["pod_startup"]
    assert kw.sim.link == CALIBRATIONS["kwok"]["link"]
    assert calibrated(sc, "none") is sc
    with pytest.raises(ValueError, match="unknown calibration"):
        calibrated(sc, "nope")


def test_compare_with_a_given_real_side_writes_json_and_overlay(tmp_path: Path) -> None:
    sc = load_scenario(OUTAGE)

    def real(s: object) -> tuple[list[Row], dict[str, object]]:
        out = execute(calibrated(replace(sc, duration=90.0), "kwok"), "sim", plots=False)
        return out.rows, out.summary

    result = compare(sc, duration=90.0, out_dir=tmp_path, real=real)
    assert result.max_error == 0.0 and result.within
    doc = json.loads((tmp_path / "compare.json").read_text())
    assert doc["scenario"] == "cluster-outage" and doc["within"] is True
    assert (tmp_path / "overlay.png").stat().st_size > 0
    assert (tmp_path / "sim" / "timeline.csv").is_file()


def _recorded_run(tmp_path: Path, duration: str = "90") -> Path:
    rec = tmp_path / "recorded"
    code = main(
        [
            "run",
            str(OUTAGE),
            "--backend",
            "sim",
            "--duration",
            duration,
            "--out",
            str(rec),
            "--no-plots",
            "--quiet",
        ]
    )
    assert code in (0, 1)  # the cut run may fail the scenario's late expectations
    return rec


def test_cli_compares_against_a_recorded_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = _recorded_run(tmp_path)
    capsys.readouterr()
    out = tmp_path / "cmp"
    code = main(
        ["compare", str(OUTAGE), "--real-run", str(rec), "--calibration", "none", "--out", str(out)]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "m2 outage@60 failover" in text and "WITHIN" in text
    assert (out / "compare.json").is_file() and (out / "overlay.png").is_file()


def test_cli_compare_json_and_exit_1_when_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = _recorded_run(tmp_path)
    capsys.readouterr()
    # the sim's default 2 s pod start-up against a "real" side that is the same: within;
    # against the kwok profile it is still close; make the sim 10x slower to start pods
    slow = tmp_path / "slow.yaml"
    slow.write_text(
        OUTAGE.read_text().replace(
            "  seed: 7\n",
            "  seed: 7\n  sim:\n    podStartup: {distribution: constant, value: 20s}\n",
        )
    )
    code = main(
        [
            "compare",
            str(slow),
            "--real-run",
            str(rec),
            "--calibration",
            "none",
            "--json",
            "--out",
            str(tmp_path / "cmp"),
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["within"] is False
    assert any(not m["within"] for m in doc["metrics"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--duration", "0"], "--duration must be > 0"),
        (["--calibration", "bogus"], "unknown --calibration"),
        (["--real-run", "/nonexistent/run"], "--real-run"),
    ],
)
def test_cli_compare_rejects_bad_input(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(OUTAGE), *argv]) == 2
    assert message in capsys.readouterr().err


def test_cli_compare_invalid_scenario_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: kfed.io/v1alpha1\nkind: Scenario\nspec: {duration: -1}\n")
    assert main(["compare", str(bad)]) == 2
