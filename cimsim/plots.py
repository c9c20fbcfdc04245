"""Figures of a run (matplotlib, Agg): timeline per tile, utilization on the mesh, bubbles
per layer by cause, data movement per level. Each function returns a Figure; ``plot_run``
writes every figure a run directory supports as PNG and SVG."""

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cimsim.analysis.bubbles import bubbles_by_layer, pe_time, tile_of
from cimsim.analysis.rundir import RunDir
from cimsim.progress import Status


def _level_keys(layers: pd.DataFrame) -> list[str]:
    """Columns of bytes moved at each level (reads and writes of every memory level, NoC)."""
    return [c for c in layers.columns if c.endswith(("_read_bytes", "_write_bytes")) or
            c == "noc_bytes"]  # fmt: skip


def timeline_figure(intervals: pd.DataFrame, clock_ghz: float) -> Figure:
    """One row per tile: when its PEs computed, coloured by layer."""
    busy = intervals[intervals["kind"].astype(str) == "mvm"].copy()
    busy["tile"] = tile_of(busy["component"])
    busy = busy.drop_duplicates(["tile", "start_cycle", "end_cycle", "layer"])
    tiles = sorted(busy["tile"].unique())
    layers = list(dict.fromkeys(busy["layer"].astype(str)))
    colours = plt.get_cmap("tab20")
    fig, ax = plt.subplots(figsize=(11, min(1.0 + 0.25 * max(len(tiles), 4), 14.0)))
    us = 1.0 / (clock_ghz * 1e3)
    for row, tile in enumerate(tiles):
        mine = busy[busy["tile"] == tile]
        for layer, spans in mine.groupby(mine["layer"].astype(str), sort=False):
            starts = spans["start_cycle"].to_numpy() * us
            widths = (spans["end_cycle"] - spans["start_cycle"]).to_numpy() * us
            ranges = list(zip(starts, widths, strict=True))
            ax.broken_barh(ranges, (row - 0.4, 0.8), color=colours(layers.index(layer) % 20))
    ax.set_yticks(
        range(len(tiles)), [f"tile {t}" for t in tiles], fontsize=8 if len(tiles) < 48 else 4
    )
    ax.set_xlabel("time (µs)")
    ax.set_title("PE activity per tile (colour = layer)")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


def utilization_heatmap_figure(summary: dict) -> Figure:
    """Tile utilization (busy union / total time) laid out on the NoC mesh."""
    rows, cols = summary["mesh"]
    busy = np.asarray(summary["tile_busy_cycles"], dtype=float).reshape(rows, cols)
    util = busy / max(summary["total_cycles"], 1)
    fig, ax = plt.subplots(figsize=(1.0 + 0.5 * cols, 0.8 + 0.5 * rows))
    image = ax.imshow(util, cmap="viridis", vmin=0.0, vmax=max(util.max(), 1e-9))
    fig.colorbar(image, ax=ax, label="utilization")
    ax.set_xlabel("mesh column")
    ax.set_ylabel("mesh row")
    ax.set_title("tile utilization on the mesh")
    fig.tight_layout()
    return fig


def bubbles_figure(
    intervals: pd.DataFrame, total_cycles: int, layer_order: Sequence[str] | None = None
) -> Figure:
    """Stacked bars: busy and idle PE-cycles per layer, idle split by cause."""
    table = bubbles_by_layer(pe_time(intervals, total_cycles), layer_order)
    fig, ax = plt.subplots(figsize=(max(6, 0.35 * len(table)), 4.5))
    bottom = np.zeros(len(table))
    for column in table.columns:
        ax.bar(table.index, table[column], bottom=bottom, label=column)
        bottom += table[column].to_numpy()
    ax.set_ylabel("PE-cycles")
    ax.set_title("PE time per layer: busy and idle by cause")
    ax.tick_params(axis="x", rotation=90, labelsize=7)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def data_movement_figure(layers: pd.DataFrame) -> Figure:
    """Bytes moved per level, per layer (stacked)."""
    fig, ax = plt.subplots(figsize=(max(6, 0.35 * len(layers)), 4.5))
    bottom = np.zeros(len(layers))
    for key in _level_keys(layers):
        values = layers[key].to_numpy(dtype=float)
        ax.bar(layers["layer"], values, bottom=bottom, label=key.removesuffix("_bytes"))
        bottom += values
    ax.set_ylabel("bytes")
    ax.set_title("data movement per layer and level")
    ax.tick_params(axis="x", rotation=90, labelsize=7)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def energy_figure(summary: dict) -> Figure:
    """Energy per inference by level (dynamic levels and leakage)."""
    levels = summary["energy_by_level_pj"]
    names = sorted(levels, key=lambda n: -levels[n])
    values = [levels[n] / summary["batch"] / 1e6 for n in names]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.barh(names, values)
    ax.invert_yaxis()
    ax.set_xlabel("µJ per inference")
    share = summary["data_movement_share"]
    ax.set_title(f"energy per inference by level (data movement {share:.1%})")
    fig.tight_layout()
    return fig


TRACE_FIGURES = ("timeline", "bubbles")
"""Figures drawn only for a traced run (cimsim run --trace summary or full)."""


def plot_run(run: RunDir, out_dir: Path | None = None, status: Status | None = None) -> list[Path]:
    """Write the run's figures (PNG and SVG) into ``out_dir`` (default: the run's plots/);
    ``status`` is told which figure is being drawn."""
    out_dir = out_dir or run.path / "plots"
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "utilization_mesh": utilization_heatmap_figure(run.summary),
        "data_movement": data_movement_figure(run.layers),
        "energy": energy_figure(run.summary),
    }
    if run.has_trace:
        intervals = run.intervals()
        figures["timeline"] = timeline_figure(intervals, run.summary["clock_ghz"])
        figures["bubbles"] = bubbles_figure(
            intervals, run.summary["total_cycles"], list(run.layers["layer"])
        )
    written = []
    for name, figure in figures.items():
        for suffix in ("png", "svg"):
            path = out_dir / f"{name}.{suffix}"
            tmp = out_dir / f".{name}.tmp.{suffix}"
            figure.savefig(tmp, dpi=110, metadata=_STABLE_METADATA[suffix])
            tmp.replace(path)
            written.append(path)
        plt.close(figure)
    return written


_STABLE_METADATA = {"png": {"Software": None}, "svg": {"Date": None}}
"""No timestamps in the files, so the same run gives the same bytes."""
