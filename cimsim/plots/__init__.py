"""Figures of a run (matplotlib): what docs/outputs.md calls timeline, bubbles,
utilization_mesh, data_movement and energy. Each function returns a Figure (made without
pyplot: a notebook shows it inline, a script saves it); ``plot_run`` writes every figure a
run directory supports as PNG and SVG."""

from pathlib import Path

from matplotlib.figure import Figure

from cimsim.analysis.rundir import RunDir
from cimsim.plots.run_figures import (
    bubbles_figure,
    data_movement_figure,
    energy_figure,
    utilization_heatmap_figure,
)
from cimsim.plots.style import CAUSE_COLOURS, layer_colours
from cimsim.plots.timeline import timeline_figure
from cimsim.progress import Status

__all__ = [
    "CAUSE_COLOURS",
    "TRACE_FIGURES",
    "bubbles_figure",
    "data_movement_figure",
    "energy_figure",
    "layer_colours",
    "plot_run",
    "timeline_figure",
    "utilization_heatmap_figure",
]

TRACE_FIGURES = ("timeline", "bubbles")
"""Figures drawn only for a traced run (cimsim run --trace summary or full)."""

_STABLE_METADATA = {"png": {"Software": None}, "svg": {"Date": None}}
"""No timestamps in the files, so the same run gives the same bytes."""


def plot_run(run: RunDir, out_dir: Path | None = None, status: Status | None = None) -> list[Path]:
    """Write the run's figures (PNG and SVG) into ``out_dir`` (default: the run's plots/);
    ``status`` is told which figure is being drawn."""
    out_dir = out_dir or run.path / "plots"
    out_dir.mkdir(parents=True, exist_ok=True)
    summary, layers = run.summary, run.layers
    makers = {
        "utilization_mesh": lambda: utilization_heatmap_figure(summary),
        "data_movement": lambda: data_movement_figure(layers),
        "energy": lambda: energy_figure(summary),
    }
    if run.has_trace:
        intervals = run.intervals(energy=False)
        order = list(layers["layer"])
        makers["timeline"] = lambda: timeline_figure(
            intervals, summary["clock_ghz"], summary["total_cycles"], order
        )
        makers["bubbles"] = lambda: bubbles_figure(intervals, summary["total_cycles"], order)
    written = []
    for name, make in makers.items():
        if status:
            status.update(f"drawing figures: {name}")
        written += _save(make(), out_dir, name)
    return written


def _save(figure: Figure, out_dir: Path, name: str) -> list[Path]:
    written = []
    for suffix in ("png", "svg"):
        path = out_dir / f"{name}.{suffix}"
        tmp = out_dir / f".{name}.tmp.{suffix}"
        figure.savefig(tmp, dpi=110, metadata=_STABLE_METADATA[suffix])
        tmp.replace(path)
        written.append(path)
    return written
