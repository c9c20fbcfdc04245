"""The example figures of docs/outputs.md, from two real runs.

    python -m benchmarks.doc_figures [--write-docs]

Runs ResNet-18 pipelined over a batch of 16 on the isaac preset with a full trace and the
sweep of docs/examples/sweep_adc_xbar.yaml, draws their figures into a temporary folder and
lists them; ``--write-docs`` copies the PNGs into docs/img/figures/ (about 20 s in all).
"""

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cimsim.cli import main as cimsim

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "img" / "figures"
RUN = ["run", "--arch", "isaac", "--workload", "resnet18", "--scheduler", "pipelined",
       "--batch", "16", "--trace", "full", "--plots", "-q"]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run, draw, and copy the figures when asked."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.doc_figures", description=__doc__)
    parser.add_argument("--write-docs", action="store_true", help="copy into docs/img/figures")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        if cimsim([*RUN, "--out", str(out / "run")]) != 0:
            return 1
        sweep = ROOT / "docs" / "examples" / "sweep_adc_xbar.yaml"
        if cimsim(["sweep", str(sweep), "--out", str(out / "sweep"), "--plot", "-q"]) != 0:
            return 1
        figures = [*sorted((out / "run" / "plots").glob("*.png")), out / "sweep" / "pareto.png"]
        for figure in figures:
            print(f"{figure.name}: {figure.stat().st_size / 1e3:,.0f} kB")
            if args.write_docs:
                TARGET.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(figure, TARGET / figure.name)
    if args.write_docs:
        print(f"copied into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
