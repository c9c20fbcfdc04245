"""Design-space sweeps on Dask: a sweep file of axes -> one simulated point per combination.

``run_sweep`` resolves every point up front, runs the missing ones on a LocalCluster (or a
cluster given by address), and keeps ``DIR/results.parquet`` complete as points finish;
``plot_pareto`` draws the latency/cost Pareto front. See docs/sweeps.md.
"""

from cimsim.sweep.evaluate import PointTask, evaluate_point, metrics
from cimsim.sweep.plot import plot_pareto
from cimsim.sweep.runner import run_sweep
from cimsim.sweep.spec import SweepFile, SweepPoint, load_sweep, resolve_points

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
