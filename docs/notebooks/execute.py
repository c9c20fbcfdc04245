"""Execute the notebooks of docs/notebooks, and with --write save them with their outputs.

    python docs/notebooks/execute.py [--write] [NOTEBOOK ...]

The committed notebooks carry their outputs (tables, figures as PNG) so that a reader sees
them where the repository is browsed; ``make notebooks`` rewrites them after a change, and
``make test`` (tests/integration/test_notebooks.py) executes them again without comparing
outputs. Saved notebooks hold no timings and numbered cells from 1, so rerunning unchanged
code changes nothing but what the code computes.
"""

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient

FOLDER = Path(__file__).resolve().parent
TIMEOUT_S = 300


def notebooks() -> list[Path]:
    """The notebooks of the docs, in name order."""
    return sorted(FOLDER.glob("*.ipynb"))


def execute(path: Path) -> nbformat.NotebookNode:
    """``path`` executed top to bottom in a fresh kernel, in a temporary working folder."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as work:
        resources = {"metadata": {"path": work}}
        client = NotebookClient(notebook, timeout=TIMEOUT_S, kernel_name="python3",
                                record_timing=False, resources=resources)  # fmt: skip
        client.execute()
    for cell in notebook.cells:
        cell.get("metadata", {}).pop("execution", None)
    return notebook


def errors(notebook: nbformat.NotebookNode) -> list[str]:
    """The error outputs of an executed notebook (name: message)."""
    return [
        f"{output.get('ename')}: {output.get('evalue')}"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Execute the notebooks given (default: all); save them with --write."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="save the executed notebooks")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    for path in args.paths or notebooks():
        notebook = execute(path)
        failed = errors(notebook)
        if failed:
            print(f"{path.name}: {failed}", file=sys.stderr)
            return 1
        if args.write:
            nbformat.write(notebook, path)
        print(f"{path.name}: ok{' (saved)' if args.write else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
