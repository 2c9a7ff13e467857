"""`kfed sweep` and `kfed survive` as a user runs them: tables, files, exit codes, bad input
(exit 2, every problem named, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from federation.cli import main
from tests.planning.federations import write

CPU = "Cluster[*].spec.capacity.cpu"


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    return write(tmp_path)


def test_sweep_table_files_and_the_cheapest_passing_point(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    code = main(["sweep", str(hand), "--set", f"{CPU}=1..5", "--seeds", "2", "--workers", "2",
                 "--out", str(out), "--quiet"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "hand: 10 runs (5 points x seeds 1..2) on pool (2 workers)" in text
    assert "cheapest point with a pass rate >= 0.95: cpu=3 at 4.5000 per hour" in text
    assert "  cpu: Cluster[*].spec.capacity.cpu" in text
    assert "  expect.0: failover from a within 30s" in text
    names = {p.name for p in out.iterdir()}
    assert names == {"runs.parquet", "runs.csv", "points.csv", "result.json", "pass_rate.png",
                     "cost.png"}
    doc = json.loads((out / "result.json").read_text())
    assert [p["pass_rate"] for p in doc["points"]] == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert doc["cheapest"][CPU] == 3


def test_sweep_json_and_find(hand: Path, tmp_path: Path, capsys) -> None:
    code = main(["sweep", str(hand), "--set", f"{CPU}=1..9", "--find", CPU, "--seeds", "1",
                 "--workers", "1", "--out", str(tmp_path / "f"), "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    (found,) = doc["find"]
    assert found["value"] == 3 and found["monotone"] and found["complete"]
    assert found["assumption"] == f"the pass rate never falls as {CPU} grows"


def test_find_without_an_answer_exits_1(hand: Path, tmp_path: Path, capsys) -> None:
    code = main(["sweep", str(hand), "--set", f"{CPU}=1,2", "--find", CPU, "--seeds", "1",
                 "--workers", "1", "--out", str(tmp_path / "f"), "--quiet"])
    text = capsys.readouterr().out
    assert code == 1
    assert f"{CPU}: no value up to 2 reaches a pass rate of 0.95" in text


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--set", f"{CPU}=4,-1"], "spec.capacity.cpu: must be >= 0, got -1; set by "
         f"{CPU}=-1 (line 17, Cluster a)"),
        (["--set", "Cluster/zz.spec.nodes=1,2"], "--set Cluster/zz.spec.nodes=1: no Cluster "
         "named 'zz' (there are: a, b, c)"),
        (["--set", f"{CPU}=5..1"], f"--set {CPU}=5..1: the range goes down (5..1)"),
        ([], "kfed sweep: give at least one --set PATH=VALUES to sweep"),
        (["--set", f"{CPU}=1,2", "--find", "Cluster/a.spec.nodes"],
         "--find Cluster/a.spec.nodes: not a swept path (swept: Cluster[*].spec.capacity.cpu)"),
        (["--set", f"{CPU}=1,2", "--seeds", "0"], "kfed sweep: --seeds must be >= 1, got 0"),
    ],
)
def test_sweep_bad_input_exits_2_and_writes_nothing(
    hand: Path, tmp_path: Path, capsys, argv: list[str], error: str
) -> None:
    out = tmp_path / "never"
    code = main(["sweep", str(hand), *argv, "--workers", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert error in err, err


def test_survive_by_region_fails_and_says_why(hand: Path, tmp_path: Path, capsys) -> None:
    code = main(["survive", str(hand), "--domain", "region", "--seeds", "2", "--workers", "2",
                 "--headroom", "--out", str(tmp_path / "s"), "--quiet"])
    text = capsys.readouterr().out
    assert code == 1, text
    assert "hand: N-1 by region, outage at 60 s for 90 s, seeds 1..2" in text
    assert "some failure set fails; provisioned capacity costs 6.0000 per hour" in text
    assert "headroom: every set passes with capacity x1.5" in text
    assert "costing 9.0000 per hour" in text
    r1 = next(line for line in text.splitlines() if line.startswith("│ r1 "))
    assert "4/4" in r1 and "NO" in r1  # requested/capacity, fits
    names = {p.name for p in (tmp_path / "s").iterdir()}
    assert names == {"runs.parquet", "runs.csv", "sets.csv", "matrix.csv", "result.json",
                     "survive.png"}


def test_survive_by_cluster_passes(hand: Path, tmp_path: Path, capsys) -> None:
    code = main(["survive", str(hand), "--seeds", "1", "--workers", "1", "--out",
                 str(tmp_path / "s"), "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["survives"]
    assert [s["set"] for s in doc["sets"]] == ["a", "b", "c"]


def test_survive_with_a_fixed_setting_and_bad_k(hand: Path, tmp_path: Path, capsys) -> None:
    code = main(["survive", str(hand), "--domain", "region", "--set", "Cluster/c.spec.capacity"
                 ".cpu=6", "--seeds", "1", "--workers", "1", "--out", str(tmp_path / "s"),
                 "--quiet"])
    assert code == 0, capsys.readouterr().out  # c alone now holds all 6
    code = main(["survive", str(hand), "--domain", "region", "--k", "3", "--out",
                 str(tmp_path / "t")])
    assert code == 2
    assert "kfed survive: --k must be 1..2 (there are 2 regions), got 3" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()
