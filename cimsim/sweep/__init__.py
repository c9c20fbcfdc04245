"""Design-space sweeps on Dask: a sweep file of axes -> one simulated point per combination.

``run_sweep`` resolves every point up front, runs the missing ones on a LocalCluster (or a
cluster given by address), and keeps ``DIR/results.parquet`` complete as points finish;
``plot_pareto`` draws the latency/cost Pareto front. See docs/sweeps.md.

``run_sweep`` and ``plot_pareto`` load on first use (PEP 562): they import Dask and
matplotlib, which the command line needs only when it sweeps or plots.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from cimsim.sweep.evaluate import PointTask, evaluate_point, metrics
from cimsim.sweep.spec import SweepFile, SweepPoint, load_sweep, resolve_points

if TYPE_CHECKING:
    from cimsim.sweep.plot import plot_pareto
    from cimsim.sweep.runner import run_sweep

_LAZY = {"plot_pareto": "cimsim.sweep.plot", "run_sweep": "cimsim.sweep.runner"}

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
    """``run_sweep`` and ``plot_pareto``, imported when first asked for."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
