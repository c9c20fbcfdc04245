"""The timeline of a traced run: what each PE did when, and the traffic beneath it.

Top: one row per crossbar group (PE), busy time coloured by layer (the legend names the
layers), weight programming brown, idle time as thinner bars coloured by cause (the same
colours as the bubble chart). A chip with many PEs in use shows one PE per tile (the tile's
first), and more tiles than fit are sampled evenly; the title says so. Bottom (``--trace
full``): bytes per second through the NoC links and each memory level, from the recorded
messages and accesses.
"""

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from cimsim.analysis.bubbles import PE_KINDS, tile_of
from cimsim.plots.style import (
    CAUSE_COLOURS,
    CAUSE_MEANING,
    PROGRAM,
    layer_colours,
    new_figure,
    time_unit,
)

MAX_ROWS = 40
"""Most PE rows drawn; beyond, one PE per tile, then tiles sampled evenly."""
TRAFFIC_BINS = 200
"""Time bins of the traffic panel."""
_PE = re.compile(r"^tile(\d+)\.pe(\d+)$")
_TILE_PORT = re.compile(r"^tile\d+\.(\w+)$")
_INSTANCE = re.compile(r"\d*(\.bank\d+)?$")


def traffic_level(component: str) -> str:
    """The memory level (or "NoC links") an access or message component belongs to:
    "tile3.buffer" -> "tile_buffer", "dram1.bank0" -> "dram", "link3-4" -> "NoC links"."""
    if component.startswith("link"):
        return "NoC links"
    port = _TILE_PORT.match(component)
    if port:
        return f"tile_{port.group(1)}"
    return _INSTANCE.sub("", component)


def shown_pes(pes: Sequence[str]) -> tuple[list[str], str]:
    """The PE rows to draw (in tile, PE order) and a note on what was left out."""
    ordered = sorted(pes, key=lambda c: tuple(int(x) for x in _PE.match(c).groups()))  # type: ignore[union-attr]
    if len(ordered) <= MAX_ROWS:
        return ordered, f"all {len(ordered)} PEs in use"
    first: dict[str, str] = {}
    for pe in ordered:
        first.setdefault(pe.split(".")[0], pe)
    rows = list(first.values())
    note = f"the first PE of each of {len(rows)} tiles ({len(ordered)} PEs in use)"
    if len(rows) > MAX_ROWS:
        picks = np.linspace(0, len(rows) - 1, MAX_ROWS).round().astype(int)
        rows = [rows[i] for i in sorted(set(picks))]
        note = f"the first PE of {len(rows)} of {len(first)} tiles ({len(ordered)} PEs in use)"
    return rows, note


def timeline_figure(
    intervals: pd.DataFrame,
    clock_ghz: float,
    total_cycles: int | None = None,
    layer_order: Sequence[str] | None = None,
) -> Figure:
    """PE activity per row (busy by layer, idle by cause) above the NoC and memory traffic."""
    frame = intervals.copy()
    for column in ("component", "kind", "layer", "cause"):
        frame[column] = frame[column].astype(str)
    end = total_cycles or int(frame["end_cycle"].max())
    unit, per_s = time_unit(end / (clock_ghz * 1e9))
    scale = per_s / (clock_ghz * 1e9)  # cycles -> unit
    on_pes = frame[frame["kind"].isin(PE_KINDS) & frame["component"].str.match(_PE)]
    rows, note = shown_pes(list(on_pes["component"].unique()))
    present = set(on_pes["layer"].unique())
    layers = [n for n in (layer_order or []) if n in present]
    layers += [n for n in on_pes["layer"].unique() if n not in layers and n]
    colours = layer_colours(layers)
    transfers = frame[frame["kind"].isin(("message", "read", "write"))]
    figure = new_figure(12, 2.2 + 0.22 * max(len(rows), 8) + (1.8 if len(transfers) else 0.4))
    ratios = [max(len(rows), 8) * 0.22, 1.8 if len(transfers) else 0.4]
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=ratios)
    _pe_rows(top, on_pes, rows, colours, scale)
    top.set_title(f"PE timeline: {note}; busy coloured by layer, idle (thin) by cause")
    _traffic(bottom, transfers, end, scale, unit)
    bottom.set_xlabel(f"time ({unit})")
    bottom.set_xlim(0, end * scale)
    causes = set(on_pes.loc[on_pes["kind"] == "idle", "cause"].unique())
    used_causes = [c for c in CAUSE_COLOURS if c in causes]
    handles = [Patch(color=colours[n], label=n) for n in layers]
    if (on_pes["kind"] == "program").any():
        handles.append(Patch(color=PROGRAM, label="programming weights"))
    idle = [Patch(facecolor=CAUSE_COLOURS[c], edgecolor="#777777", label=f"{c}: {CAUSE_MEANING[c]}")
            for c in used_causes if c != "drained"]  # fmt: skip
    idle.append(Patch(facecolor="white", edgecolor="#777777",
                      label="blank: drained (no work left, or not yet started)"))  # fmt: skip
    columns = 1 + len(handles) // 28
    figure.legend(handles=handles, title="busy: layer", loc="outside right upper",
                  fontsize=7, title_fontsize=8, ncols=columns)  # fmt: skip
    if idle:  # always: the blank entry explains the white space
        figure.legend(handles=idle, title="idle: cause", loc="outside right lower", fontsize=7,
                      title_fontsize=8)  # fmt: skip
    return figure


