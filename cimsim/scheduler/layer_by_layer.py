"""Layer-by-layer scheduling: a barrier after every layer (the baseline of CLSA-CIM).

Layers run in topological order; a layer starts only when every task of the layer before it
has delivered its outputs, for the whole batch. Each task is one output row; the rows of a
layer are split into contiguous blocks, one per copy of its weights.
"""

from cimsim.config.model import ArchConfig
from cimsim.mapper import ChipMapping
from cimsim.program import Program
from cimsim.scheduler._builder import ProgramBuilder, row_blocks
from cimsim.scheduler.levels import edge_levels_whole_tensor
from workloads.shapes import GraphInfo

NAME = "layer_by_layer"


def schedule(info: GraphInfo, mapping: ChipMapping, arch: ArchConfig, batch: int) -> Program:
    """Build the layer-by-layer Program for ``batch`` inferences."""
    builder = ProgramBuilder(info)
    barrier: tuple[int, ...] = ()
    for layer in info.layers:
        copies = len(mapping.copies.get(layer.name, ())) or 1
        last_of_copy: list[int] = []
        for copy, (start, stop) in enumerate(row_blocks(layer.output_rows, copies)):
            first = True
            for inference in range(batch):
                for row in range(start, stop):
                    deps = barrier if first else ()
                    task_id = builder.add(layer.name, copy, inference, (row, row + 1), deps,
                                          "barrier")  # fmt: skip
                    first = False
            last_of_copy.append(task_id)
        barrier = tuple(last_of_copy)
    return builder.build(NAME, batch, edge_levels_whole_tensor(info, arch, mapping, tensors=batch))
