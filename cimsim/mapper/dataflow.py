"""What data every task moves, worked out once from the program (pure; no SimPy).

Per task: the input bytes it must fetch from a memory level beyond the tile (rows not
fetched by an earlier task of the same copy), what it reads from its home tile buffer, how
many output vectors or element operations it computes, and where its output rows go:
- rows of an edge kept in the tile level go to every consumer home tile whose tasks read
  them (only those rows; consumer copies on one tile share one delivery);
- rows of an edge kept in another level are stored there once, in the instance serving the
  producer's home tile (its data home), from where consumers fetch them; graph inputs wait
  in the instance of the outermost level serving the consumer;
- the graph's outputs are written to the outermost level.
Both the event-driven engine and the closed-form estimate consume this plan, so they agree
on every byte.
"""

import math
from dataclasses import dataclass

import numpy as np

from cimsim.machine import MemoryHierarchy
from cimsim.mapper import ChipMapping
from cimsim.program import Program
from workloads.shapes import GraphInfo, input_rows_needed, rows_of


@dataclass(frozen=True)
class TaskData:
    """The data one task moves and the work it computes."""

    home_tile: int
    """Tile the task runs on (its copy's home tile, or a digital layer's tile)."""
    fetches: tuple[tuple[str, int, int], ...]
    """(level, instance, bytes) brought from a level beyond the tile into the home tile
    first."""
    buffer_read_bytes: int
    """Bytes read from the home tile buffer while computing."""
    vectors: int
    """Output vectors (MVMs) of a crossbar task; 0 for a digital task."""
    element_ops: int
    """Element operations of a digital task; 0 for a crossbar task."""
    deliveries: tuple[tuple[str, int, int], ...]
    """(level, destination, bytes) of its outputs: the destination is a tile for the tile
    level, else the level's instance."""
    freed_bytes: int = 0
    """Bytes of input rows in its home tile buffer that no later task there reads: free
    once this task has computed."""


