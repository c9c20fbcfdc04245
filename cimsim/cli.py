"""The command line: argument parsing and error reporting, nothing else.

``main(argv) -> int`` is the testable entry point; every CimsimError becomes a one-paragraph
message on stderr and exit code 2. Figures (matplotlib) and sweeps (Dask) are imported by
the commands that use them, so ``cimsim run`` starts without them (docs/performance.md).
"""

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cimsim import __version__
from cimsim.analysis.files import partial_path
from cimsim.analysis.rundir import open_run
from cimsim.config import load_arch, preset_names
from cimsim.config.dump import arch_file_dict
from cimsim.errors import CimsimError
from cimsim.limits import MAX_FUNCTIONAL_BATCH, check_integer
from cimsim.mapper import DUPLICATIONS, PLACEMENTS
from cimsim.options import RunOptions
from cimsim.report import (
    describe_arch_text,
    export_trace,
    parse_input_shapes,
    run_summary_text,
    workload_table_text,
    workloads_list_text,
)
from cimsim.runs import (
    add_functional,
    load_workload,
    load_workload_with_weights,
    run,
    write_results,
)
from cimsim.scheduler import SCHEDULERS
from cimsim.sweep.command import add_sweep_parser, run_sweep_command
from cimsim.trace import TraceLevel

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="cimsim",
        description="Cycle-level simulator of tiled RRAM compute-in-memory chips.",
    )
    parser.add_argument("--version", action="version", version=f"cimsim {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="simulate a network on an architecture")
    _arch_arguments(run)
    run.add_argument(
        "--workload",
        required=True,
        help="built-in network name, with parameters if wanted (bert_base:layers=12,seq_len=128;"
        " see `cimsim workloads list`), or path of an .onnx file",
    )
    run.add_argument(
        "--input-shape",
        action="append",
        default=[],
        metavar="NAME=DIMS",
        help="static shape of an ONNX input without batch, e.g. input=3x224x224 (repeatable)",
    )
    run.add_argument(
        "--scheduler",
        default="layer_by_layer",
        choices=list(SCHEDULERS),
        help="layer_by_layer (a barrier after every layer); pipelined (inter-layer pipeline "
        "across a batch); cross_layer (CLSA-CIM: each output row as soon as its inputs "
        "exist); weight_reuse (compact chips that cannot hold every weight: the network in "
        "parts, see --reuse-mode) (default: %(default)s)",
    )
    run.add_argument(
        "--reuse-mode",
        default=None,
        choices=["RP", "LL", "HT"],
        help="weight_reuse only: RP (parts run layer after layer per input), LL (each layer "
        "gets the whole chip in turn), HT (a part's layers pipelined across the batch) "
        "(default: HT)",
    )
    run.add_argument(
        "--duplication",
        default="none",
        choices=list(DUPLICATIONS),
        help="weight duplication policy: none; greedy (CLSA-CIM: copy the slowest layer "
        "while PEs are free); dynamic (compact-chip bubble mitigation: copy the layer with "
        "the longest predicted stage); neurosim (each layer fills its whole tiles) "
        "(default: %(default)s)",
    )
    run.add_argument(
        "--extra-pes",
        type=int,
        default=None,
        metavar="N",
        help="PEs duplication may use beyond one copy of every layer (default: all free)",
    )
    run.add_argument(
        "--placement",
        default="in_order",
        choices=list(PLACEMENTS),
        help="order in which PEs are handed out over the mesh: in_order (row-major), "
        "snake, hilbert (default: %(default)s)",
    )
    run.add_argument("--batch", type=int, default=1, help="inferences per run (default: 1)")
    run.add_argument(
        "--mode",
        default="event",
        choices=["event", "estimate"],
        help="event: cycle-level SimPy run; estimate: closed-form timing of the same "
        "program without contention, for fast sweeps (default: %(default)s)",
    )
    run.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    run.add_argument(
        "--functional",
        action="store_true",
        help="also compute the network numerically through its mapped crossbars (INT8, the "
        "architecture's ADC and devices; seeded random weights and inputs) and report "
        "per-layer errors against exact integer and float (OUT/functional.csv)",
    )
    run.add_argument(
        "--functional-batch",
        type=int,
        default=4,
        metavar="N",
        help="inputs of the --functional run (default: %(default)s)",
    )
    run.add_argument("--out", type=Path, help="directory for summary.json and layers.csv")
    run.add_argument(
        "--trace",
        default="off",
        choices=[t.value for t in TraceLevel],
        help="interval records besides counters: off; summary (PE busy/idle with causes); "
        "full (also NoC, buffers, DRAM). Saved as trace.parquet in --out (default: off)",
    )
    run.add_argument("--plots", action="store_true", help="write figures into OUT/plots")
    run.add_argument("--quiet", action="store_true", help="print no summary table")

    trace = commands.add_parser("trace", help="export the trace of a run")
    trace.add_argument("run_dir", type=Path, help="a directory written by `cimsim run --out`")
    trace.add_argument(
        "--format",
        default="perfetto",
        choices=["perfetto", "parquet", "csv"],
        help="perfetto: Chrome trace-event JSON for ui.perfetto.dev (default: %(default)s)",
    )
    trace.add_argument("--output", type=Path, help="file to write (default: in the run dir)")

    plot = commands.add_parser("plot", help="draw the figures of a run (PNG and SVG)")
    plot.add_argument("run_dir", type=Path, help="a directory written by `cimsim run --out`")
    plot.add_argument("--output", type=Path, help="directory for figures (default: RUN/plots)")

    describe = commands.add_parser("describe", help="print a resolved architecture")
    describe.add_argument(
        "arch",
        nargs="?",
        help=f"preset ({', '.join(preset_names())}) or .yaml file; omitted: list the presets",
    )
    describe.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field, e.g. tile.adc.bits=6 (repeatable)",
    )
    describe.add_argument("--json", action="store_true", help="machine-readable output")

    workloads = commands.add_parser("workloads", help="list or show networks")
    which = workloads.add_subparsers(dest="action", required=True, metavar="ACTION")
    which.add_parser("list", help="the built-in networks")
    show = which.add_parser("show", help="the layer table of a network")
    show.add_argument(
        "workload", help="built-in name, with parameters if wanted (vgg8:classes=100), or .onnx"
    )
    show.add_argument(
        "--input-shape",
        action="append",
        default=[],
        metavar="NAME=DIMS",
        help="static shape of an ONNX input, e.g. input=3x224x224",
    )

    add_sweep_parser(commands)
    return parser


