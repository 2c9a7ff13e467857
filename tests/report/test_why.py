"""`kfed explain RUN_DIR --workload W --at T`: a sim run replayed to T and explained by the core;
a real run explained from its timeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from federation.api import load_scenario
from federation.cli import main
from federation.runner import execute

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    execute(
        load_scenario(ROOT / "scenarios" / "cluster-outage.yaml"), "sim", out_dir=out, plots=False
    )
    return out


def test_during_the_outage_the_replicas_are_on_the_survivors(run_dir, capsys):
    assert main(["explain", str(run_dir), "--workload", "web", "--at", "70", "-o", "json"]) == 0
    why = json.loads(capsys.readouterr().out)
    by = {c["cluster"]: c for c in why["clusters"]}
    assert by["m2"]["health"] == "Offline" and by["m2"]["asked"] is None
    assert any("kfed.io/unreachable" in r for r in by["m2"]["reasons"])
    assert by["m1"]["asked"] + by["m3"]["asked"] == 9
    assert by["m1"]["weight"] == 1 and by["m1"]["room"] is not None
    assert why["method"] == "kfed" and why["unschedulable"] == 0


def test_after_failback_every_cluster_has_its_share(run_dir, capsys):
    assert main(["explain", str(run_dir), "--workload", "web", "--at", "4m10s"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Deployment/shop/web at 250s: 9 replicas")
    rows = [line.split() for line in out.splitlines()[2:5]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("m1", "Ready", "3"),
        ("m2", "Ready", "3"),
        ("m3", "Ready", "3"),
    ]


def test_a_real_run_is_explained_from_its_timeline(run_dir, tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    (real / "timeline.csv").write_text((run_dir / "timeline.csv").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    summary["backend"] = "kube"
    (real / "summary.json").write_text(json.dumps(summary))
    assert main(["explain", str(real), "--workload", "web", "--at", "70"]) == 0
    out = capsys.readouterr().out
    assert "from the timeline" in out
    evicted = "m2: Offline, not a target, Ready 0, evicted at 64.501s (taint kfed.io/unreachable"
    assert evicted in out


def test_bad_requests_exit_2(run_dir, capsys):
    assert main(["explain", str(run_dir), "--at", "70"]) == 2
    assert "--at needs --workload" in capsys.readouterr().err
    assert main(["explain", str(run_dir), "--workload", "web", "--at", "9999"]) == 2
    assert "after the run's end (360s)" in capsys.readouterr().err