def _pe_rows(
    axes: Axes, on_pes: pd.DataFrame, rows: list[str], colours: dict, scale: float
) -> None:
    index = {pe: i for i, pe in enumerate(rows)}
    mine = on_pes[on_pes["component"].isin(index)]
    for (component, kind, layer, cause), spans in mine.groupby(
        ["component", "kind", "layer", "cause"], sort=False
    ):
        row = index[component]
        starts, ends = merged_spans(spans["start_cycle"].to_numpy(), spans["end_cycle"].to_numpy())
        ranges = list(zip(starts * scale, (ends - starts) * scale, strict=True))
        # rasterized: an SVG of thousands of bars stays small and fast; axes and text stay vector
        if kind == "idle":
            colour = CAUSE_COLOURS.get(cause, "#cccccc")
            axes.broken_barh(ranges, (row - 0.2, 0.4), facecolors=colour, linewidth=0,
                             rasterized=True)  # fmt: skip
        else:
            colour = PROGRAM if kind == "program" else colours.get(layer, "#333333")
            axes.broken_barh(ranges, (row - 0.42, 0.84), facecolors=colour, linewidth=0,
                             rasterized=True)  # fmt: skip
    tiles = tile_of(pd.Series(rows)).tolist()
    labels = [f"tile {t} {pe.split('.')[1]}" for t, pe in zip(tiles, rows, strict=True)]
    axes.set_yticks(range(len(rows)), labels, fontsize=7 if len(rows) <= 30 else 5)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_ylabel("crossbar group (PE)")


def merged_spans(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intervals of one track and colour with abutting or overlapping ones joined (the
    same bars, fewer of them to draw)."""
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], np.maximum.accumulate(ends[order])
    new = np.ones(len(starts), dtype=bool)
    new[1:] = starts[1:] > ends[:-1]
    groups = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    last_end = np.zeros(len(first), dtype=ends.dtype)
    np.maximum.at(last_end, groups, ends)
    return starts[first], last_end


def _traffic(axes: Axes, transfers: pd.DataFrame, end: int, scale: float, unit: str) -> None:
    """Bytes per second per level in TRAFFIC_BINS bins of the run (each record's bytes spread
    evenly over its duration)."""
    if transfers.empty:
        axes.text(0.5, 0.5, "NoC and memory traffic: rerun with --trace full to record it",
                  transform=axes.transAxes, ha="center", va="center", fontsize=8,
                  color="#555555")  # fmt: skip
        axes.set_yticks([])
        return
    edges = np.linspace(0, end, TRAFFIC_BINS + 1)
    bin_s = (edges[1] - edges[0]) * scale / _per_second(unit)  # cycles -> unit -> s
    levels = transfers["component"].map(traffic_level)
    for level in _ordered_levels(levels.unique()):
        part = transfers[levels == level]
        rate = _spread(part, edges) / bin_s / 1e9
        axes.plot((edges[:-1] + edges[1:]) / 2 * scale, rate, linewidth=1,
                  label=level.replace("_", " "))  # fmt: skip
    axes.set_ylabel("traffic (GB/s)")
    axes.set_ylim(bottom=0)
    axes.legend(fontsize=7, loc="upper right", ncols=2)
    axes.set_title("data movement over time (NoC: summed over links, so bytes x hops)",
                   fontsize=9)  # fmt: skip


def _per_second(unit: str) -> float:
    return {"ns": 1e9, "µs": 1e6, "ms": 1e3, "s": 1.0}[unit]


def _ordered_levels(levels: Sequence[str]) -> list[str]:
    """NoC first, then the tile level, then the others as they appear."""
    first = [n for n in levels if n == "NoC links"] + [n for n in levels if n.startswith("tile")]
    return first + sorted(n for n in levels if n not in first)


def _spread(records: pd.DataFrame, edges: np.ndarray) -> np.ndarray:
    """Bytes of ``records`` falling in each bin, each record's spread evenly in time."""
    start = records["start_cycle"].to_numpy(dtype=float)
    stop = np.maximum(records["end_cycle"].to_numpy(dtype=float), start + 1e-9)
    nbytes = records["bytes"].to_numpy(dtype=float)
    rate = nbytes / (stop - start)
    # cumulative bytes delivered by time t: sum of rate * overlap([start, stop), [0, t))
    def delivered(t: float) -> float:
        return float((rate * np.clip(np.minimum(stop, t) - start, 0, None)).sum())

    totals = np.array([delivered(t) for t in edges])
    return np.diff(totals)
