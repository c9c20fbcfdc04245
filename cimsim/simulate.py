"""Orchestration of one run: workload -> map -> schedule -> build -> simulate -> analyse."""

import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from cimsim import __version__
from cimsim.analysis.energy import energy_summary, price_counters
from cimsim.analysis.files import (
    remove_file,
    remove_leftovers,
    write_csv_atomic,
    write_json_atomic,
)
from cimsim.analysis.rundir import (
    FORMAT_VERSION,
    FUNCTIONAL_FILE,
    LAYERS_FILE,
    MANIFEST_FILE,
    RUN_FILES,
    SUMMARY_FILE,
    TRACE_FILE,
    manifest,
)
from cimsim.analysis.summary import busiest_link, bytes_per_level, layer_table, utilization
from cimsim.components.chip import Chip
from cimsim.components.executor import ProgramRunner
from cimsim.config.hardware import HardwareParams, chip_spec, hardware_params
from cimsim.config.model import ArchConfig
from cimsim.engine import Engine, collector_paused
from cimsim.errors import ConfigError, WorkloadInputError, brief
from cimsim.estimate import estimate
from cimsim.functional import LayerParams, run_functional
from cimsim.limits import check_run_settings, check_work
from cimsim.mapper import ChipMapping, map_network
from cimsim.paths import is_file
from cimsim.program import Program
from cimsim.scheduler import get_scheduler
from cimsim.trace import TraceLevel, TraceSink
from cimsim.trace.intervals import IntervalBuffer
from hwmodels.errors import HwModelError
from workloads.errors import WorkloadError
from workloads.ir import Graph
from workloads.shapes import GraphInfo, analyze

log = logging.getLogger(__name__)

WEIGHT_REUSE = "weight_reuse"
"""The scheduler for chips that cannot hold every weight (cimsim.compact)."""
MODES = ("event", "estimate")
"""Simulation modes: the event-driven engine, or the closed-form estimate."""


@dataclass(frozen=True)
class RunResult:
    """What a run produced: the summary (JSON-ready) and the per-layer table."""

    summary: dict[str, Any]
    layers: pd.DataFrame
    trace: IntervalBuffer | None = None
    """Interval records when the run traced them (saved by write_results)."""
    functional: pd.DataFrame | None = None
    """Per-layer errors of a functional run (cimsim.functional), saved as functional.csv."""


def is_onnx_file(spec: str) -> bool:
    """Whether a ``--workload`` names an ONNX file (rather than a built-in network)."""
    return spec.endswith(".onnx") or is_file(spec)


def load_workload(spec: str, input_shapes: dict[str, tuple[int, ...]] | None = None) -> Graph:
    """A built-in network by name (with parameters: ``bert_base:layers=12``, see
    ``workloads.zoo.parse_spec``), or an ONNX file by path (its weights unread: timing needs
    only their shapes); errors name what is wrong."""
    try:
        if is_onnx_file(spec):
            from workloads.onnx_import import load_onnx

            return load_onnx(spec, input_shapes)
        from workloads import zoo

        return zoo.from_spec(spec)
    except WorkloadError as exc:
        raise WorkloadInputError(str(exc)) from None


def load_workload_with_weights(
    spec: str, input_shapes: dict[str, tuple[int, ...]] | None = None
) -> tuple[Graph, dict[str, LayerParams] | None]:
    """``load_workload``'s Graph and, for an ONNX file, its own parameter values from the same
    read (None for built-in networks: a functional run seeds theirs)."""
    try:
        if is_onnx_file(spec):
            from workloads.onnx_import import import_onnx

            return import_onnx(spec, input_shapes)
        from workloads import zoo

        return zoo.from_spec(spec), None
    except WorkloadError as exc:
        raise WorkloadInputError(str(exc)) from None


