"""The Pareto front of a sweep: latency against energy per inference, or against hardware
cost (area, else crossbars used) until the energy model provides energy columns."""

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cimsim.errors import CimsimError
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


def plot_pareto(results: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """Plot latency vs cost of the successful points, one front per workload; write
    ``pareto.png`` and ``pareto.svg`` into ``out_dir`` and return their paths."""
    if "status" in results.columns:
        results = results[results["status"] == OK]
    if results.empty or LATENCY not in results.columns:
        raise CimsimError("no successful sweep points to plot (every point failed or none ran)")
    frame = results.reset_index(drop=True)
    label, cost = cost_column(frame)
    varying = [c for c in varying_axes(frame) if c != "workload"]
    figure = Figure(figsize=(7.0, 4.8), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    groups = frame.groupby("workload", sort=True) if "workload" in frame else [("", frame)]
    for workload, group in groups:
        latency = group[LATENCY].to_numpy(dtype=float)
        values = cost.loc[group.index].to_numpy(dtype=float)
        front = pareto_mask(latency, values)
        dots = axes.scatter(latency, values, s=18, alpha=0.45, label=f"{workload} points")
        order = np.argsort(latency[front])
        axes.step(
            latency[front][order],
            values[front][order],
            where="post",
            color=dots.get_facecolor()[0][:3],
            marker="o",
            label=f"{workload} Pareto front",
        )
        labels: dict[tuple[float, float], list[str]] = {}
        for (_, row), x, y in zip(
            group[front].iterrows(), latency[front], values[front], strict=True
        ):
            text = ", ".join(f"{c.split('.')[-1]}={row[c]}" for c in varying)
            labels.setdefault((x, y), []).append(text)
        for (x, y), texts in labels.items():
            if any(texts):
                text = texts[0] if len(texts) == 1 else f"{texts[0]} (+{len(texts) - 1} tied)"
                axes.annotate(text, (x, y), fontsize=7, xytext=(4, 4), textcoords="offset points")
    for values, set_scale in ((frame[LATENCY], axes.set_xscale), (cost, axes.set_yscale)):
        positive = values[values > 0]
        if len(positive) and positive.max() > 20 * positive.min():
            set_scale("log")
    axes.set_xlabel("latency per run (s)")
    axes.set_ylabel(label)
    axes.set_title("Sweep: latency vs " + label)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "pareto.png", out / "pareto.svg"]
    for path in paths:
        figure.savefig(path, dpi=150)
    return paths
