"""CLSA-CIM cross-layer scheduling (Pelke et al., DATE 2024; docs/references.md#clsa-cim).

The four stages, as the paper defines them:
1. sets: each layer's output is partitioned into sets of one output row;
2. dependencies: a set depends on the producer sets that cover its receptive field
   (``input_rows_needed`` through stride, padding and dilation); pooling, activation and
   residual-add layers are tasks of their own, so dependencies walk back through them;
3. intra-layer scheduling: a layer's sets are dealt round-robin over its weight copies
   (set r goes to copy r mod copies), each copy taking its sets in row order;
4. cross-layer scheduling: a set starts as soon as its dependencies have delivered and its
   copy is free (as soon as possible), so consecutive layers overlap.
Inferences of a batch follow one another in every copy's queue.
"""

from cimsim.config.model import ArchConfig
from cimsim.mapper import ChipMapping
from cimsim.program import Program
from cimsim.scheduler._builder import ProgramBuilder
from cimsim.scheduler.levels import edge_levels_row_window
from workloads.shapes import GraphInfo

NAME = "cross_layer"


def schedule(info: GraphInfo, mapping: ChipMapping, arch: ArchConfig, batch: int) -> Program:
    """Build the CLSA-CIM Program for ``batch`` inferences."""
    builder = ProgramBuilder(info)
    for inference in range(batch):
        for layer in info.layers:
            copies = len(mapping.copies.get(layer.name, ())) or 1
            for row in range(layer.output_rows):
                deps = builder.producer_tasks(layer.name, inference, row, row + 1)
                builder.add(layer.name, row % copies, inference, (row, row + 1), deps, "input")
    return builder.build(NAME, batch, edge_levels_row_window(info, arch, mapping))