@collector_paused()
def simulate(
    arch: ArchConfig,
    graph: Graph,
    scheduler: str = "layer_by_layer",
    batch: int = 1,
    seed: int = 0,
    duplication: str = "none",
    placement: str = "in_order",
    extra_pes: int | None = None,
    progress: bool = False,
    fine_grained: bool = False,
    trace: TraceLevel | str = TraceLevel.OFF,
    spill_path: Path | None = None,
    mode: str = "event",
    reuse_mode: str = "HT",
) -> RunResult:
    """Simulate ``batch`` inferences of ``graph`` on ``arch`` and summarise the run.

    ``fine_grained`` makes every MVM its own event even where nothing can interleave, and
    queues at ``simpy.Resource`` ports instead of FifoPorts (the reference run that coarse
    events and fast ports must match exactly; slower). ``trace`` picks what is
    recorded besides counters; long traces spill to ``spill_path`` as they grow.
    ``mode`` "estimate" times the same program in closed form instead (no events; no
    queueing, but never below the busiest port's busy time; see cimsim.estimate). The
    ``weight_reuse`` scheduler (compact chips that cannot hold every weight) runs the
    network in parts, ``reuse_mode`` RP, LL or HT (cimsim.compact).
    """
    if mode not in MODES:
        raise ConfigError(f"--mode {brief(mode)}: choices are {', '.join(MODES)}")
    check_run_settings(batch, seed, extra_pes)
    if scheduler == WEIGHT_REUSE:
        from cimsim.compact import run_weight_reuse  # compact builds on this module

        return run_weight_reuse(arch, graph, batch, reuse_mode, duplication, seed, trace,
                                placement, mode, spill_path)  # fmt: skip
    schedule = get_scheduler(scheduler)
    info, hw, level = prepare(arch, graph, trace)
    check_work(info, batch)
    mapping = map_network(info, arch, hw, duplication, placement, extra_pes)
    program = schedule(info, mapping, arch, batch)
    log.info(
        "%s on %s: %d crossbars in %d PEs (%s duplication, %s placement); %s: %d tasks",
        graph.name, arch.name, mapping.crossbars_used, mapping.pes_used, duplication,
        placement, scheduler, len(program.tasks),
    )  # fmt: skip
    if mode == "estimate":
        if level is not TraceLevel.OFF:
            raise ConfigError("--mode estimate records no trace; use --trace off")
        sink = TraceSink()
        bits = arch.precision.activation_bits
        timing = estimate(program, mapping, info, hw, arch.chip.mesh.cols, bits, sink)
        starts, ends = timing.layer_start_cycles, timing.layer_end_cycles
        total_cycles, events = timing.total_cycles, 0
    else:
        sink = TraceSink(level, spill_path)
        starts, ends, total_cycles, events = _run_events(
            arch, hw, info, mapping, program, sink, seed, progress, fine_grained, graph.name
        )
    log.info("%s run: %d cycles, %d SimPy events", mode, total_cycles, events)
    tasks, mvm_tasks = len(program.tasks), crossbar_tasks(program, info)
    facts = RunFacts(scheduler, batch, seed, events, total_cycles, tasks, mode, mvm_tasks)
    result = summarize_run(arch, info, mapping, sink, facts, starts, ends)
    if mode == "estimate":
        result.summary["estimate_bound"] = timing.bound
    return result


def prepare(
    arch: ArchConfig, graph: Graph, trace: TraceLevel | str
) -> tuple[GraphInfo, HardwareParams, TraceLevel]:
    """Shapes of the network, hardware parameters and trace level, every one checked.

    A chip that cannot be priced fails here, before any simulation.
    """
    try:
        level = TraceLevel(trace)
    except ValueError:
        choices = ", ".join(t.value for t in TraceLevel)
        raise ConfigError(f"--trace {brief(trace)}: choices are {choices}") from None
    try:
        info = analyze(graph)
        hw = hardware_params(arch)
    except WorkloadError as exc:
        raise WorkloadInputError(str(exc)) from None
    except HwModelError as exc:
        raise ConfigError(f"{arch.name}: {exc}") from None
    chip_spec(arch, hw)
    return info, hw, level


