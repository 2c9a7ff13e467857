"""Start-up: the everyday commands as whole processes, as a user waits for them.

Each command runs several times in a fresh process (one untimed run first, to warm the page
cache and write the bytecode); the figure is the median wall time, printed next to a bare
`python -c pass` of the same interpreter and as a multiple of it. Bytecode is cached as on any
installation, under a private PYTHONPYCACHEPREFIX (nothing is written into the source tree),
even where PYTHONDONTWRITEBYTECODE is set: compiling every module on every start would add about
0.1 s that no user pays. The floors: `kfed validate` and `kfed run --no-plots` of
the reference scenario (scenarios/cluster-outage.yaml) within 0.4 s each.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.report import Context, ratio

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "cluster-outage.yaml"
FLOOR_S = 0.4


def kfed() -> list[str]:
    """The `kfed` console script next to this interpreter, else `python -m federation.cli`."""
    script = Path(sys.executable).parent / "kfed"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "federation.cli"]


def commands(out: Path) -> dict[str, list[str]]:
    k = kfed()
    return {
        "python": [sys.executable, "-c", "pass"],
        "version": [*k, "--version"],
        "validate": [*k, "validate", str(SCENARIO)],
        "run": [*k, "run", str(SCENARIO), "--no-plots", "--quiet", "--out", str(out)],
    }


LABELS = {
    "python": "python -c pass",
    "version": "kfed --version",
    "validate": "kfed validate cluster-outage.yaml",
    "run": "kfed run cluster-outage.yaml --no-plots",
}


def environment(pycache: Path) -> dict[str, str]:
    """This process's environment with bytecode written, under `pycache`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def time_command(
    argv: list[str], repeats: int, warm: bool = True, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Median, min and max wall seconds of `repeats` whole runs of `argv` (after one untimed
    run when `warm`)."""
    times = []
    for i in range(repeats + warm):
        t0 = time.perf_counter()
        done = subprocess.run(
            argv,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        wall = time.perf_counter() - t0
        if done.returncode:
            return {"exit_code": done.returncode, "stderr": done.stderr.decode()[-500:]}
        if i >= warm:
            times.append(wall)
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
        "repeats": repeats,
        "exit_code": 0,
    }


def run(ctx: Context) -> dict[str, Any]:
    repeats = 1 if ctx.tiny else 7 if ctx.quick else 15
    out: dict[str, Any] = {"notes": [], "commands": {}}
    out["bytecode"] = "cached (private PYTHONPYCACHEPREFIX)"
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        out["bytecode"] += "; PYTHONDONTWRITEBYTECODE is set here and was lifted"
    with tempfile.TemporaryDirectory(prefix="kfed-startup-") as tmp:
        env = environment(Path(tmp) / "pycache")
        for name, argv in commands(Path(tmp) / "run").items():
            ctx.log(f"startup: {LABELS[name]} x{repeats}")
            timed = time_command(argv, repeats, warm=not ctx.tiny, env=env)
            out["commands"][name] = {"argv": argv[1:], **timed}
    base = out["commands"]["python"].get("median_s")
    for name, figures in out["commands"].items():
        figures["label"] = LABELS[name]
        figures["x_python"] = ratio(figures.get("median_s"), base, 1)
        if figures.get("median_s") is None:
            out["notes"].append(f"{LABELS[name]} failed: {figures.get('stderr', '').strip()}")
    for name in ("python", "version", "validate", "run"):
        out[f"startup_{name}_s"] = out["commands"][name].get("median_s")
    return out


def lines(details: dict[str, Any]) -> list[str]:
    """The start-up block of the printed report."""
    cmds = details.get("commands", {})
    if not cmds:
        return []
    n = next(iter(cmds.values())).get("repeats", "?")
    out = [f"Start-up, whole processes (median of {n}; floor {FLOOR_S} s for validate and run):"]
    width = max(len(f["label"]) for f in cmds.values())
    for f in cmds.values():
        if f.get("median_s") is None:
            out.append(f"  {f['label'].ljust(width)}  failed (exit {f.get('exit_code')})")
            continue
        x = "" if f["label"] == LABELS["python"] else f"  x{f['x_python']} python -c pass"
        out.append(
            f"  {f['label'].ljust(width)}  {f['median_s']:.3f} s"
            f"  ({f['min_s']:.3f}-{f['max_s']:.3f}){x}"
        )
    out.append(f"  bytecode {details.get('bytecode', '?')}")
    return out
