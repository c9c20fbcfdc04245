"""Where each edge keeps its activations: in the consumer's tile buffer while it fits.

An edge's tensor (or the window of rows a row-streaming consumer holds) goes to the tile
buffer of every consumer copy's home tile if, over the tensor's lifetime, it fits beside the
tensors already placed there; otherwise to the global buffer if the whole tensor fits, else
to DRAM. Graph inputs start in DRAM. Lifetimes are intervals of layer positions in
topological order: from the producer to its last consumer on that tile for layer-by-layer
schedules; the whole run for schedules that keep many layers in flight (pipelined, cross
layer), where every placed tensor or window occupies its tile throughout. Tensors are
placed greedily in topological order, and rows a tile receives for several consumers are
counted once (the engine delivers them once).
"""

import math
from collections.abc import Callable

from cimsim.config.model import ArchConfig
from cimsim.mapper import ChipMapping
from cimsim.program import Level
from workloads.shapes import GraphInfo, LayerInfo, input_rows_needed, rows_of

Footprint = Callable[[LayerInfo, int], float]
"""(consumer, input index) -> bytes of that input the consumer's tile must hold at once."""


def edge_levels_whole_tensor(
    info: GraphInfo,
    arch: ArchConfig,
    mapping: ChipMapping,
    tensors: int = 1,
    all_live: bool = False,
) -> dict[tuple[str, str], Level]:
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
) -> dict[tuple[str, str], Level]:
    """Levels for row-streaming schedules, where a consumer holds only a window of rows:
    the input rows one output row reads plus one row of slack (the next row arriving)."""
    bits = arch.precision.activation_bits

    def window(layer: LayerInfo, index: int) -> float:
        shape = layer.input_shapes[index]
        start, stop = input_rows_needed(layer, 0, 1, index)
        rows = min(stop - start + 1, rows_of(shape))
        return _elements(shape) // rows_of(shape) * rows * bits / 8

    return _assign(info, arch, mapping, window, whole_run=True)


def _assign(
    info: GraphInfo,
    arch: ArchConfig,
    mapping: ChipMapping,
    footprint: Footprint,
    whole_run: bool,
) -> dict[tuple[str, str], Level]:
    capacity = arch.tile.buffer.size_bytes
    position = {layer.name: i for i, layer in enumerate(info.layers)}
    graph_inputs = {name for name, _ in info.inputs}
    last = len(info.layers)
    # (tile, producer) -> [bytes, first position, last position] of what the tile holds
    placed: dict[tuple[int, str], list[float]] = {}
    levels: dict[tuple[str, str], Level] = {}
    for layer in info.layers:
        homes = _homes(layer.name, mapping)
        for index, producer in enumerate(layer.inputs):
            edge = (producer, layer.name)
            if producer in graph_inputs:
                levels[edge] = Level.DRAM
                continue
            size = footprint(layer, index)
            start = 0 if whole_run else position[producer]
            end = last if whole_run else position[layer.name]
            if all(_fits(placed, tile, producer, size, start, end, capacity) for tile in homes):
                levels[edge] = Level.TILE
                for tile in homes:
                    held = placed.setdefault((tile, producer), [0.0, start, end])
                    held[0] = max(held[0], size)
                    held[1], held[2] = min(held[1], start), max(held[2], end)
                continue
            whole = _elements(layer.input_shapes[index]) * arch.precision.activation_bits / 8
            fits_global = whole <= arch.chip.global_buffer.size_bytes
            levels[edge] = Level.GLOBAL if fits_global else Level.DRAM
    return levels


def _homes(layer: str, mapping: ChipMapping) -> list[int]:
    copies = len(mapping.copies.get(layer, ())) or 1
    return sorted({mapping.home_tile(layer, copy) for copy in range(copies)})


def _fits(
    placed: dict[tuple[int, str], list[float]],
    tile: int,
    producer: str,
    size: float,
    start: int,
    end: int,
    capacity: float,
) -> bool:
    """Whether ``size`` bytes of ``producer`` fit on ``tile`` over positions [start, end]."""
    mine = placed.get((tile, producer))
    if mine is not None:  # the tile already holds these rows: widen, do not add
        size = max(size, mine[0])
        start, end = min(start, int(mine[1])), max(end, int(mine[2]))
    others = [held for (t, p), held in placed.items() if t == tile and p != producer]
    for moment in range(start, end + 1):
        live = sum(held[0] for held in others if held[1] <= moment <= held[2])
        if live + size > capacity:
            return False
    return True


def _elements(shape: tuple[int, ...]) -> int:
    return math.prod(shape)