@dataclass(frozen=True)
class RunFacts:
    """What a finished run was and how long it took (the inputs of its summary)."""

    scheduler: str
    batch: int
    seed: int
    events: int
    total_cycles: int
    tasks: int
    mode: str
    crossbar_tasks: int
    """Tasks of crossbar (MVM) layers, the work units events are counted against."""


def crossbar_tasks(program: Program, info: GraphInfo) -> int:
    """How many of ``program``'s tasks are crossbar (MVM) work."""
    return sum(1 for task in program.tasks if info.by_name[task.layer].is_mvm)


def summarize_run(
    arch: ArchConfig,
    info: GraphInfo,
    mapping: ChipMapping,
    sink: TraceSink,
    facts: RunFacts,
    starts: dict[str, int],
    ends: dict[str, int],
) -> RunResult:
    """Per-layer table, summary and energy of a finished run (event, estimate or parts)."""
    hw = hardware_params(arch)
    spec, pricing = chip_spec(arch, hw)
    layers = layer_table(info, mapping, sink, starts, ends)
    summary = _summary(
        arch, info, facts.scheduler, facts.batch, facts.seed, mapping, sink, facts.events,
        facts.total_cycles,
    )  # fmt: skip
    pe_fraction, tile_fraction = _powered_fractions(arch, mapping)
    duration_ns = facts.total_cycles / hw.clock_ghz
    report = price_counters(sink.counters(), spec, duration_ns, pe_fraction, tile_fraction)
    summary.update(energy_summary(report, spec, pricing, facts.batch))
    layers["energy_pj"] = [report.by_layer_pj.get(name, 0.0) for name in layers["layer"]]
    summary["tasks"] = facts.tasks
    summary["crossbar_tasks"] = facts.crossbar_tasks
    summary["trace_level"] = sink.level.value
    summary["mode"] = facts.mode
    return RunResult(summary=summary, layers=layers, trace=sink.intervals)


def _run_events(
    arch: ArchConfig,
    hw: HardwareParams,
    info: GraphInfo,
    mapping: ChipMapping,
    program: Program,
    sink: TraceSink,
    seed: int,
    progress: bool,
    fine_grained: bool,
    label: str,
) -> tuple[dict[str, int], dict[str, int], int, int]:
    """Run the program on the SimPy engine: (layer starts, layer ends, cycles, events)."""
    engine = Engine(hw.clock_ghz, seed, reference_ports=fine_grained)
    chip = Chip(engine, sink, arch, hw, mapping.input_tile)
    bar = tqdm(
        total=len(program.tasks),
        desc=f"{label} on {arch.name}",
        unit="task",
        delay=1.0,
        disable=not (progress and sys.stderr.isatty()),
        leave=False,
    )
    runner = ProgramRunner(
        engine,
        chip,
        program,
        mapping,
        info,
        arch.precision.activation_bits,
        on_task_done=bar.update,
        fine_grained=fine_grained,
    )
    runner.start()
    try:
        total_cycles = engine.run()
    except BaseException:
        if sink.intervals is not None:
            sink.intervals.discard()
        raise
    finally:
        bar.close()
    unfinished = sum(1 for event in runner.done if not event.triggered)
    if unfinished:  # a scheduler bug, never a user error: fail loudly
        raise RuntimeError(f"{unfinished} tasks never ran: the program has a dependency cycle")
    starts, ends = runner.layer_start_cycles, runner.layer_end_cycles
    return starts, ends, total_cycles, engine.events_processed


