"""Bounds on the settings of a run, checked before anything is allocated or simulated.

A setting past these bounds is a typo or an overflow (``--batch 9223372036854775808``), never
a run anyone can wait for: refusing it at once, with the range, beats a run that never ends.
The sizes of networks are bounded where they are built (``workloads.zoo``,
``workloads.shapes``), those of architectures by their model (``cimsim.config``).
"""

from typing import Protocol

from cimsim.errors import ConfigError, brief

MAX_BATCH = 1 << 16
"""Most inferences in one run."""
MAX_SEED = 2**63 - 1
"""Largest random seed (a 64-bit signed integer, as result tables store it)."""
MAX_EXTRA_PES = 1 << 24
"""Largest duplication budget in PEs (more than any chip has)."""
MAX_FUNCTIONAL_BATCH = 1 << 12
"""Most inputs of a functional run."""
MAX_WORKERS = 256
"""Most worker processes of a local sweep cluster."""
MAX_ROW_TASKS = 1 << 24
"""Most output-row tasks a program may have (batch x output rows of every layer): at about
200 bytes a task, beyond this the program alone outgrows memory."""


def check_integer(name: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an int (not a bool) in [low, high]; else ConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be an integer from {low:,} to {high:,}, got {brief(value)}")
    return value


def check_run_settings(batch: object, seed: object, extra_pes: object = None) -> None:
    """The batch, the seed and the duplication budget (None: every free PE) of a run."""
    check_integer("--batch", batch, 1, MAX_BATCH)
    check_integer("--seed", seed, 0, MAX_SEED)
    if extra_pes is not None:
        check_integer("--extra-pes", extra_pes, 0, MAX_EXTRA_PES)


class _Layer(Protocol):
    output_rows: int


class _Network(Protocol):
    name: str
    layers: tuple[_Layer, ...]


def check_work(info: _Network, batch: int) -> None:
    """The program of ``batch`` inferences of ``info`` (a ``GraphInfo``) stays buildable:
    at most one task per output row of every layer and inference, MAX_ROW_TASKS in all."""
    rows = sum(layer.output_rows for layer in info.layers)
    if rows * batch > MAX_ROW_TASKS:
        raise ConfigError(
            f"{info.name} at --batch {batch} is up to {rows * batch:,} tasks ({rows:,} output "
            f"rows per inference); at most {MAX_ROW_TASKS:,} are allowed: lower --batch"
        )
