"""Every notebook runs top to bottom (executed with the project's own kernel)."""

from __future__ import annotations

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
}


def test_every_notebook_is_known() -> None:
    assert {p.stem for p in NOTEBOOKS} == set(PRINTS)


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
