"""The Pareto front of a sweep: latency against energy per inference, or against hardware
cost (area, else crossbars used) until the energy model provides energy columns."""

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cimsim.errors import CimsimError
from cimsim.plots.style import energy_unit, time_unit
from cimsim.sweep.evaluate import OK
from cimsim.sweep.store import varying_axes

LATENCY = "latency_s"


def cost_column(frame: pd.DataFrame) -> tuple[str, pd.Series]:
    """(axis label, values) of the cost traded against latency, the best available of:
    energy per inference, energy per run / batch, area, crossbars used."""
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    energy = [c for c in numeric if c.startswith("energy") or c.endswith("energy_pj")]
    per_inference = [c for c in energy if "per_inference" in c]
    if per_inference:
        return per_inference[0], frame[per_inference[0]]
    if energy:
        return f"{energy[0]} per inference", frame[energy[0]] / frame["batch"]
    area = [c for c in numeric if "area" in c]
    if area:
        return area[0], frame[area[0]]
    if "crossbars_used" in frame.columns:
        return "crossbars_used", frame["crossbars_used"]
    raise CimsimError("no cost column (energy, area or crossbars_used) in the sweep results")


def pareto_mask(latency: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """True where no other point is at least as good in both and better in one (minimise
    both); points that tie exactly with a front point are on the front too."""
    order = np.lexsort((cost, latency))
    mask = np.zeros(len(latency), dtype=bool)
    best, last = np.inf, (np.nan, np.nan)
    for i in order:
        if cost[i] < best or (latency[i], cost[i]) == last:
            mask[i] = True
            best, last = cost[i], (latency[i], cost[i])
    return mask


LABEL_ALL_UP_TO = 16
"""Sweeps with at most this many points have every point labelled; larger ones their fronts."""


def display_axis(name: str, values: pd.Series) -> tuple[str, float]:
    """(axis label with unit, divisor) for a results column or cost label: energies in a
    readable multiple of J, latency in s/ms/µs, area in mm², counts as they are."""
    largest = float(values.abs().max()) if len(values) else 1.0
    if name == LATENCY:
        unit, factor = time_unit(largest)
        return f"latency of one run of the batch ({unit})", 1 / factor
    if "energy" in name:
        unit, divisor = energy_unit(largest)
        return f"energy per inference ({unit})", divisor
    if "area" in name:
        return "chip area (mm²)", 1.0
    return name.replace("_", " "), 1.0


def plot_pareto(results: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """Plot latency vs cost of the successful points, one front per workload (front points
    joined and ringed, labelled with the axes that vary); write ``pareto.png`` and
    ``pareto.svg`` into ``out_dir`` and return their paths."""
    if "status" in results.columns:
        results = results[results["status"] == OK]
    if results.empty or LATENCY not in results.columns:
        raise CimsimError("no successful sweep points to plot (every point failed or none ran)")
    frame = results.reset_index(drop=True)
    label, cost = cost_column(frame)
    x_label, x_div = display_axis(LATENCY, frame[LATENCY])
    y_label, y_div = display_axis(label, cost)
    varying = [c for c in varying_axes(frame) if c != "workload"]
    figure = Figure(figsize=(8.0, 5.2), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    groups = frame.groupby("workload", sort=True) if "workload" in frame else [("", frame)]
    label_all = len(frame) <= LABEL_ALL_UP_TO
    for workload, group in groups:
        latency = group[LATENCY].to_numpy(dtype=float) / x_div
        values = cost.loc[group.index].to_numpy(dtype=float) / y_div
        front = pareto_mask(latency, values)
        dots = axes.scatter(latency[~front], values[~front], s=22, alpha=0.45,
                            label=f"{workload}: other points")  # fmt: skip
        colour = dots.get_facecolor()[0][:3] if len(dots.get_offsets()) else None
        order = np.argsort(latency[front])
        axes.step(latency[front][order], values[front][order], where="post", color=colour,
                  marker="o", markersize=7, markeredgecolor="black", linewidth=1.5,
                  label=f"{workload}: Pareto front")  # fmt: skip
        labels: dict[tuple[float, float], list[str]] = {}
        shown = np.ones(len(group), dtype=bool) if label_all else front
        for (_, row), x, y in zip(group[shown].iterrows(), latency[shown], values[shown],
                                  strict=True):  # fmt: skip
            text = ", ".join(f"{c.split('.')[-1]}={row[c]}" for c in varying)
            labels.setdefault((x, y), []).append(text)
        for (x, y), texts in labels.items():
            if any(texts):
                text = texts[0] if len(texts) == 1 else f"{texts[0]} (+{len(texts) - 1} tied)"
                axes.annotate(text, (x, y), fontsize=7, xytext=(4, 4), textcoords="offset points")
    axes.ticklabel_format(useOffset=False, style="plain")
    for values, set_scale in ((frame[LATENCY] / x_div, axes.set_xscale),
                              (cost / y_div, axes.set_yscale)):  # fmt: skip
        positive = values[values > 0]
        if len(positive) and positive.max() > 20 * positive.min():
            set_scale("log")
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.set_title(f"Sweep: {y_label.split(' (')[0]} against latency (lower left is better)")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "pareto.png", out / "pareto.svg"]
    for path in paths:
        figure.savefig(path, dpi=150, metadata=_STABLE_METADATA[path.suffix[1:]])
    return paths


_STABLE_METADATA = {"png": {"Software": None}, "svg": {"Date": None}}
