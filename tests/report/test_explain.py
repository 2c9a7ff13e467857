"""`kfed explain RUN_DIR` (alias `kfed events`): the table, -o json|yaml|wide, the filters, and
exit 2 with one clear line for a run directory that is missing or not one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from federation.cli import main
from federation.cli.explain import table
from federation.report.events import Event

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from federation.api import load_scenario
    from federation.runner import execute

    out = tmp_path_factory.mktemp("run")
    execute(load_scenario(ROOT / "scenarios/cluster-outage.yaml"), "sim", out_dir=out, plots=False)
    return out


def explain(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["explain", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_table_reads_like_kubectl_events(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = explain([str(run_dir)], capsys)
    assert code == 0
    head, *rows = out.splitlines()
    assert head.split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    offline = next(r for r in rows if "ClusterOffline" in r)
    assert offline.split()[:4] == ["64.5s", "Warning", "ClusterOffline", "cluster/m2"]
    assert "probes failed over 4.0 s" in offline
    assert any("Evicted" in r and "Deployment/shop/web" in r and "left m2" in r for r in rows)
    assert not any("Namespace/shop" in r for r in rows), "objects without replicas are hidden"
    assert "--all" in err
    code, out, _ = explain([str(run_dir), "--all"], capsys)
    assert "Namespace/shop" in out


def test_json_yaml_and_wide(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = explain([str(run_dir), "-o", "json"], capsys)
    records = json.loads(out)
    assert {"t", "last", "count", "type", "reason", "object", "message", "source"} <= set(
        records[0]
    )
    assert [r["t"] for r in records] == sorted(r["t"] for r in records)
    _, out, _ = explain([str(run_dir), "-o", "yaml"], capsys)
    assert yaml.safe_load(out) == records
    _, out, _ = explain([str(run_dir), "--json"], capsys)
    assert json.loads(out) == records
    _, out, _ = explain([str(run_dir), "-o", "wide"], capsys)
    assert out.splitlines()[0].split() == [
        "LAST",
        "SEEN",
        "TYPE",
        "REASON",
        "OBJECT",
        "SOURCE",
        "MESSAGE",
        "FIRST",
        "SEEN",
        "COUNT",
    ]


def test_filters(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = explain([str(run_dir), "--type", "warning", "-o", "json"], capsys)
    assert {r["type"] for r in json.loads(out)} == {"Warning"}
    _, out, _ = explain([str(run_dir), "--since", "1m", "--until", "65", "-o", "json"], capsys)
    assert all(60 <= r["t"] <= 65 for r in json.loads(out)) and json.loads(out)
    _, out, _ = explain([str(run_dir), "--workload", "web", "-o", "json"], capsys)
    assert {r["object"] for r in json.loads(out)} == {"Deployment/shop/web"}, "not Service/"
    _, out, _ = explain([str(run_dir), "--workload", "Service/shop/web", "-o", "json"], capsys)
    assert {r["object"] for r in json.loads(out)} == {"Service/shop/web"}
    _, out, _ = explain([str(run_dir), "--cluster", "m2", "-o", "json"], capsys)
    assert "cluster/m2" in {r["object"] for r in json.loads(out)}
    code, out, err = explain([str(run_dir), "--since", "400"], capsys)
    assert code == 0 and out == "" and "No events found." in err


def test_the_events_alias(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", str(run_dir), "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_without_a_summary_the_timeline_is_enough(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "timeline.csv").write_bytes((run_dir / "timeline.csv").read_bytes())
    code, out, _ = explain([str(tmp_path)], capsys)
    assert code == 0 and "ClusterOffline" in out and "Expectation" not in out


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, [], "no such run directory"),
        ("empty", [], "no timeline.csv here"),
        ("bad-csv", [], "not a kfed timeline"),
        ("bad-json", [], "summary.json"),
        ("copy", ["--workload", "nope"], "unknown workload 'nope'"),
        ("copy", ["--cluster", "m9"], "unknown cluster 'm9' (known: m1, m2, m3)"),
        ("copy", ["--since", "-1"], "--since must be >= 0"),
        ("copy", ["--until", "soon"], "--until: not a time: 'soon'"),
    ],
)
def test_invalid_input_exits_2_with_one_clear_line(
    setup: str | None,
    args: list[str],
    message: str,
    run_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    d = tmp_path / "run"
    if setup is not None:
        d.mkdir()
    if setup == "bad-csv":
        (d / "timeline.csv").write_text("t,kind\n1.0,health\n")
    if setup == "bad-json":
        (d / "timeline.csv").write_bytes((run_dir / "timeline.csv").read_bytes())
        (d / "summary.json").write_text("{not json")
    if setup == "copy":
        (d / "timeline.csv").write_bytes((run_dir / "timeline.csv").read_bytes())
    code, out, err = explain([str(d), *args], capsys)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_table_pads_every_column_but_the_last() -> None:
    events = [
        Event(1.0, "Normal", "Scheduled", "Deployment/a/b", "m1=1"),
        Event(2.0, "Warning", "ProbeFailed", "cluster/m1", "probe failed", count=3, last=12.0),
    ]
    assert table(events) == (
        "LAST SEEN             TYPE      REASON        OBJECT           MESSAGE\n"
        "1.0s                  Normal    Scheduled     Deployment/a/b   m1=1\n"
        "12.0s (x3 over 10s)   Warning   ProbeFailed   cluster/m1       probe failed\n"
    )
