"""Runs on compact chips with weight reuse: parts one after another on one chip.

Chen & Yang (AICAS 2025; PAPERS.md s.3). The plan (``cimsim.scheduler.weight_reuse``)
cuts the network into parts. Every part runs on the same Engine, Chip and TraceSink, so
time, counters and traces continue from part to part: first its weights are loaded
(``cimsim.components.weights``: DRAM read, NoC, RRAM programming), then its Program runs
(one ProgramRunner per part) until the engine drains, then the next part starts. A part's
sub-network takes the tensors made by earlier parts as graph inputs, which the schedulers
keep in DRAM, and the executor writes a part's outputs to DRAM: activations that cross
parts go through DRAM.

Summary: the keys of ``simulate()`` (``mode`` is its timing mode, "event") plus
``reuse_mode`` (RP, LL or HT), ``parts`` (per part: layers, PEs,
weight bytes, copies, start, weight-load and end cycles), ``weight_load_cycles`` (sum over
parts), ``weight_load_bytes`` (DRAM bytes of weights), ``weight_loads`` (loads per batch)
and ``rram_cell_writes``. Utilization: ``pe`` = PE busy cycles / (chip PEs x total
cycles), as for simulate(); ``pe_mapped`` divides by the sum over parts of (PEs holding
weights x the part's cycles); ``crossbars_used`` and ``pes_used`` are the largest part's.
Energy is priced as in simulate() (counts x per-action energy + leakage over the whole
run), the RRAM programming of every part included (``rram`` / ``cell_write``).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cimsim.components.chip import Chip
from cimsim.components.executor import ProgramRunner
from cimsim.components.weights import WeightLoader
from cimsim.config.hardware import HardwareParams
from cimsim.config.model import ArchConfig
from cimsim.engine import Engine, Process
from cimsim.errors import CimsimError, ConfigError
from cimsim.estimate import estimate, estimate_weight_loads
from cimsim.limits import check_run_settings, check_work
from cimsim.mapper import ChipMapping, CopyPlacement, map_network, tile_layer
from cimsim.mapper.weight_loads import plan_weight_loads
from cimsim.program import Program
from cimsim.scheduler.layer_split import split_oversized_layers
from cimsim.scheduler.weight_reuse import (
    NAME,
    Part,
    check_mode,
    layer_weight_bytes,
    part_graph,
    part_scheduler,
    plan_parts,
)
from cimsim.simulate import RunFacts, RunResult, crossbar_tasks, prepare, summarize_run
from cimsim.trace import TraceLevel, TraceSink
from workloads.ir import Graph
from workloads.shapes import GraphInfo, analyze


@dataclass(frozen=True)
class PartRun:
    """When one part ran, cycles from the start of the run."""

    start_cycle: int
    """The part began loading its weights."""
    loaded_cycle: int
    """Its weights were programmed; its first task could start."""
    end_cycle: int
    """Its last output reached DRAM."""
    layer_start_cycles: dict[str, int]
    """When each of its layers started."""
    layer_end_cycles: dict[str, int]
    """When each of its layers' last output arrived."""


class _PartTimer(Protocol):
    """Times one part after another: the engine (_EventParts) or closed form."""

    events: int

    def run(
        self, part: Part, info: GraphInfo, mapping: ChipMapping, program: Program,
        sizes: dict[str, int],
    ) -> PartRun:  # fmt: skip
        """Load the part's weights (``sizes``: one copy per layer), then run its program."""


