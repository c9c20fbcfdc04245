"""Inter-layer pipelining across a batch (ISAAC style).

Every layer is a pipeline stage: inference i of a layer starts as soon as its producers
have delivered inference i in full and the layer has finished inference i-1, so different
layers work on different inputs at once and a stage's time is set by its slowest layer. A
task is one output row; a layer copy takes a contiguous block of rows for one inference,
its first row waiting for the producers' whole output of that inference. Buffers between
stages are double-buffered (CREDITS = 2): a layer starts inference i only when its
consumers have finished inference i - 2, so a fast stage waits ("backpressure") instead of
piling outputs into a slow stage's buffer.
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
CREDITS = 2
"""Inferences a stage may run ahead of its consumers (buffers per edge)."""


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
            credits = [
                task
                for consumer in info.consumers[layer.name]
                for task in builder.tasks_of(consumer, inference - CREDITS)
            ]
            deps = builder.producer_tasks(layer.name, inference, 0, layer.output_rows)
            for copy, (start, stop) in enumerate(row_blocks(layer.output_rows, copies)):
                for row in range(start, stop):  # later rows follow the first in copy order
                    first = row == start
                    waits, held_by = (deps, credits) if first else ((), ())
                    builder.add(layer.name, copy, inference, (row, row + 1), waits, "input",
                                held_by)  # fmt: skip
    levels = edge_levels_whole_tensor(info, arch, mapping, tensors=CREDITS, all_live=True)
    return builder.build(NAME, batch, levels)
