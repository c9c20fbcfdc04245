"""Wall time of this tree beside another revision, measured side by side in one run.

    python -m benchmarks.revisions --base REV [--repeats N] [--quick] [--json FILE]

A refactor must not make cimsim slower: each case runs as a whole ``cimsim run`` process
(imports included, as a user runs it) of the base revision (a temporary git worktree) and of
this tree, alternately, ``--repeats`` times; the table gives the median wall time of each
and their ratio. The cases use only options every revision since the first release accepts.
Machines here are noisy: read the ratios, not the seconds.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("resnet18 isaac layer_by_layer", ("--arch", "isaac", "--workload", "resnet18")),
    ("resnet18 isaac pipelined b8", ("--arch", "isaac", "--workload", "resnet18",
                                     "--scheduler", "pipelined", "--batch", "8")),
    ("resnet18 isaac cross_layer greedy", ("--arch", "isaac", "--workload", "resnet18",
                                           "--scheduler", "cross_layer", "--duplication",
                                           "greedy")),
    ("resnet50 isaac pipelined b8", ("--arch", "isaac", "--workload", "resnet50",
                                     "--scheduler", "pipelined", "--batch", "8")),
    ("resnet50 isaac pipelined b8 estimate", ("--arch", "isaac", "--workload", "resnet50",
                                              "--scheduler", "pipelined", "--batch", "8",
                                              "--mode", "estimate")),
    ("vgg8 compact_4x4 weight_reuse HT b16", ("--arch", "compact_4x4", "--workload", "vgg8",
                                              "--scheduler", "weight_reuse", "--reuse-mode",
                                              "HT", "--duplication", "dynamic", "--batch",
                                              "16")),
    ("gpt2_decode 12 blocks kv1024 RP", ("--arch", "isaac", "--workload",
                                         "gpt2_decode:blocks=12,kv_len=1024", "--scheduler",
                                         "weight_reuse", "--reuse-mode", "RP")),
)  # fmt: skip
QUICK = ("resnet18 isaac layer_by_layer", "resnet18 isaac pipelined b8")


def _wall_s(tree: Path, args: Sequence[str]) -> float:
    """Wall time of one ``cimsim run`` process of the code in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "cimsim", "run", *args, "--quiet"]
    start = time.perf_counter()
    subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(base: str, repeats: int, quick: bool) -> dict:
    """Median wall times of every case for ``base`` and this tree, and their ratios."""
    cases = [c for c in CASES if not quick or c[0] in QUICK]
    with tempfile.TemporaryDirectory(prefix="cimsim-base-") as folder:
        tree = Path(folder) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), base],
                       check=True, capture_output=True)  # fmt: skip
        try:
            rows = []
            for label, args in cases:
                walls: dict[str, list[float]] = {"base": [], "this": []}
                for repeat in range(repeats):  # alternate which goes first
                    order = (("base", tree), ("this", ROOT))
                    for side, where in order if repeat % 2 == 0 else order[::-1]:
                        walls[side].append(_wall_s(where, args))
                base_s, this_s = (statistics.median(walls[s]) for s in ("base", "this"))
                rows.append({"case": label, "base_s": base_s, "this_s": this_s,
                             "ratio": this_s / base_s})  # fmt: skip
                print(
                    f"{label:42s} base {base_s:6.2f} s  this {this_s:6.2f} s  "
                    f"ratio {this_s / base_s:.2f}",
                    flush=True,
                )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)  # fmt: skip
    return {"base": base, "repeats": repeats, "cpu": platform.processor() or platform.machine(),
            "cases": rows}  # fmt: skip


def markdown(result: dict) -> str:
    """The comparison as a markdown table."""
    lines = [
        f"| case (`cimsim run` process) | base {result['base'][:10]} | this tree | ratio |",
        "|---|---|---|---|",
    ]
    for row in result["cases"]:
        lines.append(f"| {row['case']} | {row['base_s']:.2f} s | {row['this_s']:.2f} s "
                     f"| {row['ratio']:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.revisions", description=__doc__)
    parser.add_argument("--base", required=True, help="git revision to compare with")
    parser.add_argument("--repeats", type=int, default=3, help="runs per side (default 3)")
    parser.add_argument("--quick", action="store_true", help="two small cases")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    result = measure(args.base, args.repeats, args.quick)
    print(markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
