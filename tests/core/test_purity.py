"""The core is pure: no clock, no randomness, no I/O, no simpy, no kubernetes, no plotting."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "federation" / "core"
FORBIDDEN_MODULES = {
    "time", "random", "datetime", "secrets", "uuid", "os", "io", "pathlib", "shutil", "socket",
    "subprocess", "threading", "multiprocessing", "asyncio", "select", "signal", "urllib",
    "http", "requests", "logging", "tempfile", "simpy", "kubernetes", "yaml", "matplotlib",
    "sim", "rich",
}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "hash", "id"}
ALLOWED_OWN = "federation.core"


def core_files() -> list[Path]:
    """Every module of the core, its subpackages' included."""
    return sorted(CORE.rglob("*.py"))


@pytest.mark.parametrize("path", core_files(), ids=lambda p: p.relative_to(CORE).as_posix())
def test_core_module_imports_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            root = name.split(".")[0]
            assert root not in FORBIDDEN_MODULES, f"{path.name} imports {name}"
            if root == "federation":
                assert name.startswith(ALLOWED_OWN), f"{path.name} imports {name} (outside core)"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS, f"{path.name} calls {node.func.id}()"


def test_the_purity_check_catches_a_clock(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import time\nnow = time.time()\n")
    with pytest.raises(AssertionError):
        test_core_module_imports_nothing_impure(bad)


def test_importing_the_core_loads_no_heavy_or_impure_package() -> None:
    code = (
        "import sys, federation.core, federation.core.planner, federation.core.placement,"
        " federation.core.model;"
        "bad = sorted(m for m in ('simpy', 'kubernetes', 'matplotlib', 'yaml', 'rich')"
        " if m in sys.modules); print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
