"""The figures of a run say what they show: legends name layers and causes, axes carry
units, shares add up, traffic conserves bytes, and the Pareto plot names its axes."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cimsim.plots import (
    bubbles_figure,
    data_movement_figure,
    energy_figure,
    timeline_figure,
    utilization_heatmap_figure,
)
from cimsim.plots.style import CAUSE_COLOURS, kind_colour
from cimsim.plots.timeline import _spread, shown_pes, traffic_level
from cimsim.runs import simulate
from cimsim.sweep.plot import display_axis
from cimsim.trace import Cause


@pytest.fixture(scope="module")
def traced(tiny_arch, small_cnn):
    result = simulate(tiny_arch, small_cnn, scheduler="pipelined", batch=2, trace="full")
    return result, result.intervals()


def _legend_texts(figure) -> list[str]:
    return [t.get_text() for legend in figure.legends for t in legend.get_texts()]


def test_timeline_names_layers_causes_and_draws_traffic(traced) -> None:
    result, intervals = traced
    s = result.summary
    figure = timeline_figure(intervals, s["clock_ghz"], s["total_cycles"],
                             list(result.layers["layer"]))  # fmt: skip
    texts = _legend_texts(figure)
    busy_layers = set(intervals.loc[intervals["kind"] == "mvm", "layer"].astype(str))
    assert busy_layers <= set(texts)
    causes = set(intervals.loc[intervals["kind"] == "idle", "cause"].astype(str)) - {"drained"}
    assert all(any(t.startswith(f"{c}:") for t in texts) for c in causes)
    _, bottom = figure.axes
    assert bottom.get_ylabel() == "traffic (GB/s)" and bottom.get_lines()
    assert bottom.get_xlabel().startswith("time (")


def test_timeline_without_transfers_says_how_to_get_them(traced) -> None:
    result, intervals = traced
    pes_only = intervals[intervals["kind"].astype(str).isin(["mvm", "idle"])]
    figure = timeline_figure(pes_only, result.summary["clock_ghz"])
    assert any("--trace full" in t.get_text() for t in figure.axes[1].texts)


def test_shown_pes_fall_back_to_one_pe_per_tile() -> None:
    few = [f"tile0.pe{i}" for i in range(4)]
    assert shown_pes(few)[0] == few
    many = [f"tile{t}.pe{p}" for t in range(30) for p in range(12)]
    rows, note = shown_pes(many)
    assert rows == [f"tile{t}.pe0" for t in range(30)] and "30 tiles" in note
    huge = [f"tile{t}.pe{p}" for t in range(100) for p in range(2)]
    rows, note = shown_pes(huge)
    assert len(rows) <= 40 and rows[0] == "tile0.pe0" and rows[-1] == "tile99.pe0"


def test_traffic_levels_and_spread_conserve_bytes() -> None:
    assert traffic_level("tile3.buffer") == "tile_buffer"
    assert traffic_level("dram1.bank0") == "dram"
    assert traffic_level("global_buffer") == "global_buffer"
    assert traffic_level("link3-4") == "NoC links"
    records = pd.DataFrame(
        {"start_cycle": [0, 5, 9], "end_cycle": [10, 6, 9], "bytes": [100, 7, 3]}
    )
    binned = _spread(records, np.linspace(0, 10, 6))
    assert binned.sum() == pytest.approx(110) and binned[0] == pytest.approx(20)


def test_bubbles_are_shares_of_each_layers_pe_time(traced) -> None:
    result, intervals = traced
    figure = bubbles_figure(intervals, result.total_cycles, list(result.layers["layer"]))
    axes = figure.axes[0]
    widths: dict[float, float] = {}
    for patch in axes.patches:
        y = round(patch.get_y(), 6)
        widths[y] = widths.get(y, 0.0) + patch.get_width()
    assert widths and all(w == pytest.approx(100) for w in widths.values())
    assert "%" in axes.get_xlabel()


def test_one_colour_per_cause_everywhere() -> None:
    assert set(CAUSE_COLOURS) == {c.value for c in Cause}
    assert len(set(CAUSE_COLOURS.values())) == len(CAUSE_COLOURS)
    assert kind_colour("input") == CAUSE_COLOURS["input"] != kind_colour("busy")


def test_energy_heatmap_and_movement_carry_units(traced) -> None:
    result, _ = traced
    energy = energy_figure(result.summary)
    assert len(energy.axes) == 3
    assert energy.axes[0].get_ylabel().startswith("energy per inference (")
    labels = [t.get_text() for t in energy.axes[1].get_yticklabels()]
    assert "leakage" not in labels and labels  # dynamic levels, leakage on its own panel
    heatmap = utilization_heatmap_figure(result.summary)
    assert any("%" in ax.get_ylabel() for ax in heatmap.axes)  # the colour bar
    movement = data_movement_figure(result.layers)
    assert movement.axes[0].get_ylabel().startswith("data moved (")


def test_pareto_axes_have_names_and_units() -> None:
    latency = pd.Series([0.002, 0.003])
    assert display_axis("latency_s", latency) == ("latency of one run of the batch (ms)", 1e-3)
    energy = pd.Series([2.0e10, 3.0e10])
    assert display_axis("energy_per_inference_pj", energy) == ("energy per inference (mJ)", 1e9)
    assert display_axis("area_mm2", pd.Series([1.0]))[0] == "chip area (mm²)"


def test_figures_of_a_written_run(tmp_path: Path, traced) -> None:
    from cimsim.analysis.rundir import open_run
    from cimsim.plots import plot_run
    from cimsim.runs import write_results

    result, _ = traced
    write_results(result, tmp_path / "run")
    written = plot_run(open_run(tmp_path / "run"))
    names = {p.stem for p in written}
    assert names == {"timeline", "bubbles", "utilization_mesh", "data_movement", "energy"}


def test_merged_spans_join_abutting_and_overlapping_intervals() -> None:
    from cimsim.plots.timeline import merged_spans

    starts, ends = merged_spans(np.array([10, 0, 5, 30, 12]), np.array([12, 5, 8, 40, 20]))
    assert starts.tolist() == [0, 10, 30] and ends.tolist() == [8, 20, 40]