def run_weight_reuse(
    arch: ArchConfig,
    graph: Graph,
    batch: int = 1,
    mode: str = "HT",
    duplication: str = "dynamic",
    seed: int = 0,
    trace: TraceLevel | str = TraceLevel.OFF,
    placement: str = "in_order",
    timing: str = "event",
    spill_path: Path | None = None,
) -> RunResult:
    """Simulate ``batch`` inferences of ``graph`` on a compact ``arch`` with weight reuse.

    ``mode`` is RP, LL or HT (``cimsim.scheduler.weight_reuse``); ``duplication`` fills the
    PEs each part leaves free. ``timing`` "estimate" times every part in closed form
    (``cimsim.estimate``: its weight load, then its program) instead of running events.
    Long traces spill to ``spill_path`` as they grow (dropped if the run fails).
    Errors: CimsimError for an unknown mode, HT at batch 1, or a network that fits the chip
    whole (use pipelined, layer_by_layer or cross_layer).
    """
    mode = check_mode(mode)
    check_run_settings(batch, seed)
    if mode == "HT" and batch < 2:
        raise CimsimError(
            "weight_reuse mode HT pipelines the layers of a part across the batch and needs "
            "--batch 2 or more; at batch 1 use mode RP"
        )
    if timing == "estimate" and TraceLevel(trace) is not TraceLevel.OFF:
        raise ConfigError("--mode estimate records no trace; use --trace off")
    info, hw, level = prepare(arch, graph, trace)
    check_work(info, batch)
    split = split_oversized_layers(graph, info, arch, hw)
    if split is not graph:
        graph, info = split, analyze(split)
    bits = arch.precision.weight_bits
    encoding = arch.tile.crossbar.weight_encoding
    tilings = {layer.name: tile_layer(layer, hw.crossbar, bits, encoding)
               for layer in info.layers if layer.is_mvm}  # fmt: skip
    plan = plan_parts(info, tilings, arch, mode)
    schedule = part_scheduler(mode)
    sink = TraceSink(level, spill_path)
    timer: _PartTimer = (
        _EventParts(arch, hw, sink, seed) if timing == "event" else _EstimatedParts(arch, hw, sink)
    )
    mappings: list[ChipMapping] = []
    runs: list[PartRun] = []
    tasks = mvm_tasks = 0
    try:
        for part in plan.parts:
            sub_info = analyze(part_graph(graph, info, part))
            mapping = map_network(sub_info, arch, hw, duplication, placement)
            program = schedule(sub_info, mapping, arch, batch)
            tasks += len(program.tasks)
            mvm_tasks += crossbar_tasks(program, sub_info)
            sizes = {name: layer_weight_bytes(info, name, bits) for name in part.crossbar_layers}
            runs.append(timer.run(part, sub_info, mapping, program, sizes))
            mappings.append(mapping)
    except BaseException:
        if sink.intervals is not None:
            sink.intervals.discard()
        raise
    total_cycles = runs[-1].end_cycle
    starts = {name: c for run in runs for name, c in run.layer_start_cycles.items()}
    ends = {name: c for run in runs for name, c in run.layer_end_cycles.items()}
    merged = _merge(mappings)
    facts = RunFacts(NAME, batch, seed, timer.events, total_cycles, tasks, timing, mvm_tasks)
    result = summarize_run(arch, info, merged, sink, facts, starts, ends)
    compact = _compact_summary(plan.mode, plan.parts, mappings, runs, sink, arch.tiles,
                               total_cycles)  # fmt: skip
    compact["utilization"] = {**result.summary["utilization"], **compact["utilization"]}
    result.summary.update(compact)
    return result


class _EventParts:
    """Runs parts one after another on one Engine and Chip (module docstring)."""

    def __init__(self, arch: ArchConfig, hw: HardwareParams, sink: TraceSink, seed: int) -> None:
        self._arch, self._hw, self._sink = arch, hw, sink
        self._engine = Engine(hw.clock_ghz, seed)
        self._chip: Chip | None = None
        self._pe_free_since: dict[str, tuple[int, str]] = {}
        """(cycle, layer) of each traced PE's last task end so far."""

    @property
    def events(self) -> int:
        return self._engine.events_processed

    def run(
        self,
        part: Part,
        info: GraphInfo,
        mapping: ChipMapping,
        program: Program,
        sizes: dict[str, int],
    ) -> PartRun:
        """Load the part's weights, run its program until the engine drains."""
        engine = self._engine
        if self._chip is None:
            self._chip = Chip(engine, self._sink, self._arch, self._hw, mapping.input_tile)
        runner = ProgramRunner(
            engine, self._chip, program, mapping, info, self._arch.precision.activation_bits
        )
        start, loaded = engine.now_cycles, []
        loader = WeightLoader(self._chip)
        engine.process(_load_then_run(engine, loader, mapping, sizes, runner, loaded,
                                      self._pe_free_since))  # fmt: skip
        end = engine.run()
        if any(not event.triggered for event in runner.done):
            raise RuntimeError(f"part {part.index}: tasks never ran (a dependency cycle)")
        self._pe_free_since.update(runner.pe_free_since)
        return PartRun(start, loaded[0], end, runner.layer_start_cycles,
                       runner.layer_end_cycles)  # fmt: skip


