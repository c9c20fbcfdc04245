"""Where each edge keeps its activations, given how much of the tensor must wait at once."""

from cimsim.config.model import ArchConfig
from cimsim.program import Level
from workloads.shapes import GraphInfo, input_rows_needed, rows_of


def edge_levels_whole_tensor(info: GraphInfo, arch: ArchConfig) -> dict[tuple[str, str], Level]:
    """Levels for schedules that hold a producer's whole output until its consumer runs.

    A tensor goes to the consumer's tile buffer if it fits there, else to the global buffer
    if it fits, else to DRAM. Graph inputs start in DRAM. (Each edge is sized on its own; the
    buffer space several waiting tensors share is not accounted: a documented approximation.)
    """
    bits = arch.precision.activation_bits
    tile_bytes = arch.tile.buffer.size_bytes
    global_bytes = arch.chip.global_buffer.size_bytes
    graph_inputs = {name for name, _ in info.inputs}
    levels: dict[tuple[str, str], Level] = {}
    for layer in info.layers:
        for index, producer in enumerate(layer.inputs):
            if producer in graph_inputs:
                levels[(producer, layer.name)] = Level.DRAM
                continue
            size = _elements(layer.input_shapes[index]) * bits / 8
            if size <= tile_bytes:
                levels[(producer, layer.name)] = Level.TILE
            elif size <= global_bytes:
                levels[(producer, layer.name)] = Level.GLOBAL
            else:
                levels[(producer, layer.name)] = Level.DRAM
    return levels


def edge_levels_row_window(info: GraphInfo, arch: ArchConfig) -> dict[tuple[str, str], Level]:
    """Levels for row-streaming schedules, where a consumer holds only a window of rows.

    The window of an edge is the input rows one output row reads plus one row of slack
    (the next row arriving); if it fits the consumer's tile buffer the edge stays on tiles,
    otherwise the whole tensor goes to the global buffer or DRAM as for whole-tensor
    schedules. Graph inputs start in DRAM.
    """
    bits = arch.precision.activation_bits
    whole = edge_levels_whole_tensor(info, arch)
    graph_inputs = {name for name, _ in info.inputs}
    levels: dict[tuple[str, str], Level] = {}
    for layer in info.layers:
        for index, producer in enumerate(layer.inputs):
            edge = (producer, layer.name)
            if producer in graph_inputs or whole[edge] is Level.TILE:
                levels[edge] = whole[edge]
                continue
            shape = layer.input_shapes[index]
            start, stop = input_rows_needed(layer, 0, 1, index)
            rows = min(stop - start + 1, rows_of(shape))
            size = _elements(shape) // rows_of(shape) * rows * bits / 8
            levels[edge] = Level.TILE if size <= arch.tile.buffer.size_bytes else whole[edge]
    return levels


def _elements(shape: tuple[int, ...]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count