def row_bytes(shape: tuple[int, ...], activation_bits: int) -> int:
    """Bytes of one row of an activation tensor (rows run along axis -2, see rows_of)."""
    return math.ceil(math.prod(shape) // rows_of(shape) * activation_bits / 8)


def plan_dataflow(
    program: Program, mapping: ChipMapping, info: GraphInfo, activation_bits: int
) -> tuple[TaskData, ...]:
    """The TaskData of every task, indexed by task id."""
    memory = mapping.machine.memory
    tile_level = memory.tile_level.name
    ranges = _input_ranges(program, info)
    targets = _delivery_targets(program, mapping, info, ranges)
    freed = _freed_bytes(program, mapping, info, activation_bits, ranges)
    fetched: dict[tuple[str, int, int, str], int] = {}
    plan: list[TaskData | None] = [None] * len(program.tasks)
    for (layer, copy), queue in program.queues.items():
        layer_info = info.by_name[layer]
        home = mapping.home_tile(layer, copy)
        per_row_out = row_bytes(layer_info.output_shape, activation_bits)
        costs = mapping.costs[layer][copy] if layer in mapping.copies else None
        inputs = [
            (
                producer,
                program.edge_levels[(producer, layer)],
                _data_home(mapping, memory, program.edge_levels[(producer, layer)], producer,
                           home),
                row_bytes(shape, activation_bits),
            )
            for producer, shape in zip(layer_info.inputs, layer_info.input_shapes, strict=True)
        ]  # fmt: skip
        layer_targets = targets.get(layer, ())
        for task_id in queue:
            task = program.tasks[task_id]
            rows = task.row_stop - task.row_start
            fetches: list[tuple[str, int, int]] = []
            read = 0
            for (producer, level, instance, per_row_in), (start, stop) in zip(
                inputs, ranges[task_id], strict=True
            ):
                if level != tile_level:
                    key = (layer, copy, task.inference, producer)
                    already = fetched.get(key, 0)
                    new_rows = max(0, stop - max(start, already))
                    fetched[key] = max(already, stop)
                    if new_rows:
                        fetches.append((level, instance, new_rows * per_row_in))
                read += (stop - start) * per_row_in
            vectors = rows * layer_info.vectors_per_row if costs else 0
            if costs:
                read = vectors * costs.input_bytes
            share = rows / max(layer_info.output_rows, 1)
            deliveries = []
            for level, dst, wanted_before in layer_targets:
                count = (
                    rows
                    if wanted_before is None
                    else wanted_before[task.row_stop] - wanted_before[task.row_start]
                )
                if count:
                    deliveries.append((level, dst, count * per_row_out))
            plan[task_id] = TaskData(
                home_tile=home,
                fetches=tuple(fetches),
                buffer_read_bytes=read,
                vectors=vectors,
                element_ops=0 if costs else math.ceil(layer_info.element_ops * share),
                deliveries=tuple(deliveries),
                freed_bytes=freed.get(task_id, 0),
            )
    return tuple(p for p in plan if p is not None)


def _data_home(
    mapping: ChipMapping, memory: MemoryHierarchy, level_name: str, producer: str, home: int
) -> int:
    """Instance of ``level_name`` holding ``producer``'s rows for a consumer on tile ``home``:
    the one serving the producer's home tile, or (graph inputs) the consumer's."""
    level = memory.level(level_name)
    tile = mapping.home_tile(producer) if mapping.has_home(producer) else home
    return level.serving[tile]


def _input_ranges(program: Program, info: GraphInfo) -> list[tuple[tuple[int, int], ...]]:
    """Per task id: the rows [start, stop) it reads of each of its inputs.

    Memoised by (layer, output rows): every inference of a batch repeats the same tasks.
    """
    known: dict[tuple[str, int, int], tuple[tuple[int, int], ...]] = {}
    ranges = []
    for task in program.tasks:
        key = (task.layer, task.row_start, task.row_stop)
        rows = known.get(key)
        if rows is None:
            layer = info.by_name[task.layer]
            rows = known[key] = tuple(
                input_rows_needed(layer, task.row_start, task.row_stop, index)
                for index in range(len(layer.inputs))
            )
        ranges.append(rows)
    return ranges


def _freed_bytes(
    program: Program,
    mapping: ChipMapping,
    info: GraphInfo,
    activation_bits: int,
    ranges: list[tuple[tuple[int, int], ...]],
) -> dict[int, int]:
    """Task id -> bytes of home-buffer rows whose last reader (highest task id) it is.

    Rows delivered to a tile are shared by every consumer task on that tile; rows fetched
    from the global buffer or DRAM belong to the copy that fetched them.
    """
    tile_level = mapping.machine.memory.tile_level.name
    last: dict[tuple[str, int, int, int], np.ndarray] = {}
    sizes: dict[tuple[str, int, int, int], int] = {}
    for task in program.tasks:
        layer = info.by_name[task.layer]
        home = mapping.home_tile(task.layer, task.copy)
        for index, producer in enumerate(layer.inputs):
            level = program.edge_levels[(producer, task.layer)]
            owner = -1 if level == tile_level else task.copy  # tile rows: shared on the tile
            key = (producer if owner < 0 else f"{producer}>{task.layer}", home, owner,
                   task.inference)  # fmt: skip
            rows = last.get(key)
            if rows is None:
                rows = np.full(rows_of(layer.input_shapes[index]), -1, dtype=np.int64)
                last[key] = rows
                sizes[key] = row_bytes(layer.input_shapes[index], activation_bits)
            start, stop = ranges[task.task_id][index]
            rows[start:stop] = task.task_id  # ids rise in program order: the last reader wins
    freed: dict[int, int] = {}
    for key, rows in last.items():
        readers, counts = np.unique(rows[rows >= 0], return_counts=True)
        for reader, count in zip(readers.tolist(), counts.tolist(), strict=True):
            freed[reader] = freed.get(reader, 0) + count * sizes[key]
    return freed


def _delivery_targets(
    program: Program,
    mapping: ChipMapping,
    info: GraphInfo,
    ranges: list[tuple[tuple[int, int], ...]],
) -> dict[str, list[tuple[str, int, list[int] | None]]]:
    """Producer -> (level, destination, rows wanted) of its outputs: the destination is a
    consumer's home tile for the tile level, else the instance serving the producer's home.

    Rows wanted: None for all, else a prefix count (element r = wanted rows below row r), so a
    task's share of a delivery is one subtraction.
    """
    memory = mapping.machine.memory
    tile_level = memory.tile_level.name
    wanted: dict[tuple[str, int], np.ndarray] = {}
    shared: dict[str, list[str]] = {}
    for task in program.tasks:
        layer = info.by_name[task.layer]
        home = mapping.home_tile(task.layer, task.copy)
        for index, producer in enumerate(layer.inputs):
            level = program.edge_levels[(producer, task.layer)]
            if level != tile_level:
                if level not in shared.setdefault(producer, []):
                    shared[producer].append(level)
                continue
            start, stop = ranges[task.task_id][index]
            mask = wanted.get((producer, home))
            if mask is None:
                mask = np.zeros(rows_of(layer.input_shapes[index]), dtype=bool)
                wanted[(producer, home)] = mask
            mask[start:stop] = True
    targets: dict[str, list[tuple[str, int, list[int] | None]]] = {}
    for (producer, tile), mask in wanted.items():
        prefix = [0, *np.cumsum(mask, dtype=np.int64).tolist()]
        targets.setdefault(producer, []).append((tile_level, tile, prefix))
    for producer, levels in shared.items():
        if not mapping.has_home(producer):
            continue  # a graph input: nothing delivers it
        home = mapping.home_tile(producer)
        targets.setdefault(producer, []).extend(
            (level, memory.level(level).serving[home], None) for level in levels
        )
    for output in info.outputs:
        home = mapping.home_tile(output)
        targets.setdefault(output, []).append(
            (memory.outermost.name, memory.outermost.serving[home], None)
        )
    return targets
