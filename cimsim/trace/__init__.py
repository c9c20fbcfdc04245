"""The trace sink components report to: counters, busy time and optional interval records.

Three layers (docs/architecture.md, Traces):
- always on: integer counters keyed by (layer, component kind, action), e.g.
  ("conv1", "adc", "conversion"), priced into energy after the run; busy cycles per
  component id and per tile (the union of its units of work);
- level ``summary``: interval records of every crossbar group (PE) busy or idle, each idle
  interval with its cause, which is what bubble analysis reads;
- level ``full``: also every NoC message on every link, buffer, global-buffer and DRAM access.
Nothing is written to disk here except an optional spill file for very long traces.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from cimsim.trace.intervals import IntervalBuffer


class TraceLevel(StrEnum):
    """How much a run records besides its counters."""

    OFF = "off"
    """Counters and busy time only."""
    SUMMARY = "summary"
    """Plus busy and idle intervals (with causes) of every PE and vector unit."""
    FULL = "full"
    """Plus every message on every link and every buffer and DRAM access."""


class Cause(StrEnum):
    """Why a crossbar group sat idle (bubble attribution)."""

    BARRIER = "barrier"
    """Waiting for a layer barrier of the schedule."""
    INPUT = "input"
    """Waiting for producer tasks to deliver its input activations."""
    NOC = "noc"
    """Waiting for NoC transfers (input slices, partial sums)."""
    ADC = "adc"
    """Waiting for a shared ADC bank."""
    BUFFER = "buffer"
    """Waiting for a tile buffer port."""
    GLOBAL_BUFFER = "global_buffer"
    """Waiting for inputs kept in the global buffer."""
    DRAM = "dram"
    """Waiting for inputs kept in DRAM."""
    WEIGHTS = "weights"
    """Waiting for weights to be loaded and programmed."""
    BACKPRESSURE = "backpressure"
    """Waiting for a consumer to free buffer space for more outputs (pipelines)."""
    DRAINED = "drained"
    """No work left: the PE's last task is done (its part's, on a compact chip, while the
    part's other PEs finish), or its part has not begun. Not a bubble of the schedule."""


@dataclass(frozen=True)
class CounterRow:
    """One counter: how many times ``action`` happened on ``kind`` for ``layer``."""

    layer: str
    kind: str
    action: str
    count: int


