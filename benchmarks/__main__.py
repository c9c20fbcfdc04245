"""Run the benchmark suite: ``python -m benchmarks [--quick] [--write-docs]``.

Prints the measured table. With ``--write-docs`` (``make bench``) it also writes
``benchmarks/results.json`` (every figure) and the measured table of ``docs/performance.md``
(between its BEGIN/END markers); a quick run never writes the docs (its short cases would
replace the full rows). Speeds are ratios measured side by side in one run; nothing here is
asserted by the tests.
"""

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks import kernels, sim_speed
from cimsim.progress import Status

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- BEGIN measured -->", "<!-- END measured -->"


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark (quick: a few seconds each) and record the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI-sized cases (print only)")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="write benchmarks/results.json and the table of docs/performance.md (full runs)",
    )
    args = parser.parse_args(argv)
    if args.quick and args.write_docs:
        parser.error("--write-docs records full runs only; drop --quick")
    with tempfile.TemporaryDirectory() as scratch:
        kernel_json = Path(scratch) / "kernels.json"
        with Status("benchmarks: crossbar kernels"):
            kernels.main(["--json", str(kernel_json), *(["--quick"] if args.quick else [])])
        with Status("benchmarks: simulator speed"):
            speed = sim_speed.measure(args.quick)
        results = {"simulator": speed, "kernels": json.loads(kernel_json.read_text())}
    table = sim_speed.markdown(speed)
    print(table)
    if args.write_docs:
        RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        _replace_section(PERFORMANCE_DOC, table, "full")
        print(f"wrote {RESULTS.relative_to(ROOT)} and {PERFORMANCE_DOC.relative_to(ROOT)}")
    return 0


def _replace_section(path: Path, table: str, mode: str) -> None:
    text = path.read_text() if path.exists() else f"{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    command = "python -m benchmarks" + (" --quick" if mode == "quick" else "")
    body = f"{BEGIN}\n_Measured by `{command}`._\n\n{table}\n{END}"
    path.write_text(head + body + tail)


if __name__ == "__main__":
    sys.exit(main())
