"""The figures of a run that need no trace (utilization on the mesh, data movement per layer
and level, energy) and the bubble chart (share of each layer's PE time by cause)."""

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Colormap
from matplotlib.figure import Figure

from cimsim.analysis.bubbles import bubbles_by_layer, pe_time
from cimsim.analysis.energy import level_of
from cimsim.plots.style import (
    CAUSE_MEANING,
    bytes_unit,
    energy_unit,
    kind_colour,
    new_figure,
)

MOVEMENT_LEVELS = ("tile_buffers", "noc", "global_buffer", "dram")
"""Energy levels that move data in the presets (a file's own levels are added by name)."""


def bubbles_figure(
    intervals: pd.DataFrame, total_cycles: int, layer_order: Sequence[str] | None = None
) -> Figure:
    """Per layer, how its PEs spent the run: busy, programming weights, and idle by cause,
    as shares of the layer's PE time (its PEs x the run's cycles), so every bar is 100%."""
    table = bubbles_by_layer(pe_time(intervals, total_cycles), layer_order)
    share = table.div(table.sum(axis=1), axis=0) * 100
    figure = new_figure(11, 1.4 + 0.24 * max(len(share), 6))
    axes = figure.subplots()
    left = np.zeros(len(share))
    positions = np.arange(len(share))
    for column in share.columns:
        values = share[column].to_numpy()
        label = column if column in ("busy", "program") else f"{column}: {CAUSE_MEANING[column]}"
        axes.barh(positions, values, left=left, color=kind_colour(column), label=label,
                  edgecolor="white", linewidth=0.3)  # fmt: skip
        left += values
    pes = (table.sum(axis=1) / max(total_cycles, 1)).round().astype(int)
    busy = share.get("busy", pd.Series(0.0, index=share.index))
    labels = [f"{name} ({n} PE{'s' if n != 1 else ''})" for name, n in pes.items()]
    axes.set_yticks(positions, labels, fontsize=7)
    for y, value in zip(positions, busy, strict=True):
        text = f"{value:.0f}% busy" if value >= 1 or value == 0 else "<1% busy"
        inside = value >= 12  # white on the dark busy bar, else dark just past it
        axes.text(1 if inside else value + 1, y, text, va="center", fontsize=6,
                  color="white" if inside else "black")  # fmt: skip
    axes.set_ylim(len(share) - 0.5, -0.5)
    axes.set_xlim(0, 100)
    axes.set_xlabel("share of the layer's PE time: its PEs x the run's cycles (%)")
    axes.set_title("Where each layer's PE time goes: busy, and idle by cause (bubbles)")
    figure.legend(loc="outside right upper", fontsize=7)
    return figure


def utilization_heatmap_figure(summary: dict) -> Figure:
    """Each tile's busy share of the run (any of its PEs or its vector unit working), laid
    out on the NoC mesh; tiles that never worked are grey."""
    rows, cols = summary["mesh"]
    busy = np.asarray(summary["tile_busy_cycles"], dtype=float)
    percent = np.full(rows * cols, np.nan)
    percent[: len(busy)] = busy / max(summary["total_cycles"], 1) * 100
    grid = np.ma.masked_where(~(percent > 0), percent).reshape(rows, cols)
    figure = new_figure(1.6 + 0.55 * cols, 1.2 + 0.5 * rows)
    axes = figure.subplots()
    cmap = _cmap_with_grey("viridis")
    image = axes.imshow(grid, cmap=cmap, vmin=0, vmax=max(float(np.nanmax(percent)), 1e-9))
    figure.colorbar(image, ax=axes, label="tile busy (% of the run)")
    if rows * cols <= 400:
        for index, value in enumerate(percent):
            if not value > 0:
                continue
            r, c = divmod(index, cols)
            text = f"{value:.0f}" if value >= 1 else "<1"
            axes.text(c, r, text, ha="center", va="center", fontsize=6,
                      color="white" if value < 0.6 * np.nanmax(percent) else "black")  # fmt: skip
    axes.set_xlabel(f"mesh column (tile = row x {cols} + column)")
    axes.set_ylabel("mesh row")
    axes.set_title(f"Tile utilization on the {rows} x {cols} mesh (grey: idle all run)",
                   fontsize=10)  # fmt: skip
    return figure


def _cmap_with_grey(name: str) -> Colormap:
    """The colour map ``name`` with masked cells (idle tiles) grey."""
    return colormaps[name].with_extremes(bad="#d9d9d9")


def level_columns(layers: pd.DataFrame) -> list[str]:
    """Columns of bytes moved per level: reads and writes of every memory level, NoC bytes."""
    return [c for c in layers.columns
            if c.endswith(("_read_bytes", "_write_bytes")) or c == "noc_bytes"]  # fmt: skip


