"""Inter-layer pipelining across a batch (ISAAC style).

Every layer is a pipeline stage: inference i of a layer starts as soon as its producers
have delivered inference i in full and the layer has finished inference i-1, so different
layers work on different inputs at once and a stage's time is set by its slowest layer. A
task is a layer copy's contiguous block of output rows for one inference.
Needs a batch of at least 2: at batch 1 there is nothing to overlap.
"""

from cimsim.config.model import ArchConfig
from cimsim.errors import CimsimError
from cimsim.mapper import ChipMapping
from cimsim.program import Program
from cimsim.scheduler._builder import ProgramBuilder, row_blocks
from cimsim.scheduler.levels import edge_levels_whole_tensor
from workloads.shapes import GraphInfo

NAME = "pipelined"


def schedule(info: GraphInfo, mapping: ChipMapping, arch: ArchConfig, batch: int) -> Program:
    """Build the inter-layer pipeline for ``batch`` inferences."""
    if batch < 2:
        raise CimsimError(
            "the pipelined scheduler overlaps inferences and needs --batch 2 or more; "
            "at batch 1 use layer_by_layer or cross_layer"
        )
    builder = ProgramBuilder(info)
    for inference in range(batch):
        for layer in info.layers:
            copies = len(mapping.copies.get(layer.name, ())) or 1
            for copy, rows in enumerate(row_blocks(layer.output_rows, copies)):
                deps = builder.producer_tasks(layer.name, inference, 0, layer.output_rows)
                builder.add(layer.name, copy, inference, rows, deps, "input")
    return builder.build(NAME, batch, edge_levels_whole_tensor(info, arch))
