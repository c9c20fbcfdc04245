"""cimsim: cycle-level discrete-event simulation of tiled RRAM compute-in-memory chips.

The Python API (docs/api.md)::

    import cimsim
    arch = cimsim.load_arch("isaac", {"tile.adc.bits": 6})
    graph = cimsim.load_workload("resnet18")
    result = cimsim.simulate(arch, graph, scheduler="pipelined", batch=8)
    result.summary["latency_s"], result.layers, result.energy_breakdown()

Names load on first use, so ``import cimsim`` stays light (the command line starts fast).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from cimsim.analysis.rundir import RunDir, open_run
    from cimsim.config import ArchConfig, load_arch, preset_names
    from cimsim.errors import CimsimError
    from cimsim.options import RunOptions
    from cimsim.runs import RunResult, load_workload, run, simulate, write_results
    from cimsim.sweep import run_sweep

_LAZY = {
    "ArchConfig": "cimsim.config",
    "CimsimError": "cimsim.errors",
    "RunDir": "cimsim.analysis.rundir",
    "RunOptions": "cimsim.options",
    "RunResult": "cimsim.runs",
    "load_arch": "cimsim.config",
    "load_workload": "cimsim.runs",
    "open_run": "cimsim.analysis.rundir",
    "preset_names": "cimsim.config",
    "run": "cimsim.runs",
    "run_sweep": "cimsim.sweep",
    "simulate": "cimsim.runs",
    "write_results": "cimsim.runs",
}

__all__ = [
    "ArchConfig",
    "CimsimError",
    "RunDir",
    "RunOptions",
    "RunResult",
    "__version__",
    "load_arch",
    "load_workload",
    "open_run",
    "preset_names",
    "run",
    "run_sweep",
    "simulate",
    "write_results",
]


def __getattr__(name: str) -> Any:
    """The API's names, imported when first asked for."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
