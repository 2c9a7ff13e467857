"""Conventions every `kfed` verb shares: -o json|yaml|wide (and --json), --version, durations
on the command line, a quiet exit on a closed stdout, progress in a redirected stderr, no stale
artefacts in a reused --out, and the same summary.json as the library."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from federation import __version__
from federation.api import load_scenario
from federation.cli import main
from federation.cli.common import EXIT_SIGPIPE
from federation.runner import execute

ROOT = Path(__file__).resolve().parents[2]
OUTAGE = ROOT / "scenarios" / "cluster-outage.yaml"
RUN = ["run", str(OUTAGE), "--quiet", "--no-plots"]


def _kfed(*argv: str, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "federation.cli", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        check=False,
    )


# ---------------------------------------------------------------- -o FORMAT


def test_run_json_yaml_and_the_json_alias(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main([*RUN, "--out", str(tmp_path / "a"), "-o", "json"]) == 0
    as_json = json.loads(capsys.readouterr().out)
    assert main([*RUN, "--out", str(tmp_path / "b"), "--json"]) == 0
    alias = json.loads(capsys.readouterr().out)
    assert main([*RUN, "--out", str(tmp_path / "c"), "-o", "yaml"]) == 0
    text = capsys.readouterr().out
    as_yaml = yaml.safe_load(text)
    for doc in (as_json, alias, as_yaml):
        doc.pop("wall_seconds")
    assert as_json == alias == as_yaml
    assert as_json["scenario"] == "cluster-outage"
    assert text.startswith("backend: sim\n")  # keys sorted


def test_run_table_has_units_and_wide_adds_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert main([*RUN, "--out", str(tmp_path / "a")]) == 0
    table = capsys.readouterr().out
    for header in (
        "availability (%)",
        "unavail. (replica-s)",
        "to available (s)",
        "fault at (s)",
        "detected (s)",
        "recovered (s)",
    ):
        assert header in table
    assert "ready on m1" not in table and "PASS" in table
    assert main([*RUN, "--out", str(tmp_path / "b"), "-o", "wide"]) == 0
    wide = capsys.readouterr().out
    for header in (
        "ready on m1",
        "ready on m2",
        "ready on m3",
        "to detect (s)",
        "to fail over (s)",
        "evictions",
    ):
        assert header in wide
    row = next(line for line in wide.splitlines() if "Deployment/shop/web" in line)
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert sum(int(c) for c in cells[-3:]) == int(cells[1])  # all desired replicas ready


def test_bad_output_format_exits_2(capsys: pytest.CaptureFixture[str]):
    assert main([*RUN, "-o", "xml"]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err
    assert main(["schema", "-o", "wide"]) == 2


def test_validate_machine_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["validate", str(OUTAGE), "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == {
        "valid": True,
        "files": 1,
        "clusters": 3,
        "policies": 1,
        "workloads": 4,
        "scenarios": 1,
        "problems": [],
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text(OUTAGE.read_text().replace("duration: 360", "duration: -5"))
    assert main(["validate", str(bad), "-o", "yaml"]) == 2
    out = capsys.readouterr()
    doc = yaml.safe_load(out.out)
    assert doc["valid"] is False
    problem = doc["problems"][0]
    assert problem["path"] == "spec.duration" and problem["file"] == str(bad)
    assert problem["line"] > 0 and problem["text"] in out.err  # stderr as always


def test_plan_yaml_equals_json_and_wide_folds_nothing(capsys: pytest.CaptureFixture[str]):
    path = str(ROOT / "scenarios" / "examples" / "location-affinity" / "strictly-coupled.yaml")
    assert main(["plan", path, "-o", "json"]) == 0
    as_json = json.loads(capsys.readouterr().out)
    assert main(["plan", path, "-o", "yaml"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == as_json
    assert main(["plan", path, "--width", "40"]) == 0
    narrow = capsys.readouterr().out
    assert main(["plan", path, "--width", "40", "-o", "wide"]) == 0
    wide = capsys.readouterr().out
    assert max(map(len, wide.splitlines())) > 40 >= len(narrow.splitlines()[-1])


def test_divide_formats(capsys: pytest.CaptureFixture[str]):
    argv = ["divide", "10", "--clusters", "a=2,b=1", "--capacity", "a=5"]
    assert main([*argv, "-o", "yaml"]) == 0
    doc = yaml.safe_load(capsys.readouterr().out)
    assert doc["replicas"] == {"a": 5, "b": 5} and doc["method"] == "kfed"
    assert main([*argv, "-o", "wide"]) == 0
    head, first = capsys.readouterr().out.splitlines()[:2]
    assert head.endswith("overflow  over capacity") and first.split()[-1] == "2"


def test_schema_format_and_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["schema"]) == 0
    as_json = json.loads(capsys.readouterr().out)
    assert main(["schema", "-o", "yaml"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == as_json
    out = tmp_path / "kfed.schema.yaml"
    assert main(["schema", "-o", "yaml", "--output-file", str(out)]) == 0
    assert capsys.readouterr().out == "" and yaml.safe_load(out.read_text()) == as_json
    assert main(["schema", "--output-file", str(tmp_path / "no" / "such" / "dir")]) == 2
    assert "--output-file" in capsys.readouterr().err


def test_clusters_status_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["clusters", "status", "--workdir", str(tmp_path), "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["clusters", "status", "--workdir", str(tmp_path), "-o", "yaml"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == []


# ---------------------------------------------------------------- --version, durations


def test_version(capsys: pytest.CaptureFixture[str]):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"kfed {__version__}\n"
    assert __version__ == version("kfed")


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90.0), ("90s", 90.0), ("1m30s", 90.0), ("1.5m", 90.0)]
)
def test_durations_on_the_command_line(text: str, seconds: float, tmp_path: Path):
    assert main([*RUN, "--out", str(tmp_path), "--duration", text]) in (0, 1)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["simulated_seconds"] == seconds


@pytest.mark.parametrize(
    ("verb", "text", "message"),
    [
        ("run", "2x", "kfed run: --duration: not a duration: '2x'"),
        ("run", "-1m", "kfed run: --duration must be > 0, got -1m"),
        ("run", "nan", "kfed run: --duration must be > 0, got nan"),
        ("compare", "soon", "kfed compare: --duration: not a duration: 'soon'"),
    ],
)
def test_bad_durations_exit_2_naming_flag_and_value(
    verb: str, text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "o"
    assert main([verb, str(OUTAGE), f"--duration={text}", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


# ---------------------------------------------------------------- a closed stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "scenarios/cluster-outage.yaml", "--no-plots", "--quiet"],
        ["plan", "scenarios/cluster-outage.yaml"],
        ["schema"],
    ],
    ids=["run", "plan", "schema"],
)
def test_a_closed_stdout_exits_quietly(argv: list[str], tmp_path: Path):
    if argv[0] == "run":
        argv = [*argv, "--out", str(tmp_path)]
    read, write = os.pipe()
    os.close(read)  # nobody will read: kfed's first write to stdout breaks the pipe
    try:
        done = _kfed(*argv, stdout=write)
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == EXIT_SIGPIPE == 141  # not 1, which means a failed expectation


def test_head_1_reads_the_first_line_and_kfed_exits_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "federation.cli", "schema"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == "{\n"
    proc.stdout.close()  # as `head -1` does
    err = proc.stderr.read()
    proc.stderr.close()
    # whether the rest was already in the pipe's buffer when it closed or not
    assert proc.wait() in (0, EXIT_SIGPIPE) and err == ""


# ---------------------------------------------------------------- progress, artefacts, parity


def test_progress_lines_in_a_redirected_stderr(tmp_path: Path):
    done = _kfed("run", str(OUTAGE), "--no-plots", "--progress", "--out", str(tmp_path))
    lines = done.stderr.splitlines()
    assert done.returncode == 0
    assert lines[-1] == "cluster-outage (sim): t=360/360 s (100 %)"
    assert "cluster-outage (sim): t=180/360 s (50 %)" in lines and 10 <= len(lines) <= 12
    quiet = _kfed("run", str(OUTAGE), "--no-plots", "--out", str(tmp_path))
    assert quiet.returncode == 0 and quiet.stderr == ""  # not a terminal, not forced: nothing


def test_a_new_run_leaves_no_stale_artefacts(tmp_path: Path):
    (tmp_path / "replicas.png").write_bytes(b"\x89PNG from an earlier run")
    (tmp_path / "availability.png").write_bytes(b"\x89PNG from an earlier run")
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "extra.png").write_text("listed by an earlier run's manifest")
    (tmp_path / ".kfed-artefacts").write_text("extra.png\nsummary.json\n")
    assert main([*RUN, "--out", str(tmp_path)]) == 0
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".kfed-artefacts", "notes.txt", "summary.json", "timeline.csv"]
    assert (tmp_path / ".kfed-artefacts").read_text() == "summary.json\ntimeline.csv\n"


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_cli_summary_equals_the_library_summary(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --progress makes the CLI report progress while the sim runs; the library does not
    assert main(["run", str(path), "--no-plots", "--progress", "--out", str(tmp_path)]) == 0
    assert "(100 %)" in capsys.readouterr().err
    cli = json.loads((tmp_path / "summary.json").read_text())
    lib = execute(load_scenario(path)).summary
    assert cli["events"] == lib["events"]
    cli.pop("wall_seconds")
    lib.pop("wall_seconds")
    assert cli == json.loads(json.dumps(lib))


@pytest.mark.parametrize("verb", ["run", "compare"])
def test_an_out_folder_that_cannot_be_made_exits_2(
    verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    (tmp_path / "file").write_text("in the way")
    out = tmp_path / "file" / "out"
    assert main([verb, str(OUTAGE), "--out", str(out), "--quiet"]) == 2
    assert capsys.readouterr().err == f"kfed {verb}: --out {out}: Not a directory\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere():
    from federation.cli.progress import ProgressBar

    tty, log = _Terminal(), io.StringIO()
    for stream in (tty, log):
        with ProgressBar("x (sim)", 50.0, None, stream=stream) as bar:
            for t in range(5, 55, 5):
                bar(float(t), 50.0)
    assert "50/50 s" in tty.getvalue() and "t=" not in tty.getvalue()
    assert log.getvalue() == ""  # not a terminal and not forced: silent
    forced = io.StringIO()
    bar = ProgressBar("x (sim)", 50.0, True, stream=forced)
    for t in range(5, 55, 5):
        bar(float(t), 50.0)
    assert forced.getvalue().splitlines() == [
        f"x (sim): t={t}/50 s ({2 * t} %)" for t in range(5, 55, 5)
    ]