class TraceSink:
    """Collects what components did. One sink per run; components receive it."""

    def __init__(self, level: TraceLevel = TraceLevel.OFF, spill_path: Path | None = None) -> None:
        self.level = TraceLevel(level)
        self.records_compute = self.level is not TraceLevel.OFF
        """Whether PE busy/idle intervals are recorded."""
        self.records_transfers = self.level is TraceLevel.FULL
        """Whether link, buffer and DRAM intervals are recorded."""
        self.intervals = IntervalBuffer(spill_path=spill_path) if self.records_compute else None
        self._counts: dict[tuple[str, str, str], int] = {}
        self._busy_cycles: dict[str, int] = {}
        self._tile_active: dict[int, int] = {}
        self._tile_since: dict[int, int] = {}
        self._tile_busy_cycles: dict[int, int] = {}
        self._buffer_bytes: dict[int, int] = {}
        self._buffer_since: dict[int, int] = {}
        self._buffer_peak: dict[int, int] = {}

    def count(self, layer: str, kind: str, action: str, amount: int = 1) -> None:
        """Add ``amount`` to the counter (layer, kind, action)."""
        key = (layer, kind, action)
        self._counts[key] = self._counts.get(key, 0) + amount

    def interval(
        self,
        start: int,
        end: int,
        component: str,
        kind: str,
        layer: str,
        nbytes: int = 0,
        cause: str = "",
    ) -> None:
        """Record one interval (only when the trace level records intervals)."""
        if self.intervals is not None and end > start:
            self.intervals.append(start, end, component, kind, layer, nbytes, cause)

    def busy(self, component: str, cycles: int) -> None:
        """Add ``cycles`` of busy time to ``component``."""
        self._busy_cycles[component] = self._busy_cycles.get(component, 0) + cycles

    def tile_work_started(self, tile: int, now_cycles: int) -> None:
        """A unit of work began on ``tile`` (tile busy time is the union of such spans)."""
        active = self._tile_active.get(tile, 0)
        if active == 0:
            self._tile_since[tile] = now_cycles
        self._tile_active[tile] = active + 1

    def tile_work_finished(self, tile: int, now_cycles: int) -> None:
        """A unit of work ended on ``tile``."""
        active = self._tile_active[tile] - 1
        self._tile_active[tile] = active
        if active == 0:
            span = now_cycles - self._tile_since[tile]
            self._tile_busy_cycles[tile] = self._tile_busy_cycles.get(tile, 0) + span

    def add_tile_busy(self, tile: int, cycles: int) -> None:
        """Add ``cycles`` of busy time to ``tile`` (the estimate, which knows the union of
        the tile's spans without replaying them in time order)."""
        self._tile_busy_cycles[tile] = self._tile_busy_cycles.get(tile, 0) + cycles

    def buffer_level(self, tile: int, now_cycles: int, delta_bytes: int) -> None:
        """Activation bytes held in ``tile``'s buffer changed by ``delta_bytes``.

        Tracks the peak always; with intervals on, records the level as "occupancy" intervals
        (bytes = level) on the buffer's track, which exporters turn into counter tracks.
        """
        level = self._buffer_bytes.get(tile, 0)
        since = self._buffer_since.get(tile, 0)
        if level and now_cycles > since:
            self.interval(since, now_cycles, f"tile{tile}.occupancy", "occupancy", "", level)
        level += delta_bytes
        self._buffer_bytes[tile] = level
        self._buffer_since[tile] = now_cycles
        self._buffer_peak[tile] = max(self._buffer_peak.get(tile, 0), level)

    def buffer_changes(self, tile: int, deltas_bytes: np.ndarray) -> None:
        """Apply a time-ordered run of ``buffer_level`` changes to ``tile`` at once: its level
        and peak (the estimate, which records no intervals)."""
        if self.intervals is not None:
            raise ValueError("buffer_changes records no occupancy intervals: use buffer_level")
        levels = self._buffer_bytes.get(tile, 0) + np.cumsum(deltas_bytes)
        self._buffer_peak[tile] = max(self._buffer_peak.get(tile, 0), int(levels.max()))
        self._buffer_bytes[tile] = int(levels[-1])

    def buffer_peaks(self) -> dict[int, int]:
        """Highest activation bytes each tile buffer held at once."""
        return dict(self._buffer_peak)

    def buffer_levels(self) -> dict[int, int]:
        """Activation bytes each tile buffer holds now."""
        return dict(self._buffer_bytes)

    def add_counts(self, other: "TraceSink", times: int = 1) -> None:
        """Add ``times`` x every counter and busy time of ``other`` (work repeated ``times``
        times: the estimate prices one of a batch of identical tasks and scales it)."""
        for key, count in other._counts.items():
            self._counts[key] = self._counts.get(key, 0) + count * times
        for component, cycles in other._busy_cycles.items():
            self._busy_cycles[component] = self._busy_cycles.get(component, 0) + cycles * times

    def counters(self) -> Iterator[CounterRow]:
        """Every counter, in the order first counted (deterministic)."""
        for (layer, kind, action), count in self._counts.items():
            yield CounterRow(layer, kind, action, count)

    def total(self, kind: str, action: str, layer: str | None = None) -> int:
        """Sum of a counter over layers (or for one layer)."""
        if layer is not None:
            return self._counts.get((layer, kind, action), 0)
        return sum(n for (_, k, a), n in self._counts.items() if k == kind and a == action)

    def busy_cycles(self) -> dict[str, int]:
        """Busy cycles per component id."""
        return dict(self._busy_cycles)

    def tile_busy_cycles(self) -> dict[int, int]:
        """Busy cycles per tile (union of the tile's units of work)."""
        return dict(self._tile_busy_cycles)
