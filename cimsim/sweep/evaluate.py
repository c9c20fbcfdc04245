"""What a worker does for one point: simulate it and flatten the summary into one table row.

Runs in Dask worker processes, so everything here is picklable and imports only what a
worker needs. A CimsimError (e.g. a network that does not fit) is a result, not a crash:
it becomes a row with ``status = "error"``. Anything else propagates so Dask can retry it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cimsim.analysis.summary import LEVEL_COUNTERS
from cimsim.config import ArchConfig
from cimsim.errors import CimsimError
from cimsim.simulate import load_workload, simulate

OK = "ok"
ERROR = "error"


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs to simulate one point (the network is rebuilt on the worker:
    graphs are not picklable, and built-in networks take milliseconds to build)."""

    key: str
    arch: ArchConfig
    workload: str
    """Built-in network name, or an .onnx path that every worker can read."""
    scheduler: str
    batch: int
    seed: int
    mode: str


def evaluate_point(task: PointTask) -> dict[str, Any]:
    """Simulate one point; a row of numeric results, or of the CimsimError it raised."""
    try:
        if task.mode != "event":
            raise CimsimError(f"mode {task.mode!r} is not available; available: event")
        graph = load_workload(task.workload)
        result = simulate(task.arch, graph, task.scheduler, task.batch, task.seed)
    except CimsimError as exc:
        return error_row(task.key, exc, retryable=False)
    return {**ok_row(task.key), **metrics(result.summary)}


def ok_row(key: str) -> dict[str, Any]:
    """The bookkeeping columns of a point that finished."""
    return {"key": key, "status": OK, "error": None, "error_type": None, "retryable": False}


def error_row(key: str, exc: BaseException, retryable: bool) -> dict[str, Any]:
    """The bookkeeping columns of a failed point. ``retryable`` failures (a worker killed too
    often, an internal error) are run again when the sweep is resumed; CimsimErrors are not."""
    message = str(exc) or repr(exc)
    return {
        "key": key,
        "status": ERROR,
        "error": message,
        "error_type": type(exc).__name__,
        "retryable": retryable,
    }


def metrics(summary: Mapping[str, Any]) -> dict[str, float | int]:
    """Every numeric scalar of a run summary, nested dicts flattened, plus data-movement shares.

    ``utilization.pe`` becomes ``utilization_pe``; a nested key that already carries its
    parent's name stays as it is (``bytes.dram_read_bytes`` -> ``dram_read_bytes``). Strings
    (names, versions) are dropped. ``bytes_moved`` is the bytes read and written at all levels
    (NoC byte-hops excluded), and ``data_movement_share_<level>`` each level's share of it.
    Energy and area keys flow through unchanged once the summary has them.
    """
    flat = _flatten(summary)
    by_level: dict[str, int] = {}
    moved = summary.get("bytes")
    if isinstance(moved, Mapping):
        for key, level, action in LEVEL_COUNTERS:
            if action != "byte_hop" and isinstance(moved.get(key), int | float):
                by_level[level] = by_level.get(level, 0) + moved[key]
    if by_level:
        total = sum(by_level.values())
        flat["bytes_moved"] = total
        for level, count in by_level.items():
            flat[f"data_movement_share_{level}"] = count / total if total else 0.0
    return flat


def _flatten(
    node: Mapping[str, Any], parent_name: str = "", parent_key: str = ""
) -> dict[str, float | int]:
    flat: dict[str, float | int] = {}
    for raw_key, value in node.items():
        key = str(raw_key)
        carries_parent = parent_key and (key.startswith(parent_key) or key.endswith(parent_key))
        name = key if not parent_name or carries_parent else f"{parent_name}_{key}"
        if isinstance(value, Mapping):
            items = _flatten(value, name, key).items()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            items = {name: value}.items()
        else:
            continue
        for sub, number in items:
            flat[sub if sub not in flat else f"{parent_name}_{sub}"] = number
    return flat
