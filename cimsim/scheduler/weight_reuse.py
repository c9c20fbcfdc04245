"""Weight reuse on compact chips: cutting a network into parts that fit (pure planning).

Chen & Yang (AICAS 2025; docs/references.md#chen-yang). When the crossbars cannot hold
every weight, the network is cut into parts; a part's weights are loaded from DRAM and
programmed into the crossbars once per batch, the whole batch runs through the part, and
the activations that cross to the next part wait in DRAM. The modes:

- ``RP`` (raw): parts cut greedily (add consecutive layers while one copy of each fits in
  the chip's PEs); within a part the layers run one after another for each input, and the
  inputs one after another (a barrier after every layer of every inference);
- ``LL``: every crossbar layer is a part of its own (digital layers ride with the crossbar
  layer before them), so each layer in turn gets the whole chip for its duplicates; the
  weights are reloaded per layer; the layer runs layer by layer over the batch;
- ``HT`` (the paper's proposal): parts as for RP; within a part the layers are pipelined
  across the batch (the ``pipelined`` scheduler), so a stage's time is its slowest layer.

Duplication inside a part is the mapper's policy (``dynamic``, the paper's bubble
mitigation, fills the PEs the part leaves free). The policy (``schedule_parts``) yields one
phase per part: its mapping, its Program, and its weights to load first; a run executes the
phases one after another on one chip (cimsim.runs). A network that fits in one part is not
a weight-reuse problem: planning it is a CimsimError pointing to the other schedulers.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cimsim.config.hardware import HardwareParams
from cimsim.config.model import ArchConfig
from cimsim.errors import CimsimError, MappingError, brief
from cimsim.machine import Machine
from cimsim.mapper import ChipMapping, LayerTiling, map_network, tile_layer
from cimsim.options import RunOptions
from cimsim.program import Program
from cimsim.scheduler import layer_by_layer, pipelined
from cimsim.scheduler._builder import ProgramBuilder, row_blocks
from cimsim.scheduler.layer_split import split_oversized_layers
from cimsim.scheduler.levels import edge_levels_whole_tensor
from cimsim.scheduler.schedule import Phase, Schedule
from workloads.ir import Graph
from workloads.shapes import GraphInfo, analyze

NAME = "weight_reuse"
MODES: tuple[str, ...] = ("RP", "LL", "HT")
"""The modes of Chen & Yang (AICAS 2025)."""


@dataclass(frozen=True)
class Part:
    """Consecutive layers whose weights are on the chip at the same time."""

    index: int
    """Position of the part, from 0."""
    layers: tuple[str, ...]
    """Every layer of the part (crossbar and digital), in network order."""
    crossbar_layers: tuple[str, ...]
    """The part's crossbar layers."""
    pes: int
    """PEs one copy of each of its crossbar layers takes."""
    weight_bytes: int
    """Bytes of one copy of its weights: sum of weights x weight_bits / 8, per layer rounded up."""
    inputs: tuple[str, ...]
    """Tensors it reads that were made before it (graph inputs or earlier parts)."""
    outputs: tuple[str, ...]
    """Tensors it makes that later parts read, or that are graph outputs."""


@dataclass(frozen=True)
class WeightReusePlan:
    """The parts of a network on a compact chip, and the mode they run in."""

    mode: str
    """RP, LL or HT."""
    parts: tuple[Part, ...]
    """The parts, in order; each layer is in exactly one."""

    @property
    def weight_bytes(self) -> int:
        """Weight bytes loaded once per batch: the sum over the parts."""
        return sum(part.weight_bytes for part in self.parts)


def layer_weight_bytes(info: GraphInfo, name: str, weight_bits: int) -> int:
    """Bytes of one copy of a crossbar layer's weights (no biases): ceil(weights x bits / 8)."""
    return math.ceil(info.by_name[name].mvm_weights * weight_bits / 8)


def check_mode(mode: str) -> str:
    """``mode`` if it is one of MODES (case-insensitive, returned upper-case), else an error."""
    if mode.upper() not in MODES:
        raise CimsimError(f"unknown weight_reuse mode {brief(mode)}; choices: {', '.join(MODES)}")
    return mode.upper()


def plan_parts(
    info: GraphInfo, tilings: Mapping[str, LayerTiling], arch: ArchConfig, mode: str
) -> WeightReusePlan:
    """Cut the network into parts for ``mode`` (module docstring).

    Raises MappingError naming a crossbar layer that does not fit the chip on its own, and
    CimsimError when the whole network fits in one part (use another scheduler).
    """
    mode = check_mode(mode)
    chip_pes = arch.tiles * arch.tile.pes
    per_pe = arch.tile.pe.crossbars
    pes = {name: math.ceil(t.crossbars / per_pe) for name, t in tilings.items()}
    for layer in info.layers:
        if layer.name in pes and pes[layer.name] > chip_pes:
            raise MappingError(
                f"layer {layer.name} needs {pes[layer.name]} PEs for one copy of its weights "
                f"but the chip has {chip_pes}: split it first "
                f"(cimsim.scheduler.layer_split), or use a larger chip"
            )
    groups: list[list[str]] = [[]]
    used = 0
    for layer in info.layers:
        if layer.name in pes:
            cut = mode == "LL" or used + pes[layer.name] > chip_pes
            if cut and any(name in pes for name in groups[-1]):
                groups.append([])
                used = 0
            used += pes[layer.name]
        groups[-1].append(layer.name)
    if len(groups) == 1 or sum(pes.values()) <= chip_pes:
        raise CimsimError(
            f"{info.name} fits on {arch.name} in one piece ({sum(pes.values())} of {chip_pes} "
            f"PEs): weight_reuse is for chips that cannot hold every weight; use the "
            f"pipelined, layer_by_layer or cross_layer scheduler"
        )
    return WeightReusePlan(
        mode, tuple(_part(info, index, groups, pes, arch) for index in range(len(groups)))
    )