def data_movement_figure(layers: pd.DataFrame) -> Figure:
    """Bytes each layer moved at each level (reads and writes of every memory level, and
    the bytes injected into the NoC), stacked per layer."""
    columns = level_columns(layers)
    frame = layers.set_index("layer")[columns].astype(float)
    unit, divisor = bytes_unit(float(frame.sum(axis=1).max() or 1))
    figure = new_figure(max(7, 0.3 * len(frame) + 3), 4.8)
    axes = figure.subplots()
    bottom = np.zeros(len(frame))
    colours = _level_colours(columns)
    for column in columns:
        values = frame[column].to_numpy() / divisor
        if not values.any():
            continue
        label = "NoC" if column == "noc_bytes" else column.removesuffix("_bytes").replace("_", " ")
        axes.bar(frame.index, values, bottom=bottom, label=label, color=colours[column])
        bottom += values
    axes.set_ylabel(f"data moved ({unit})")
    axes.set_xlabel("layer")
    axes.set_title("Data movement per layer and level (all inferences of the run)")
    axes.tick_params(axis="x", rotation=90, labelsize=7)
    figure.legend(loc="outside right upper", fontsize=7)
    return figure


def _level_colours(columns: list[str]) -> dict[str, tuple[float, ...]]:
    """A read and its write share a hue (write lighter); the NoC is black."""
    palette = colormaps["tab20"].colors
    levels = list(dict.fromkeys(c.rsplit("_", 2)[0] for c in columns if c != "noc_bytes"))
    colours: dict[str, tuple[float, ...]] = {"noc_bytes": (0.15, 0.15, 0.15)}
    for i, level in enumerate(levels):
        colours[f"{level}_read_bytes"] = palette[(2 * i) % 20]
        colours[f"{level}_write_bytes"] = palette[(2 * i + 1) % 20]
    return colours


def energy_figure(summary: dict) -> Figure:
    """Energy per inference: dynamic against leakage, dynamic by level (data movement
    marked), and dynamic by component, each bar labelled with its value."""
    batch = summary["batch"]
    levels = {k: v / batch for k, v in summary["energy_by_level_pj"].items() if k != "leakage"}
    components = {k: v / batch for k, v in summary["energy_by_component_pj"].items()}
    dynamic, leakage = summary["energy_dynamic_pj"] / batch, summary["energy_leakage_pj"] / batch
    movement = set(MOVEMENT_LEVELS) | {k for k in levels if k not in _COMPUTE_LEVELS}
    figure = new_figure(12, 4.6)
    split, by_level, by_component = figure.subplots(1, 3, width_ratios=[1, 2, 2])
    unit, divisor = energy_unit(dynamic + leakage)
    split.bar(["dynamic", "leakage"], [dynamic / divisor, leakage / divisor],
              color=["#1f3b73", "#bdbdbd"])  # fmt: skip
    total = dynamic + leakage
    for x, value in enumerate((dynamic, leakage)):
        split.text(x, value / divisor, f"{value / total:.0%}", ha="center", va="bottom", fontsize=8)
    split.set_ylabel(f"energy per inference ({unit})")
    split.set_title("dynamic vs leakage", fontsize=9)
    _bars(by_level, levels, [("#d95f02" if k in movement else "#1f3b73") for k in
                             sorted(levels, key=lambda k: -levels[k])])  # fmt: skip
    by_level.set_title(
        f"dynamic energy by level (orange: moving data, {summary['data_movement_share']:.1%}"
        " of all energy)", fontsize=9)  # fmt: skip
    ranked = sorted(components, key=lambda k: -components[k])
    _bars(by_component, components,
          [("#d95f02" if level_of(k) in movement else "#1f3b73") for k in ranked])  # fmt: skip
    by_component.set_title("dynamic energy by component", fontsize=9)
    figure.suptitle(
        f"Energy per inference: {total / divisor:,.3g} {unit} "
        f"({summary['workload']} on {summary['arch']}, batch {batch})", fontsize=10)  # fmt: skip
    return figure


_COMPUTE_LEVELS = frozenset({"crossbars", "converters", "digital", "weight_programming"})
"""Energy levels that compute (cimsim.analysis.energy); every other level moves data."""


def _bars(axes: Axes, values: dict[str, float], colours: list[str]) -> None:
    """Horizontal bars, largest on top, each labelled with its value in a readable unit."""
    names = sorted(values, key=lambda n: -values[n])
    unit, divisor = energy_unit(max(values.values(), default=1.0))
    scaled = [values[n] / divisor for n in names]
    axes.barh(names, scaled, color=colours)
    axes.invert_yaxis()
    top = max(scaled, default=1.0)
    for y, value in enumerate(scaled):
        axes.text(value + 0.01 * top, y, f"{value:,.3g}", va="center", fontsize=7)
    axes.set_xlim(0, top * 1.18 if top else 1)
    axes.set_xlabel(f"per inference ({unit})")
    axes.tick_params(axis="y", labelsize=8)
