"""Every notebook runs top to bottom (executed with the project's own kernel)."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
# what each notebook must print: the proof that its main cell ran to the end
PRINTS = {
    "01-quickstart": "failover from m2",  # the run's summary table
    "02-capacity-planning": "smallest us-east capacity that passes every expectation: 12 CPUs",
    "03-survivability-and-cost": "cheapest configuration that survives losing any region: "
    "eu-west 12 CPUs, us-east 12 CPUs per cluster, 2.04 per hour",
    "04-traffic-and-cost": "price of the eu-west outage",
    "05-autoscaling-and-migration": "eu-west down at 5400 s: first scale-up 15 s later, 49 -> 54",
}


def test_every_notebook_is_known() -> None:
    assert {p.stem for p in NOTEBOOKS} == set(PRINTS)


def imported(source: str) -> set[str]:
    """The top-level packages a cell's code imports (IPython's %magic and !shell lines left
    out: they are not Python)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    found = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_imported_sees_every_form_of_import() -> None:
    cell = "%matplotlib inline\nimport os.path, kfed\nfrom federation.core import divide\n"
    cell += "def f():\n    from sim import world\n"
    assert imported(cell) == {"os", "kfed", "federation", "sim"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_call_only_the_public_api(path: Path) -> None:
    """Notebooks use `import kfed`; the `federation` and `sim` packages are internal."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not imported(cell.source) & {"federation", "sim"}, cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert not errors
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.output_type == "stream")
    assert PRINTS[path.stem] in text
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) >= 2