class _EstimatedParts:
    """Times parts one after another in closed form (cimsim.estimate)."""

    events = 0

    def __init__(self, arch: ArchConfig, hw: HardwareParams, sink: TraceSink) -> None:
        self._arch, self._hw, self._sink = arch, hw, sink
        self._now = 0

    def run(
        self,
        part: Part,
        info: GraphInfo,
        mapping: ChipMapping,
        program: Program,
        sizes: dict[str, int],
    ) -> PartRun:
        """The part's weight load, then its program, from where the last part ended."""
        hw, cols = self._hw, self._arch.chip.mesh.cols
        loads = plan_weight_loads(mapping, sizes, hw.clock_ghz)
        start = self._now
        loaded = start + estimate_weight_loads(loads, hw, cols, mapping.input_tile, self._sink)
        bits = self._arch.precision.activation_bits
        timing = estimate(program, mapping, info, hw, cols, bits, self._sink)
        self._now = loaded + timing.total_cycles
        return PartRun(
            start, loaded, self._now,
            {name: loaded + c for name, c in timing.layer_start_cycles.items()},
            {name: loaded + c for name, c in timing.layer_end_cycles.items()},
        )  # fmt: skip


def _load_then_run(
    engine: Engine,
    loader: WeightLoader,
    mapping: ChipMapping,
    sizes: dict[str, int],
    runner: ProgramRunner,
    loaded: list[int],
    pe_free_since: dict[str, tuple[int, str]],
) -> Process:
    """Program the part's weights, note when that finished, then start its Program."""
    yield from loader.load(mapping, sizes, pe_free_since)
    loaded.append(engine.now_cycles)
    runner.start()


def _merge(mappings: list[ChipMapping]) -> ChipMapping:
    """One mapping holding every part's layers (for the per-layer table and the summary)."""
    first = mappings[0]
    return ChipMapping(
        tilings={k: v for m in mappings for k, v in m.tilings.items()},
        copies={k: v for m in mappings for k, v in m.copies.items()},
        costs={k: v for m in mappings for k, v in m.costs.items()},
        digital_tiles={k: v for m in mappings for k, v in m.digital_tiles.items()},
        input_tile=first.input_tile,
        crossbars_total=first.crossbars_total,
        pes_total=first.pes_total,
        shared_adc_banks={k: v for m in mappings for k, v in m.shared_adc_banks.items()},
        duplication=first.duplication,
        placement=first.placement,
    )


def _compact_summary(
    mode: str,
    parts: tuple[Part, ...],
    mappings: list[ChipMapping],
    runs: list[PartRun],
    sink: TraceSink,
    tiles: int,
    total_cycles: int,
) -> dict[str, Any]:
    """The weight-reuse keys of the summary, and the PE and tile utilization over parts
    (module doc); the port utilizations of the whole run stay as summarize_run gives them."""
    pe_busy = sum(cycles for name, cycles in sink.busy_cycles().items() if ".pe" in name)
    mapped = sum(m.pes_used * (r.end_cycle - r.start_cycle) for m, r in zip(mappings, runs,
                 strict=True))  # fmt: skip
    pes_total = mappings[0].pes_total
    tiles_busy = sum(sink.tile_busy_cycles().values())
    return {
        "reuse_mode": mode,
        "parts": [
            {
                "layers": list(part.layers),
                "crossbar_layers": list(part.crossbar_layers),
                "pes_one_copy": part.pes,
                "pes_used": mapping.pes_used,
                "weight_bytes": part.weight_bytes,
                "copies": {name: len(c) for name, c in mapping.copies.items()},
                "tiles": {name: _tiles(c) for name, c in mapping.copies.items()},
                "start_cycle": run.start_cycle,
                "weights_loaded_cycle": run.loaded_cycle,
                "end_cycle": run.end_cycle,
            }
            for part, mapping, run in zip(parts, mappings, runs, strict=True)
        ],
        "weight_loads": len(parts),
        "weight_load_cycles": sum(r.loaded_cycle - r.start_cycle for r in runs),
        "weight_load_bytes": sum(part.weight_bytes for part in parts),
        "rram_cell_writes": sink.total("rram", "cell_write"),
        "crossbars_used": max(m.crossbars_used for m in mappings),
        "pes_used": max(m.pes_used for m in mappings),
        "utilization": {
            "pe": pe_busy / (pes_total * total_cycles) if total_cycles else 0.0,
            "pe_mapped": pe_busy / mapped if mapped else 0.0,
            "tile": tiles_busy / (tiles * total_cycles) if total_cycles else 0.0,
        },
    }


def _tiles(copies: tuple[CopyPlacement, ...]) -> int:
    """Distinct tiles a layer's copies occupy."""
    return len({tile for copy in copies for tile in copy.tiles})
