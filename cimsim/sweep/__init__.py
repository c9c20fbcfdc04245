"""Design-space sweeps on Dask: a sweep file of axes -> one simulated point per combination.

``run_sweep`` resolves every point up front, runs the missing ones on a LocalCluster (or a
cluster given by address), and keeps ``DIR/results.parquet`` complete as points finish;
``plot_pareto`` draws the latency/cost Pareto front. See docs/sweeps.md.

Every name loads on first use (PEP 562): the runner imports Dask, the plot matplotlib, the
others the simulator, none of which ``cimsim --help`` (which builds the sweep parser of
``cimsim.sweep.command``) may wait for.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cimsim.sweep.evaluate import PointTask, evaluate_point, metrics
    from cimsim.sweep.plot import plot_pareto
    from cimsim.sweep.runner import run_sweep
    from cimsim.sweep.spec import SweepFile, SweepPoint, load_sweep, resolve_points

_LAZY = {
    "PointTask": "cimsim.sweep.evaluate",
    "evaluate_point": "cimsim.sweep.evaluate",
    "metrics": "cimsim.sweep.evaluate",
    "SweepFile": "cimsim.sweep.spec",
    "SweepPoint": "cimsim.sweep.spec",
    "load_sweep": "cimsim.sweep.spec",
    "resolve_points": "cimsim.sweep.spec",
    "plot_pareto": "cimsim.sweep.plot",
    "run_sweep": "cimsim.sweep.runner",
}

__all__ = [
    "PointTask",
    "SweepFile",
    "SweepPoint",
    "evaluate_point",
    "load_sweep",
    "metrics",
    "plot_pareto",
    "resolve_points",
    "run_sweep",
]


def __getattr__(name: str) -> Any:
    """The package's names, imported when first asked for."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
