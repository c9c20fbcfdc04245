"""Every notebook in docs/notebooks executes top to bottom, so none can rot; the committed
copies carry their outputs (docs/notebooks/execute.py --write saves them), which this test
neither needs nor compares."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

EXECUTE = Path(__file__).parents[2] / "docs" / "notebooks" / "execute.py"
_spec = importlib.util.spec_from_file_location("notebooks_execute", EXECUTE)
assert _spec and _spec.loader
executor = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(executor)
NOTEBOOKS = executor.notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    notebook = executor.execute(path)
    assert executor.errors(notebook) == []
    images = [
        o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert images, f"{path.name} shows no figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_carries_its_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.get("execution_count") for cell in code), (
        f"{path.name} is committed without outputs: run python docs/notebooks/execute.py --write"
    )
    assert any("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))
