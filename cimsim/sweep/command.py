"""The ``cimsim sweep`` subcommand: its arguments and what it does with them.

The runner (Dask) and the Pareto plot (matplotlib) are imported when a sweep runs, not when
the command line is built."""

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cimsim import progress

RESULTS_NAME = "results.parquet"
"""cimsim.sweep.store.RESULTS_NAME, written out so that building the parser imports nothing."""

SHOWN_FAILURES = 5
"""Failed points listed after a sweep; the rest are in the results table."""


def add_sweep_parser(
    subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
) -> argparse.ArgumentParser:
    """Add ``sweep SWEEP.yaml --out DIR [--workers N] [--scheduler-address ADDR] [--plot]``
    to the subcommands ``subparsers`` (what ``add_subparsers`` returned); ``parents`` carry
    the global flags."""
    sweep = subparsers.add_parser(
        "sweep",
        parents=list(parents),
        help="run a design-space sweep on Dask (see docs/sweeps.md)",
        description=(
            "Simulate every point of a sweep file on a Dask cluster, writing DIR/results.parquet "
            "as points finish. Rerunning with the same --out skips finished points."
        ),
    )
    sweep.add_argument("sweep_file", type=Path, metavar="SWEEP.yaml", help="the sweep file")
    sweep.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help=f"directory for {RESULTS_NAME} and per-point parts (reused to resume)",
    )
    sweep.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes of the local Dask cluster (default: one per CPU, at most one "
        "per point); ignored with --scheduler-address",
    )
    sweep.add_argument(
        "--scheduler-address",
        metavar="tcp://HOST:PORT",
        help="address of a running Dask scheduler to use instead of a local cluster (the Dask "
        "scheduler; --scheduler of `cimsim run` is the scheduling policy, swept as an axis)",
    )
    sweep.add_argument(
        "--plot", action="store_true", help="also write the Pareto front as pareto.png and .svg"
    )
    return sweep


def run_sweep_command(args: argparse.Namespace) -> int:
    """Run the sweep ``args`` describe, print a one-line tally; CimsimErrors propagate."""
    from cimsim.sweep.evaluate import OK
    from cimsim.sweep.plot import plot_pareto
    from cimsim.sweep.runner import run_sweep
    from cimsim.sweep.store import varying_axes

    results = run_sweep(
        args.sweep_file,
        args.out,
        workers=args.workers,
        scheduler_address=args.scheduler_address,
        progress=progress.enabled(),
    )
    ok = int((results["status"] == OK).sum())
    failed = results[results["status"] != OK]
    print(f"{len(results)} points: {ok} ok, {len(failed)} failed; {args.out / RESULTS_NAME}")
    axes = varying_axes(results)
    for _, row in failed.head(SHOWN_FAILURES).iterrows():
        point = ", ".join(f"{name}={row[name]}" for name in axes) or row["key"][:12]
        print(f"  failed {point}: {row['error_type']}: {row['error']}")
    if len(failed) > SHOWN_FAILURES:
        print(f"  ... and {len(failed) - SHOWN_FAILURES} more (see the error column)")
    if args.plot:
        written = plot_pareto(results, args.out)
        print(f"plots written to {', '.join(str(p) for p in written)}")
    return 0