def _summary(
    arch: ArchConfig,
    info: GraphInfo,
    scheduler: str,
    batch: int,
    seed: int,
    mapping: ChipMapping,
    sink: TraceSink,
    events: int,
    total_cycles: int,
) -> dict[str, Any]:
    latency_s = total_cycles / (arch.clock.frequency_ghz * 1e9)
    return {
        "format_version": FORMAT_VERSION,
        "cimsim_version": __version__,
        "arch": arch.name,
        "workload": info.name,
        "scheduler": scheduler,
        "duplication": mapping.duplication,
        "placement": mapping.placement,
        "batch": batch,
        "seed": seed,
        "clock_ghz": arch.clock.frequency_ghz,
        "mesh": [arch.chip.mesh.rows, arch.chip.mesh.cols],
        "pes_per_tile": arch.tile.pes,
        "total_cycles": total_cycles,
        "latency_s": latency_s,
        "throughput_inferences_per_s": batch / latency_s if latency_s > 0 else 0.0,
        "macs_per_inference": info.total_macs,
        "events_processed": events,
        "crossbars_used": mapping.crossbars_used,
        "crossbars_total": mapping.crossbars_total,
        "pes_used": mapping.pes_used,
        "pes_total": mapping.pes_total,
        "utilization": utilization(sink, mapping, arch.tiles, total_cycles),
        "busiest_link": busiest_link(sink),
        "tile_busy_cycles": [sink.tile_busy_cycles().get(t, 0) for t in range(arch.tiles)],
        "tile_buffer_peak_bytes": max(sink.buffer_peaks().values(), default=0),
        "tile_buffers_over_capacity": sorted(
            t for t, peak in sink.buffer_peaks().items() if peak > arch.tile.buffer.size_bytes
        ),
        "bytes": bytes_per_level(sink),
        "noc_injected_bytes": sink.total("noc", "injected_byte"),
        "noc_hops_per_byte": _ratio(sink.total("noc", "byte_hop"), sink.total("noc", "byte")),
        "adc_conversions": sink.total("adc", "conversion"),
        "crossbar_reads": sink.total("crossbar", "read"),
    }


def _powered_fractions(arch: ArchConfig, mapping: ChipMapping) -> tuple[float, float]:
    """Fractions of PEs and tiles that leak (all, or only those with work when gated)."""
    if arch.energy.power_gating == "none":
        return 1.0, 1.0
    tiles = {g.tile for ps in mapping.copies.values() for p in ps for g in p.groups}
    tiles |= set(mapping.digital_tiles.values())
    return mapping.pes_used / mapping.pes_total, len(tiles) / arch.tiles


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def add_functional(
    result: RunResult,
    arch: ArchConfig,
    graph: Graph,
    batch: int,
    seed: int,
    weights: Mapping[str, LayerParams] | None = None,
) -> RunResult:
    """``result`` plus a functional run of ``batch`` seeded inputs through the mapped
    crossbars (docs/functional.md): per-layer errors in ``functional``, the run's summary
    under ``summary["functional"]``. ``weights`` (an ONNX file's own, from
    ``load_workload_with_weights``) replace the seeded ones."""
    report = run_functional(arch, graph, batch=batch, seed=seed, weights=weights)
    summary = {**result.summary, "functional": report.summary}
    return replace(result, summary=summary, functional=report.layers)


def write_results(result: RunResult, out_dir: Path) -> list[Path]:
    """Write the run's files into ``out_dir``, each atomically, then its manifest.

    The manifest of an earlier run there goes first, so from then until the new manifest is
    written last (listing the files of this run and their sizes) the directory reads as
    incomplete (``analysis.rundir.open_run``): a crash never leaves old and new files that
    pass for one run. Run files of an earlier run that this one does not write go too, and
    so do temporary files that a killed writer left behind.
    """
    remove_file(out_dir / MANIFEST_FILE)
    remove_leftovers(out_dir, RUN_FILES)
    written = [out_dir / LAYERS_FILE]
    write_csv_atomic(written[0], result.layers)
    if result.functional is not None:
        written.append(out_dir / FUNCTIONAL_FILE)
        write_csv_atomic(written[-1], result.functional)
    if result.trace is not None:
        written.append(out_dir / TRACE_FILE)
        result.trace.save(written[-1])
    written.append(out_dir / SUMMARY_FILE)
    write_json_atomic(written[-1], result.summary)
    for name in RUN_FILES:
        if out_dir / name not in written:
            remove_file(out_dir / name)
    write_json_atomic(out_dir / MANIFEST_FILE, manifest(written))
    return written
