"""The command line: argument parsing and error reporting, nothing else.

``main(argv) -> int`` is the testable entry point; every CimsimError becomes a one-paragraph
message on stderr and exit code 2. Building the parser imports nothing but the standard
library and ``cimsim.names`` (``cimsim --help`` answers in a fraction of a second); each
command imports what it uses when it runs: the simulator, matplotlib for figures, Dask for
sweeps (docs/performance.md).

Global flags (``-v``, ``-q``/``--quiet``, ``--json``) are accepted before or after the
subcommand. Progress goes to stderr, only on a terminal and never with ``--quiet``
(cimsim.progress); with ``--json`` stdout carries only the JSON document and every other
line goes to stderr.
"""

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cimsim import __version__, progress
from cimsim.names import (
    DUPLICATIONS,
    MODES,
    PLACEMENTS,
    REUSE_MODES,
    SCHEDULERS,
    TRACE_LEVELS,
    preset_names,
)
from cimsim.sweep.command import add_sweep_parser

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="cimsim",
        description="Cycle-level simulator of tiled RRAM compute-in-memory chips.",
        epilog="Global flags (-v, -q, --json) go before or after the command. "
        "Outputs are described in docs/outputs.md.",
    )
    parser.add_argument("--version", action="version", version=f"cimsim {__version__}")
    _global_flags(parser, suppress=False)
    flags = [_global_flags(argparse.ArgumentParser(add_help=False), suppress=True)]
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", parents=flags, help="simulate a network on an architecture")
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
        choices=SCHEDULERS,
        help="layer_by_layer (a barrier after every layer); pipelined (inter-layer pipeline "
        "across a batch); cross_layer (CLSA-CIM: each output row as soon as its inputs "
        "exist); weight_reuse (compact chips that cannot hold every weight: the network in "
        "parts, see --reuse-mode) (default: %(default)s)",
    )
    run.add_argument(
        "--reuse-mode",
        default=None,
        choices=REUSE_MODES,
        help="weight_reuse only: RP (parts run layer after layer per input), LL (each layer "
        "gets the whole chip in turn), HT (a part's layers pipelined across the batch) "
        "(default: HT)",
    )
    run.add_argument(
        "--duplication",
        default="none",
        choices=DUPLICATIONS,
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
        choices=PLACEMENTS,
        help="order in which PEs are handed out over the mesh: in_order (row-major), "
        "snake, hilbert (default: %(default)s)",
    )
    run.add_argument("--batch", type=int, default=1, help="inferences per run (default: 1)")
    run.add_argument(
        "--mode",
        default="event",
        choices=MODES,
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
    run.add_argument(
        "--out", type=Path, help="directory for summary.json, layers.csv (docs/outputs.md)"
    )
    run.add_argument(
        "--trace",
        default="off",
        choices=TRACE_LEVELS,
        help="interval records besides counters: off; summary (PE busy/idle with causes); "
        "full (also NoC, buffers, DRAM). Saved as trace.parquet in --out (default: off)",
    )
    run.add_argument("--plots", action="store_true", help="write figures into OUT/plots")

    _trace_parser(commands, flags)

    plot = commands.add_parser(
        "plot",
        parents=flags,
        help="draw the figures of a run (PNG and SVG)",
        description="Draw a run's figures (docs/outputs.md says what each shows). "
        "utilization_mesh, data_movement and energy need only the run; timeline and "
        "bubbles need its trace (cimsim run --trace summary or full); the timeline's NoC "
        "and memory traffic needs --trace full.",
    )
    plot.add_argument("run_dir", type=Path, help="a directory written by `cimsim run --out`")
    plot.add_argument("--output", type=Path, help="directory for figures (default: RUN/plots)")

    describe = commands.add_parser("describe", parents=flags, help="print a resolved architecture")
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

    schema = commands.add_parser(
        "schema",
        parents=flags,
        help="print the JSON Schema of architecture files (editor completion)",
        description="Print the JSON Schema of an architecture file, for editors that "
        "complete and check YAML (docs/tutorial.md, section 'Your own chip').",
    )
    schema.add_argument("--output", type=Path, help="file to write (default: stdout)")

    workloads = commands.add_parser("workloads", parents=flags, help="list or show networks")
    which = workloads.add_subparsers(dest="action", required=True, metavar="ACTION")
    which.add_parser("list", parents=flags, help="the built-in networks")
    show = which.add_parser("show", parents=flags, help="the layer table of a network")
    show.add_argument(
        "workload", help="built-in name, with parameters if wanted (vgg8:classes=100), or .onnx"
    )
    show.add_argument(
        "--input-shape",
        action="append",
        default=[],
        metavar="NAME=DIMS",
        help="static shape of an ONNX input without batch, e.g. input=3x224x224",
    )

    add_sweep_parser(commands, flags)
    return parser


def _global_flags(parser: argparse.ArgumentParser, suppress: bool) -> argparse.ArgumentParser:
    """Add -v, -q and --json to ``parser``. On subcommands (``suppress``) an absent flag
    leaves the value the main parser set, so a flag counts wherever it is given."""
    default: Any = argparse.SUPPRESS if suppress else False
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="log progress details"
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="no progress display and no summary table (progress is shown only on a terminal)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=default,
        help="machine-readable output on stdout: a run's summary.json, an architecture "
        "file (describe); other messages go to stderr",
    )
    return parser


