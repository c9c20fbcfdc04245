"""Shared plumbing of the schedulers: numbering tasks, copy queues, row -> task lookup."""

from collections.abc import Sequence

import numpy as np

from cimsim.program import Program, Task
from workloads.shapes import GraphInfo, input_rows_needed


class ProgramBuilder:
    """Accumulates tasks in execution order per layer copy and builds a Program."""

    def __init__(self, info: GraphInfo) -> None:
        self._info = info
        self.tasks: list[Task] = []
        self.queues: dict[tuple[str, int], list[int]] = {}
        self._row_task: dict[tuple[str, int], np.ndarray] = {}

    def add(
        self,
        layer: str,
        copy: int,
        inference: int,
        rows: tuple[int, int],
        deps: Sequence[int],
        wait_cause: str,
        credits: Sequence[int] = (),
    ) -> int:
        """Append a task for output rows [rows[0], rows[1]) and return its id."""
        task_id = len(self.tasks)
        task = Task(
            task_id, layer, copy, inference, rows[0], rows[1], tuple(deps), wait_cause,
            tuple(credits),
        )  # fmt: skip
        self.tasks.append(task)
        self.queues.setdefault((layer, copy), []).append(task_id)
        lookup = self._row_task.get((layer, inference))
        if lookup is None:
            lookup = np.full(self._info.by_name[layer].output_rows, -1, dtype=np.int64)
            self._row_task[(layer, inference)] = lookup
        lookup[rows[0] : rows[1]] = task_id
        return task_id

    def producer_tasks(
        self, layer: str, inference: int, row_start: int, row_stop: int
    ) -> list[int]:
        """Tasks (already added) that produce the input rows output rows [start, stop) read."""
        info = self._info.by_name[layer]
        deps: list[int] = []
        for index, producer in enumerate(info.inputs):
            lookup = self._row_task.get((producer, inference))
            if lookup is None:
                continue  # a graph input: fetched, not waited for
            start, stop = input_rows_needed(info, row_start, row_stop, index)
            for task_id in np.unique(lookup[start:stop]):
                if task_id < 0:
                    raise ValueError(f"{producer} rows feeding {layer} were not scheduled first")
                deps.append(int(task_id))
        return sorted(set(deps))

    def tasks_of(self, layer: str, inference: int) -> list[int]:
        """Every task (already added) of ``layer`` for ``inference``."""
        lookup = self._row_task.get((layer, inference))
        return [] if lookup is None else sorted({int(t) for t in lookup if t >= 0})

    def build(
        self, scheduler: str, batch: int, edge_levels: dict[tuple[str, str], str]
    ) -> Program:
        """The finished Program."""
        return Program(
            scheduler=scheduler,
            batch=batch,
            tasks=tuple(self.tasks),
            queues={key: tuple(ids) for key, ids in self.queues.items()},
            edge_levels=edge_levels,
        )


def row_blocks(rows: int, parts: int) -> list[tuple[int, int]]:
    """Split ``rows`` into at most ``parts`` contiguous blocks, sizes differing by at most one."""
    parts = min(parts, rows)
    base, extra = divmod(rows, parts)
    blocks, start = [], 0
    for part in range(parts):
        stop = start + base + (1 if part < extra else 0)
        blocks.append((start, stop))
        start = stop
    return blocks
