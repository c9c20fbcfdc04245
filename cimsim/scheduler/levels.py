"""Where each edge keeps its activations: in the consumer's tile buffer while it fits.

An edge's tensor (or the window of rows a row-streaming consumer holds) goes to the tile
level (the first memory level) of every consumer copy's home tile if, over the tensor's
lifetime, it fits beside the tensors already placed there; otherwise to the first later
level whose instance can hold the whole tensor (the outermost level holds anything). Graph
inputs start in the outermost level. Lifetimes are intervals of layer positions in
topological order: from the producer to its last consumer on that tile for layer-by-layer
schedules; the whole run for schedules that keep many layers in flight (pipelined, cross
layer), where every placed tensor or window occupies its tile throughout. Tensors are
placed greedily in topological order, and rows a tile receives for several consumers are
counted once (the engine delivers them once).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from cimsim.config.model import ArchConfig
from cimsim.mapper import ChipMapping
from workloads.shapes import GraphInfo, LayerInfo, input_rows_needed, rows_of

Footprint = Callable[[LayerInfo, int], float]
"""(consumer, input index) -> bytes of that input the consumer's tile must hold at once."""


def edge_levels_whole_tensor(
    info: GraphInfo,
    arch: ArchConfig,
    mapping: ChipMapping,
    tensors: int = 1,
    all_live: bool = False,
) -> dict[tuple[str, str], str]:
    """Levels for schedules that hold a producer's whole output until its consumer runs.

    ``tensors``: outputs of one edge waiting at once (the batch for layer-by-layer, the
    buffers per edge for a pipeline); ``all_live``: every layer runs at once (pipelines).
    """
    bits = arch.precision.activation_bits

    def footprint(layer: LayerInfo, index: int) -> float:
        return tensors * _elements(layer.input_shapes[index]) * bits / 8

    return _assign(info, arch, mapping, footprint, whole_run=all_live)


def edge_levels_row_window(
    info: GraphInfo, arch: ArchConfig, mapping: ChipMapping
) -> dict[tuple[str, str], str]:
    """Levels for row-streaming schedules, where a consumer holds only a window of rows:
    the input rows one output row reads plus one row of slack (the next row arriving)."""
    bits = arch.precision.activation_bits

    def window(layer: LayerInfo, index: int) -> float:
        shape = layer.input_shapes[index]
        start, stop = input_rows_needed(layer, 0, 1, index)
        rows = min(stop - start + 1, rows_of(shape))
        return _elements(shape) // rows_of(shape) * rows * bits / 8

    return _assign(info, arch, mapping, window, whole_run=True)


@dataclass
class _Held:
    """What one tile holds of one producer's tensor, over layer positions [first, last]."""

    size_bytes: float
    first: int
    last: int


def _assign(
    info: GraphInfo,
    arch: ArchConfig,
    mapping: ChipMapping,
    footprint: Footprint,
    whole_run: bool,
) -> dict[tuple[str, str], str]:
    memory = mapping.machine.memory
    capacity_bytes = memory.tile_level.size_bytes or float("inf")
    bits = arch.precision.activation_bits
    position = {layer.name: i for i, layer in enumerate(info.layers)}
    graph_inputs = {name for name, _ in info.inputs}
    last = len(info.layers)
    placed: dict[tuple[int, str], _Held] = {}  # (tile, producer) -> what the tile holds
    levels: dict[tuple[str, str], str] = {}
    for layer in info.layers:
        homes = _homes(layer.name, mapping)
        for index, producer in enumerate(layer.inputs):
            edge = (producer, layer.name)
            if producer in graph_inputs:
                levels[edge] = memory.outermost.name
                continue
            want = _Held(
                footprint(layer, index),
                0 if whole_run else position[producer],
                last if whole_run else position[layer.name],
            )
            if all(_fits(placed, tile, producer, want, capacity_bytes) for tile in homes):
                levels[edge] = memory.tile_level.name
                for tile in homes:
                    placed[(tile, producer)] = _widened(placed.get((tile, producer)), want)
                continue
            whole_bytes = _elements(layer.input_shapes[index]) * bits / 8
            levels[edge] = next(
                level.name
                for level in memory.levels[1:]
                if level.size_bytes is None or whole_bytes <= level.size_bytes
                or level is memory.outermost
            )
    return levels


def _homes(layer: str, mapping: ChipMapping) -> list[int]:
    copies = len(mapping.copies.get(layer, ())) or 1
    return sorted({mapping.home_tile(layer, copy) for copy in range(copies)})


def _widened(held: _Held | None, want: _Held) -> _Held:
    """Rows a tile already holds for another consumer are counted once: widen, do not add."""
    if held is None:
        return want
    return _Held(max(held.size_bytes, want.size_bytes), min(held.first, want.first),
                 max(held.last, want.last))  # fmt: skip


def _fits(
    placed: dict[tuple[int, str], _Held],
    tile: int,
    producer: str,
    want: _Held,
    capacity_bytes: float,
) -> bool:
    """Whether ``want`` of ``producer`` fits on ``tile`` beside what the tile holds."""
    mine = _widened(placed.get((tile, producer)), want)
    others = [held for (t, p), held in placed.items() if t == tile and p != producer]
    for moment in range(mine.first, mine.last + 1):
        live_bytes = sum(held.size_bytes for held in others if held.first <= moment <= held.last)
        if live_bytes + mine.size_bytes > capacity_bytes:
            return False
    return True


def _elements(shape: tuple[int, ...]) -> int:
    return math.prod(shape)
