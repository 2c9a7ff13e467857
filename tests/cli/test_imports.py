"""Start-up stays light: what each everyday command imports, checked in a fresh process (the
time itself is a benchmark figure, `python -m benchmarks --only startup`, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTAGE = str(ROOT / "scenarios" / "cluster-outage.yaml")
HEAVY = ("rich", "matplotlib", "numpy", "kubernetes", "jsonschema", "simpy", "yaml", "sim")

PROBE = """
import contextlib, io, json, sys
from federation.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
top = {m.split(".")[0] for m in sys.modules}
print(json.dumps({"code": code, "modules": sorted(top), "federation": sorted(
    m for m in sys.modules if m.startswith("federation."))}))
"""


def imported(*argv: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["schema"]], ids=str)
def test_the_parser_imports_nothing_heavy(argv: list[str]) -> None:
    got = imported(*argv)
    assert not set(HEAVY) & set(got["modules"]), got["modules"]
    assert not any(m.startswith(("federation.core", "federation.kube")) for m in got["federation"])


def test_validate_and_run_import_only_what_they_use(tmp_path: Path) -> None:
    validate = imported("validate", OUTAGE)
    assert not {"rich", "matplotlib", "numpy", "kubernetes", "simpy"} & set(validate["modules"])
    run = imported("run", OUTAGE, "--no-plots", "--progress", "--out", str(tmp_path))
    assert run["code"] == 0
    assert "simpy" in run["modules"]  # used
    assert not {"rich", "matplotlib", "numpy", "kubernetes"} & set(run["modules"])
    assert not any(m.startswith("federation.kube") for m in run["federation"])
