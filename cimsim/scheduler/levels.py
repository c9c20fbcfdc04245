"""Where each edge keeps its activations, given how much of the tensor must wait at once."""

from cimsim.config.model import ArchConfig
from cimsim.program import Level
from workloads.shapes import GraphInfo


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


def _elements(shape: tuple[int, ...]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count
