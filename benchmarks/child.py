"""A measurement in a child process, so its peak memory (ru_maxrss) and its heap are its own.

`in_child("benchmarks.p2_scale:measure", clusters=100, ...)` runs `python -m benchmarks.child`
with the function and its keyword arguments as JSON, and returns the function's JSON result
plus `child_maxrss_mb` (the child's own peak resident set, read by the child at its end) and
`child_wall_s` (the whole child, interpreter start included).
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class ChildError(RuntimeError):
    pass


def in_child(target: str, timeout: float | None = None, **kwargs: Any) -> dict[str, Any]:
    """Run `module:function(**kwargs)` in a fresh interpreter and return its result."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.child", target, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise ChildError(f"{target} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise ChildError(f"{target} printed no result:\n{proc.stdout[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["child_wall_s"] = round(wall, 3)
    return result


def main(argv: list[str]) -> int:
    target, args = argv[0], json.loads(argv[1])
    module, _, func = target.partition(":")
    result = getattr(importlib.import_module(module), func)(**args)
    result["child_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
