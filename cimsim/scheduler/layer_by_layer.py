"""Layer-by-layer scheduling: a barrier after every layer (the baseline of CLSA-CIM).

Layers run in topological order; a layer starts only when every task of the layer before it
has delivered its outputs, for the whole batch. Each task is one output row; the rows of a
layer are split into contiguous blocks, one per copy of its weights.
"""

from cimsim.config.model import ArchConfig
from cimsim.mapper import ChipMapping
from cimsim.program import Program, Task
from cimsim.scheduler.levels import edge_levels_whole_tensor
from workloads.shapes import GraphInfo

NAME = "layer_by_layer"


def schedule(info: GraphInfo, mapping: ChipMapping, arch: ArchConfig, batch: int) -> Program:
    """Build the layer-by-layer Program for ``batch`` inferences."""
    tasks: list[Task] = []
    queues: dict[tuple[str, int], list[int]] = {}
    barrier: tuple[int, ...] = ()
    for layer in info.layers:
        copies = len(mapping.copies.get(layer.name, ())) or 1
        last_of_copy: list[int] = []
        for copy, (start, stop) in enumerate(_blocks(layer.output_rows, copies)):
            queue = queues.setdefault((layer.name, copy), [])
            for inference in range(batch):
                for row in range(start, stop):
                    deps = barrier if not queue else ()
                    task = Task(
                        len(tasks), layer.name, copy, inference, row, row + 1, deps, "barrier"
                    )
                    tasks.append(task)
                    queue.append(task.task_id)
            if queue:
                last_of_copy.append(queue[-1])
        barrier = tuple(last_of_copy) or barrier
    return Program(
        scheduler=NAME,
        batch=batch,
        tasks=tuple(tasks),
        queues={key: tuple(ids) for key, ids in queues.items()},
        edge_levels=edge_levels_whole_tensor(info, arch),
    )


def _blocks(rows: int, parts: int) -> list[tuple[int, int]]:
    """Split ``rows`` into ``parts`` contiguous blocks, sizes differing by at most one."""
    parts = min(parts, rows)
    base, extra = divmod(rows, parts)
    blocks, start = [], 0
    for part in range(parts):
        stop = start + base + (1 if part < extra else 0)
        blocks.append((start, stop))
        start = stop
    return blocks
