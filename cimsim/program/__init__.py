"""The program a scheduler produces and the components execute.

A Program is pure data: for every layer copy an ordered list of tasks (each a range of
output rows of one inference), the dependencies between tasks, and the memory level where
each edge of the network keeps its activations. No SimPy here.
"""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """One unit of scheduled work: output rows [row_start, row_stop) of one layer copy."""

    task_id: int
    """Index of the task in Program.tasks."""
    layer: str
    """Layer name."""
    copy: int
    """Which copy (duplicate) of the layer's weights computes it."""
    inference: int
    """Which input of the batch, from 0."""
    row_start: int
    """First output row."""
    row_stop: int
    """One past the last output row."""
    deps: tuple[int, ...]
    """Tasks whose outputs must be delivered before this task starts (beyond copy order)."""
    wait_cause: str = "input"
    """What waiting for ``deps`` means, for bubble analysis: "input" or "barrier"."""
    credits: tuple[int, ...] = ()
    """Consumer tasks that must have finished before this task may produce more (pipeline
    backpressure: a bounded number of outputs waits in the consumers' buffers)."""


@dataclass(frozen=True)
class Program:
    """Tasks per layer copy, in execution order, plus where every edge stores its data."""

    scheduler: str
    """Name of the policy that produced it."""
    batch: int
    """Inferences in the run."""
    tasks: tuple[Task, ...]
    """All tasks; ``tasks[i].task_id == i``."""
    queues: Mapping[tuple[str, int], tuple[int, ...]]
    """(layer, copy) -> its task ids in the order the copy executes them."""
    edge_levels: Mapping[tuple[str, str], str]
    """(producer, consumer) -> name of the memory level the activations wait in (the tile
    level: delivered into the consumer's tile; another: stored there, then fetched);
    producers include graph inputs."""

    def __post_init__(self) -> None:
        for index, task in enumerate(self.tasks):
            if task.task_id != index:
                raise ValueError(f"task {task.task_id} stored at index {index}")
            if any(dep >= len(self.tasks) or dep < 0 for dep in (*task.deps, *task.credits)):
                raise ValueError(f"task {index} depends on a task that does not exist")
