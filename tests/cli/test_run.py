"""`kfed run` on the sim backend: every shipped scenario meets its expectations, the outputs are
byte-identical for a seed, and the exit codes say pass / fail / invalid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from federation.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_there_are_shipped_scenarios_for_each_required_story() -> None:
    names = {p.stem for p in SHIPPED}
    assert {
        "cluster-outage",
        "region-outage",
        "network-partition",
        "flapping-cluster",
        "capacity-overflow",
        "node-loss",
    } <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_meets_its_expectations(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", str(path), "--out", str(tmp_path), "--quiet", "--no-plots"])
    out = capsys.readouterr().out
    summary = json.loads((tmp_path / "summary.json").read_text())
    failed = [e for e in summary["expectations"] if not e["passed"]]
    assert code == 0, f"{path.name}: {failed}\n{out}"
    assert summary["expectations"], "a shipped scenario must state what it expects"
    for key in (
        "scenario",
        "backend",
        "seed",
        "simulated_seconds",
        "wall_seconds",
        "events",
        "workloads",
        "failovers",
        "expectations",
    ):
        assert key in summary
    for w in summary["workloads"].values():
        assert {"desired", "availability", "unavailable_replica_seconds", "max_unavailable"} <= set(
            w
        )
    for f in summary["failovers"]:
        assert {"cluster", "fault_at", "detected_at", "evicted_at", "recovered_at"} <= set(f)
    assert "PASS" in out


def run_once(tmp: Path, *extra: str) -> tuple[bytes, dict[str, object]]:
    assert (
        main(
            [
                "run",
                str(ROOT / "scenarios/cluster-outage.yaml"),
                "--out",
                str(tmp),
                "--quiet",
                "--no-plots",
                *extra,
            ]
        )
        == 0
    )
    summary = json.loads((tmp / "summary.json").read_text())
    summary.pop("wall_seconds")
    return (tmp / "timeline.csv").read_bytes(), summary


def test_same_seed_gives_byte_identical_outputs(tmp_path: Path) -> None:
    a = run_once(tmp_path / "a")
    b = run_once(tmp_path / "b")
    assert a[0] == b[0]
    assert a[1] == b[1]
    c = run_once(tmp_path / "c", "--seed", "8")
    assert c[0] != a[0]
    assert c[1]["seed"] == 8


def test_timeline_has_the_documented_columns(tmp_path: Path) -> None:
    csv_bytes, _ = run_once(tmp_path)
    header, _first = csv_bytes.decode().splitlines()[:2]
    assert header == "t,kind,cluster,workload,fields"
    kinds = {line.split(",")[1] for line in csv_bytes.decode().splitlines()[1:]}
    assert {"fault", "health", "evict", "ready", "schedule", "apply"} <= kinds


def test_failed_expectation_exits_1(tmp_path: Path) -> None:
    text = (ROOT / "scenarios/cluster-outage.yaml").read_text()
    text = text.replace(
        "failoverWithin: {cluster: m2, seconds: 15}", "failoverWithin: {cluster: m2, seconds: 1}"
    )
    p = tmp_path / "strict.yaml"
    p.write_text(text)
    assert main(["run", str(p), "--out", str(tmp_path / "o"), "--quiet", "--no-plots"]) == 1
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert next(e["passed"] for e in summary["expectations"]) is False


def test_invalid_scenario_exits_2_naming_file_path_and_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        (ROOT / "scenarios/cluster-outage.yaml")
        .read_text()
        .replace("duration: 360", "duration: -5")
    )
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    out = tmp_path / "o"
    assert main(["run", str(p), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "spec.duration" in err and "-5" in err
    assert not out.exists(), "nothing half-written on invalid input"


def test_run_writes_plots_and_plot_redraws_them(tmp_path: Path) -> None:
    assert (
        main(
            [
                "run",
                str(ROOT / "scenarios/network-partition.yaml"),
                "--out",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    for name in ("replicas.png", "availability.png"):
        p = tmp_path / name
        assert p.stat().st_size > 10_000
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        p.unlink()
    assert main(["plot", str(tmp_path)]) == 0
    assert (tmp_path / "replicas.png").exists() and (tmp_path / "availability.png").exists()


def test_an_internal_error_is_exit_3_not_1(monkeypatch, capsys):
    # a bug must never read as "an expectation failed" (exit 1)
    import federation.cli.documents as documents

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(documents, "run_validate", broken)
    from federation.cli import main

    assert main(["validate", "x.yaml"]) == 3
    err = capsys.readouterr().err
    assert "RuntimeError: boom" in err and "internal error (exit 3)" in err
