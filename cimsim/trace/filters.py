"""Keeping part of a trace: some tiles, some layers, a window of time.

``cimsim trace RUN --tiles 0-7,12 --layers conv1,fc --window 0:50`` keeps the intervals of
components on tiles 0-7 and 12 (a NoC link counts for the tile it leaves; chip-level
memories such as the global buffer and DRAM stay), of layers conv1 and fc (records without
a layer, the buffer occupancy, stay), overlapping 0-50 µs (clipped to it). Each filter is
optional; together they intersect.
"""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cimsim.errors import CimsimError, brief

_TILE = re.compile(r"^tile(\d+)\.")
_LINK = re.compile(r"^link(\d+)-(\d+)$")


def tile_of_component(component: str) -> int:
    """The tile a component sits on ("tile3.pe1" -> 3, "link3-4" leaves 3); -1 for
    chip-level components (global buffer, DRAM)."""
    match = _TILE.match(component) or _LINK.match(component)
    return int(match.group(1)) if match else -1


@dataclass(frozen=True)
class TraceFilter:
    """Which intervals of a trace to keep (None: no restriction)."""

    tiles: frozenset[int] | None = None
    layers: frozenset[str] | None = None
    window_us: tuple[float, float] | None = None
    """[start, end) in µs; end may be infinite."""

    @property
    def is_empty(self) -> bool:
        """Whether it keeps everything."""
        return self.tiles is None and self.layers is None and self.window_us is None

    @classmethod
    def parse(cls, tiles: str | None, layers: str | None, window: str | None) -> "TraceFilter":
        """From the command line's ``--tiles 0-7,12``, ``--layers a,b``, ``--window 0:50``."""
        return cls(
            tiles=None if tiles is None else _parse_tiles(tiles),
            layers=None if layers is None else _parse_names(layers),
            window_us=None if window is None else _parse_window(window),
        )

    def apply(self, intervals: pd.DataFrame, clock_ghz: float) -> pd.DataFrame:
        """The rows of ``intervals`` (the trace columns) this filter keeps, clipped to the
        window."""
        if self.is_empty:
            return intervals
        keep = np.ones(len(intervals), dtype=bool)
        if self.tiles is not None:
            component = intervals["component"].astype(str)
            tiles = {name: tile_of_component(name) for name in component.unique()}
            wanted = {n for n, t in tiles.items() if t in self.tiles or t < 0}
            keep &= component.isin(wanted).to_numpy()
        if self.layers is not None:
            layer = intervals["layer"].astype(str)
            keep &= (layer.isin(self.layers) | (layer == "")).to_numpy()
        frame = intervals[keep]
        if self.window_us is not None:
            cycles_per_us = clock_ghz * 1e3
            low = int(np.floor(self.window_us[0] * cycles_per_us))
            high = self.window_us[1] * cycles_per_us
            high_cycle = np.iinfo(np.int64).max if np.isinf(high) else int(np.ceil(high))
            inside = (frame["end_cycle"] > low) & (frame["start_cycle"] < high_cycle)
            frame = frame[inside].copy()
            frame["start_cycle"] = frame["start_cycle"].clip(lower=low)
            frame["end_cycle"] = frame["end_cycle"].clip(upper=high_cycle)
        return frame


def _parse_tiles(text: str) -> frozenset[int]:
    tiles: set[int] = set()
    for part in text.split(","):
        low, sep, high = part.strip().partition("-")
        try:
            first = int(low)
            last = int(high) if sep else first
        except ValueError:
            first, last = 0, -1
        if first < 0 or last < first:
            raise CimsimError(f"--tiles {brief(text)}: expected tile numbers and ranges, "
                              "e.g. 0-7,12")  # fmt: skip
        tiles.update(range(first, last + 1))
    return frozenset(tiles)


def _parse_names(text: str) -> frozenset[str]:
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise CimsimError(f"--layers {brief(text)}: expected layer names, e.g. conv1,fc")
    return names


def _parse_window(text: str) -> tuple[float, float]:
    start, sep, end = text.partition(":")
    try:
        low = float(start) if start.strip() else 0.0
        high = float(end) if end.strip() else float("inf")
    except ValueError:
        low, high = 0.0, -1.0
    if not sep or not np.isfinite(low) or low < 0 or high <= low:
        raise CimsimError(f"--window {brief(text)}: expected START:END in µs with "
                          "0 <= START < END, e.g. 0:50 or 120: (to the end)")  # fmt: skip
    return low, high