def _arch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--arch",
        default="isaac",
        help=f"preset ({', '.join(preset_names())}) or .yaml file (default: %(default)s)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field, e.g. tile.adc.bits=6 (repeatable)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return _dispatch(args)
    except CimsimError as exc:
        print(f"cimsim: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("cimsim: interrupted; no result file was left half-written", file=sys.stderr)
        return EXIT_INTERRUPTED


def _setup_logging(verbose: bool) -> None:
    """cimsim's log records to the current stderr: INFO with -v, warnings otherwise."""
    logger = logging.getLogger("cimsim")
    for handler in list(logger.handlers):
        if getattr(handler, "cimsim_cli", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.cimsim_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        return _run(args)
    if args.command == "trace":
        written = export_trace(open_run(args.run_dir), args.format, args.output)
        print(f"trace written to {written}")
        return 0
    if args.command == "sweep":
        return run_sweep_command(args)
    if args.command == "plot":
        from cimsim.plots import plot_run

        written = plot_run(open_run(args.run_dir), args.output)
        print(f"figures written to {written[0].parent}")
        return 0
    if args.command == "describe":
        if args.arch is None:
            print("presets: " + ", ".join(preset_names()))
            return 0
        arch = load_arch(args.arch, args.set)
        if args.json:
            print(json.dumps(arch_file_dict(arch), indent=2))  # loads back as a file
        else:
            print(describe_arch_text(arch))
        return 0
    if args.action == "list":
        print(workloads_list_text())
        return 0
    graph = load_workload(args.workload, parse_input_shapes(args.input_shape))
    print(workload_table_text(graph))
    return 0


def _run(args: argparse.Namespace) -> int:
    if (args.trace != "off" or args.plots) and args.out is None:
        raise CimsimError("--trace and --plots need --out DIR to write into")
    if args.functional:  # refused before the timing run, not after it
        check_integer("--functional-batch", args.functional_batch, 1, MAX_FUNCTIONAL_BATCH)
    arch = load_arch(args.arch, args.set)
    options = RunOptions.create(
        scheduler=args.scheduler,
        reuse_mode=args.reuse_mode,
        duplication=args.duplication,
        extra_pes=args.extra_pes,
        placement=args.placement,
        batch=args.batch,
        seed=args.seed,
        mode=args.mode,
        trace=args.trace,
    )
    shapes = parse_input_shapes(args.input_shape)
    if args.functional:  # an ONNX file's own weights, read with its graph
        graph, weights = load_workload_with_weights(args.workload, shapes)
    else:  # timing reads no weight data
        graph, weights = load_workload(args.workload, shapes), None
    spill = None if args.out is None else partial_path(".trace.partial.parquet")
    result = run(arch, graph, options, progress=True, spill_path=spill)
    if args.functional:
        result = add_functional(result, graph, args.functional_batch, weights)
    if not args.quiet:
        print(run_summary_text(result))
    if args.out is not None:
        written = write_results(result, args.out, args.workload, shapes)
        print(f"results written to {', '.join(str(p) for p in written)}")
        if args.plots:
            from cimsim.plots import plot_run

            figures = plot_run(open_run(args.out))
            print(f"figures written to {figures[0].parent}")
    return 0


def entry_point() -> None:
    """Console-script entry: exit with main()'s code (quietly when the reader hangs up)."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `cimsim run ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)