def _part(
    info: GraphInfo, index: int, groups: list[list[str]], pes: Mapping[str, int], arch: ArchConfig
) -> Part:
    names = groups[index]
    before = {name for group in groups[:index] for name in group}
    before |= {name for name, _ in info.inputs}
    after = {name for group in groups[index + 1 :] for name in group}
    inputs: list[str] = []
    for name in names:
        for producer in info.by_name[name].inputs:
            if producer in before and producer not in inputs:
                inputs.append(producer)
    outputs = [
        name
        for name in names
        if name in info.outputs or any(reader in after for reader in info.consumers[name])
    ]
    crossbar = tuple(name for name in names if name in pes)
    bits = arch.precision.weight_bits
    return Part(
        index=index,
        layers=tuple(names),
        crossbar_layers=crossbar,
        pes=sum(pes[name] for name in crossbar),
        weight_bytes=sum(layer_weight_bytes(info, name, bits) for name in crossbar),
        inputs=tuple(inputs),
        outputs=tuple(outputs) or (names[-1],),
    )


def part_graph(graph: Graph, info: GraphInfo, part: Part) -> Graph:
    """The sub-network of ``part``: its boundary tensors become graph inputs (kept in DRAM)."""
    return Graph(
        name=f"{graph.name}.part{part.index}",
        inputs=tuple((name, info.shape(name)) for name in part.inputs),
        layers=tuple(graph.layer(name) for name in part.layers),
        outputs=part.outputs,
    )


def schedule_rp(info: GraphInfo, mapping: ChipMapping, arch: ArchConfig, batch: int) -> Program:
    """RP inside a part: for each input in turn, each layer in turn (a barrier after each).

    A task is one output row; a layer's rows are split into contiguous blocks, one per copy.
    """
    builder = ProgramBuilder(info)
    barrier: tuple[int, ...] = ()
    for inference in range(batch):
        for layer in info.layers:
            copies = len(mapping.copies.get(layer.name, ())) or 1
            last_of_copy: list[int] = []
            for copy, (start, stop) in enumerate(row_blocks(layer.output_rows, copies)):
                for row in range(start, stop):
                    deps = barrier if row == start else ()
                    task_id = builder.add(
                        layer.name, copy, inference, (row, row + 1), deps, "barrier"
                    )
                last_of_copy.append(task_id)
            barrier = tuple(last_of_copy)
    levels = edge_levels_whole_tensor(info, arch, mapping, tensors=batch)
    return builder.build(f"{NAME}.RP", batch, levels)


def part_scheduler(mode: str) -> Callable[[GraphInfo, ChipMapping, ArchConfig, int], Program]:
    """The schedule function a part runs with in ``mode``: RP, LL or HT (module docstring)."""
    return {
        "RP": schedule_rp,
        "LL": layer_by_layer.schedule,
        "HT": pipelined.schedule,
    }[check_mode(mode)]


def schedule_parts(
    graph: Graph, info: GraphInfo, arch: ArchConfig, hw: HardwareParams, machine: Machine,
    options: RunOptions,
) -> Schedule:  # fmt: skip
    """The weight-reuse policy: layers too large for the chip split by output channels
    (cimsim.scheduler.layer_split), the network cut into parts, one phase per part (its
    mapping with ``options``' duplication, placement and extra PEs, its Program in the
    mode's schedule, its weights to load first)."""
    mode = options.weight_reuse_mode
    if mode == "HT" and options.batch < 2:
        raise CimsimError(
            "weight_reuse mode HT pipelines the layers of a part across the batch and needs "
            "--batch 2 or more; at batch 1 use mode RP"
        )
    split = split_oversized_layers(graph, info, arch, hw, machine)
    if split is not graph:
        graph, info = split, analyze(split)
    bits = arch.precision.weight_bits
    encoding = arch.tile.crossbar.weight_encoding
    tilings = {layer.name: tile_layer(layer, hw.crossbar, bits, encoding)
               for layer in info.layers if machine.on_crossbars(layer.work)}  # fmt: skip
    plan = plan_parts(info, tilings, arch, mode)
    schedule = part_scheduler(mode)
    phases = []
    for part in plan.parts:
        sub_info = analyze(part_graph(graph, info, part))
        mapping = map_network(sub_info, arch, hw, options.duplication, options.placement,
                              options.extra_pes, machine)  # fmt: skip
        program = schedule(sub_info, mapping, arch, options.batch)
        sizes = {name: layer_weight_bytes(info, name, bits) for name in part.crossbar_layers}
        phases.append(Phase(sub_info, mapping, program, sizes, part))
    return Schedule(NAME, info, tuple(phases), mode)
