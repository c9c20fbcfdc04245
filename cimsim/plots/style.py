"""What every figure of a run shares: colours of idle causes and layers, readable units.

One colour per idle cause everywhere (the timeline, the bubble chart, the notebooks), so a
reader who learns that orange means ``input`` in one figure reads it so in all. Busy time is
dark blue, weight programming brown, each idle cause a lighter colour of its own, and
``drained`` (no work: done, or not yet started) nearly white, so the eye goes to the
bubbles of the schedule first.

Figures are ``matplotlib.figure.Figure`` objects made without pyplot: no backend is forced
and no global figure state is kept, so a notebook shows them inline and a script saves them.
"""

from collections.abc import Sequence

from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cimsim.trace import Cause

BUSY = "#1f3b73"
"""Busy (computing) time."""
PROGRAM = "#8c564b"
"""Weight programming (compact chips)."""
CAUSE_COLOURS: dict[str, str] = {
    Cause.BARRIER.value: "#9e9e9e",
    Cause.INPUT.value: "#fdae61",
    Cause.NOC.value: "#74add1",
    Cause.ADC.value: "#b2abd2",
    Cause.BUFFER.value: "#a6d96a",
    Cause.GLOBAL_BUFFER.value: "#66c2a5",
    Cause.DRAM.value: "#f46d43",
    Cause.WEIGHTS.value: "#fee08b",
    Cause.BACKPRESSURE.value: "#f1b6da",
    Cause.DRAINED.value: "#f0f0f0",
}
"""Idle cause -> colour (every cause of cimsim.trace.Cause)."""
CAUSE_MEANING: dict[str, str] = {
    Cause.BARRIER.value: "layer barrier of the schedule",
    Cause.INPUT.value: "waiting for its input rows",
    Cause.NOC.value: "waiting for NoC transfers",
    Cause.ADC.value: "waiting for a shared ADC bank",
    Cause.BUFFER.value: "waiting for a tile buffer port",
    Cause.GLOBAL_BUFFER.value: "waiting for the global buffer",
    Cause.DRAM.value: "waiting for DRAM",
    Cause.WEIGHTS.value: "waiting for weights to load",
    Cause.BACKPRESSURE.value: "waiting for room downstream",
    Cause.DRAINED.value: "no work: done, or not yet started",
}
"""Idle cause -> a few words for legends (docs/outputs.md says more)."""


def kind_colour(name: str) -> str:
    """Colour of a column of a PE-time table: busy, program or an idle cause."""
    if name == "busy":
        return BUSY
    if name == "program":
        return PROGRAM
    return CAUSE_COLOURS.get(name, "#cccccc")


def layer_colours(layers: Sequence[str]) -> dict[str, tuple[float, ...]]:
    """A saturated colour per layer, in network order (tab10, then Dark2, then Set1: 25
    distinct colours before they repeat)."""
    palette = [*colormaps["tab10"].colors, *colormaps["Dark2"].colors, *colormaps["Set1"].colors]
    return {layer: palette[i % len(palette)] for i, layer in enumerate(layers)}


def new_figure(width: float, height: float) -> Figure:
    """A figure with constrained layout that can be saved without pyplot."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def time_unit(seconds: float) -> tuple[str, float]:
    """(unit, factor from seconds) that shows ``seconds`` as a number from 1 to 1000."""
    for unit, factor in (("ns", 1e9), ("µs", 1e6), ("ms", 1e3)):
        if seconds * factor < 1000:
            return unit, factor
    return "s", 1.0


def bytes_unit(nbytes: float) -> tuple[str, float]:
    """(unit, divisor) that shows ``nbytes`` as a number below 1000 (decimal: kB, MB, GB)."""
    for unit, divisor in (("B", 1.0), ("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if nbytes < 1000 * divisor:
            return unit, divisor
    return "TB", 1e12


def energy_unit(picojoules: float) -> tuple[str, float]:
    """(unit, divisor from pJ) that shows ``picojoules`` as a number below 1000."""
    for unit, divisor in (("pJ", 1.0), ("nJ", 1e3), ("µJ", 1e6), ("mJ", 1e9)):
        if picojoules < 1000 * divisor:
            return unit, divisor
    return "J", 1e12
