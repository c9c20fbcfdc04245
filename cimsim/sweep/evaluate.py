"""What a worker does for one point: simulate it and flatten the summary into one table row.

Runs in Dask worker processes, so everything here is picklable and imports only what a
worker needs. A CimsimError (e.g. a network that does not fit) is a result, not a crash:
it becomes a row with ``status = "error"``. Anything else propagates so Dask can retry it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cimsim.config import ArchConfig
from cimsim.errors import CimsimError
from cimsim.options import RunOptions
from cimsim.runs import load_workload, run

OK = "ok"
ERROR = "error"

RUN_SETTINGS: tuple[str, ...] = (
    "scheduler", "duplication", "placement", "extra_pes", "mode", "batch", "seed", "reuse_mode",
)  # fmt: skip
"""The run options a sweep file sets and sweeps (each also a special axis)."""


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs to simulate one point (the network is rebuilt on the worker:
    graphs are not picklable, and built-in networks take milliseconds to build)."""

    key: str
    arch: ArchConfig
    workload: str
    """Built-in network name, or an .onnx path that every worker can read."""
    options: RunOptions


def evaluate_point(task: PointTask) -> dict[str, Any]:
    """Simulate one point; a row of numeric results, or of the CimsimError it raised."""
    try:
        result = run(task.arch, load_workload(task.workload), task.options)
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
    """Every numeric scalar of a run summary, one level of nesting flattened, plus bytes moved.

    ``utilization.pe`` becomes ``utilization_pe``; a unit suffix stays last
    (``energy_by_level_pj.dram`` -> ``energy_by_level_dram_pj``); a nested key that already
    carries its parent's name stays as it is (``bytes.dram_read_bytes`` -> ``dram_read_bytes``).
    Text, lists and deeper tables (per-layer breakdowns, which belong to a run's layers.csv)
    are dropped. ``bytes_moved`` sums the bytes read and written at every level (NoC
    byte-hops excluded). New numeric summary keys flow through with no change here.
    """
    flat: dict[str, float | int] = {}
    for key, value in summary.items():
        if key in RUN_SETTINGS:  # batch, seed, ...: already identity columns of the row
            continue
        if _is_number(value):
            flat[key] = value
        elif isinstance(value, Mapping):
            for sub, number in value.items():
                if _is_number(number):
                    flat.setdefault(_nested_name(key, str(sub)), number)
    moved = summary.get("bytes")
    if isinstance(moved, Mapping):
        counted = [n for key, n in moved.items() if key != "noc_byte_hops" and _is_number(n)]
        flat["bytes_moved"] = sum(counted)
    return flat


UNIT_SUFFIXES = ("_pj", "_j", "_mm2", "_bytes", "_cycles", "_s", "_w")
"""Name endings that carry a unit and so stay last when a nested key is flattened."""


def _nested_name(parent: str, key: str) -> str:
    if key.startswith(parent) or key.endswith(parent) or parent.endswith(f"_{key}"):
        return key
    for suffix in UNIT_SUFFIXES:
        if parent.endswith(suffix) and not key.endswith(suffix):
            return f"{parent.removesuffix(suffix)}_{key}{suffix}"
    return f"{parent}_{key}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