def _trace_parser(commands: Any, flags: list[argparse.ArgumentParser]) -> None:
    trace = commands.add_parser(
        "trace",
        parents=flags,
        help="export the trace of a run",
        description="Export a run's trace (cimsim run --trace summary|full). perfetto writes "
        "gzip-compressed Chrome trace-event JSON (open it in ui.perfetto.dev as it is), "
        "streamed so memory stays bounded; the filters keep a part of a large trace.",
    )
    trace.add_argument("run_dir", type=Path, help="a directory written by `cimsim run --out`")
    trace.add_argument(
        "--format",
        default="perfetto",
        choices=["perfetto", "parquet", "csv"],
        help="perfetto: trace-event JSON for ui.perfetto.dev (trace.json.gz); parquet or csv: "
        "the trace columns (docs/outputs.md) (default: %(default)s)",
    )
    trace.add_argument("--output", type=Path, help="file to write (default: in the run dir)")
    trace.add_argument(
        "--tiles",
        metavar="LIST",
        help="only these tiles, e.g. 0-7,12 (chip-level memories and links out of them kept)",
    )
    trace.add_argument(
        "--layers", metavar="NAMES", help="only these layers, comma-separated, e.g. conv1,fc"
    )
    trace.add_argument(
        "--window",
        metavar="START:END",
        help="only intervals overlapping this time window in µs, e.g. 0:50 or 120: (clipped)",
    )
    trace.add_argument(
        "--uncompressed",
        action="store_true",
        help="perfetto: plain trace.json instead of gzip (about ten times larger)",
    )


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
    progress.set_enabled(not args.quiet)
    from cimsim.errors import CimsimError

    try:
        return _dispatch(args)
    except CimsimError as exc:
        print(f"cimsim: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("cimsim: interrupted; no result file was left half-written", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        progress.set_enabled(True)


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


def _say(args: argparse.Namespace, text: str) -> None:
    """A message for the reader: stdout, or stderr when stdout carries --json output."""
    print(text, file=sys.stderr if args.json else sys.stdout)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        return _run(args)
    if args.command == "trace":
        return _trace(args)
    if args.command == "sweep":
        from cimsim.sweep.command import run_sweep_command

        return run_sweep_command(args)
    if args.command == "plot":
        return _plot(args)
    if args.command == "describe":
        return _describe(args)
    if args.command == "schema":
        return _schema(args)
    from cimsim.report import parse_input_shapes, workload_table_text, workloads_list_text
    from cimsim.runs import load_workload

    if args.action == "list":
        print(workloads_list_text())
        return 0
    graph = load_workload(args.workload, parse_input_shapes(args.input_shape))
    print(workload_table_text(graph))
    return 0


def _describe(args: argparse.Namespace) -> int:
    from cimsim.config import load_arch
    from cimsim.config.dump import arch_file_dict
    from cimsim.report import describe_arch_text

    if args.arch is None:
        print("presets: " + ", ".join(preset_names()))
        return 0
    arch = load_arch(args.arch, args.set)
    if args.json:
        print(json.dumps(arch_file_dict(arch), indent=2))  # loads back as a file
    else:
        print(describe_arch_text(arch))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from cimsim.config.schema import arch_json_schema

    text = json.dumps(arch_json_schema(), indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        from cimsim.analysis.files import write_text_atomic

        write_text_atomic(args.output, text)
        print(f"schema written to {args.output}", file=sys.stderr)
    return 0


def _trace(args: argparse.Namespace) -> int:
    from cimsim.analysis.rundir import open_run
    from cimsim.report import export_trace
    from cimsim.trace.filters import TraceFilter

    selection = TraceFilter.parse(args.tiles, args.layers, args.window)
    with progress.Status("exporting the trace") as status:
        written = export_trace(
            open_run(args.run_dir), args.format, args.output, selection,
            compress=not args.uncompressed, status=status,
        )  # fmt: skip
    _say(args, f"trace written to {written} ({written.stat().st_size / 1e6:,.1f} MB)")
    return 0


def _plot(args: argparse.Namespace) -> int:
    from cimsim.analysis.rundir import open_run
    from cimsim.plots import TRACE_FIGURES, plot_run

    run = open_run(args.run_dir)
    with progress.Status("drawing figures") as status:
        written = plot_run(run, args.output, status=status)
    _say(args, f"figures written to {written[0].parent}")
    if not run.has_trace:
        needed = "rerun with cimsim run --trace summary (--trace full adds NoC and memory traffic)"
        _say(args, f"not drawn: {', '.join(TRACE_FIGURES)}: they need a trace; {needed}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from cimsim.analysis.files import partial_path
    from cimsim.config import load_arch
    from cimsim.errors import CimsimError
    from cimsim.limits import MAX_FUNCTIONAL_BATCH, check_integer
    from cimsim.options import RunOptions
    from cimsim.report import parse_input_shapes, run_summary_text
    from cimsim.runs import add_functional, load_workload, load_workload_with_weights, run

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
    with progress.Status(f"loading {args.workload}"):
        if args.functional:  # an ONNX file's own weights, read with its graph
            graph, weights = load_workload_with_weights(args.workload, shapes)
        else:  # timing reads no weight data
            graph, weights = load_workload(args.workload, shapes), None
    spill = None if args.out is None else partial_path(".trace.partial.parquet")
    result = run(arch, graph, options, progress=progress.enabled(), spill_path=spill)
    if args.functional:
        label = f"functional run: {graph.name}, {args.functional_batch} inputs"
        with progress.Status(label):
            result = add_functional(result, graph, args.functional_batch, weights)
    if args.json:
        print(json.dumps(result.summary, indent=2))
    elif not args.quiet:
        print(run_summary_text(result))
    if args.out is not None:
        from cimsim.runs import write_results

        with progress.Status(f"writing {args.out}"):
            written = write_results(result, args.out, args.workload, shapes)
        _say(args, f"results written to {', '.join(str(p) for p in written)}")
        if args.plots:
            from cimsim.analysis.rundir import open_run
            from cimsim.plots import plot_run

            with progress.Status("drawing figures") as status:
                figures = plot_run(open_run(args.out), status=status)
            _say(args, f"figures written to {figures[0].parent}")
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
