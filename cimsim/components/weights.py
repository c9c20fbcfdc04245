"""Loading a part's weights onto the chip: DRAM read, NoC to the tiles, RRAM programming.

For each crossbar layer of the mapping: one DRAM read of one copy of its weights (on the
chip's DRAM port, so loads queue at the DRAM bandwidth), then, for every copy, the copy's
share of those bytes goes over the NoC from the DRAM router to each tile the copy occupies
(share = bytes x crossbars of the copy on that tile / crossbars of the copy), and the copy's
crossbars are programmed. Programming (hwmodels ``RramWriteParams``; write-verify figures
after Wong et al., Proc. IEEE 2012): a crossbar writes one row at a time with all its
columns in parallel, and every crossbar has its own write drivers, so a copy takes
max(rows used per crossbar) x t_cell_write once its bytes have arrived.

Counted (sink kind "rram"): ``cell_write`` = cells that hold weights (bit slices included),
``row_write`` = crossbar rows written; plus DRAM read bytes and NoC bytes as usual. Traced
per PE: idle with cause ``weights`` from the start of the load until its bytes arrive, then
a ``program`` interval.
"""

import math
from collections.abc import Mapping

from cimsim.components.chip import Chip
from cimsim.engine import Process
from cimsim.mapper import ChipMapping, CopyPlacement, LayerTiling
from cimsim.trace import Cause
from hwmodels.crossbar.energy import RramWriteParams, cell_write_latency_ns
from hwmodels.timing import ns_to_cycles


def program_cycles(tiling: LayerTiling, write: RramWriteParams, clock_ghz: float) -> int:
    """Cycles to program one copy: rows of its fullest crossbar x one cell write (ns)."""
    rows = max(tiling.crossbar_rows_used)
    return ns_to_cycles(rows * cell_write_latency_ns(write), clock_ghz)


def rows_written(tiling: LayerTiling) -> int:
    """Crossbar rows one copy programs: every used row of every crossbar."""
    return sum(tiling.crossbar_rows_used) * tiling.col_tiles * tiling.group_blocks


class WeightLoader:
    """Loads the weights of a mapping (a part of a network) onto the chip."""

    def __init__(self, chip: Chip, write: RramWriteParams | None = None) -> None:
        self._chip = chip
        self._write = write or RramWriteParams()

    def load(self, mapping: ChipMapping, weight_bytes: Mapping[str, int]) -> Process:
        """Load every crossbar layer of ``mapping``; ``weight_bytes``: one copy, per layer."""
        engine = self._chip.engine
        start = engine.now_cycles
        layers = [
            engine.process(self._load_layer(name, mapping, weight_bytes[name], start))
            for name in mapping.copies
        ]
        if layers:
            yield engine.all_of(layers)
        self._chip.sink.interval(start, engine.now_cycles, "weights", "weight_load", "")

    def _load_layer(self, name: str, mapping: ChipMapping, size: int, since: int) -> Process:
        chip = self._chip
        yield from chip.dram.access(name, size, write=False)
        tiling = mapping.tilings[name]
        copies = [
            chip.engine.process(self._program_copy(name, placement, tiling, size, mapping, since))
            for placement in mapping.copies[name]
        ]
        yield chip.engine.all_of(copies)

    def _program_copy(
        self,
        name: str,
        placement: CopyPlacement,
        tiling: LayerTiling,
        size: int,
        mapping: ChipMapping,
        since: int,
    ) -> Process:
        chip = self._chip
        per_tile: dict[int, int] = {}
        for group in placement.groups:
            per_tile[group.tile] = per_tile.get(group.tile, 0) + group.crossbars
        total = sum(per_tile.values())
        sends = [
            chip.engine.process(
                chip.noc.send(name, mapping.input_tile, tile, math.ceil(size * count / total))
            )
            for tile, count in sorted(per_tile.items())
        ]
        yield chip.engine.all_of(sends)
        cycles = program_cycles(tiling, self._write, chip.hw.clock_ghz)
        start = chip.engine.now_cycles
        yield chip.engine.timeout(cycles)
        chip.sink.count(name, "rram", "cell_write", tiling.weight_cells)
        chip.sink.count(name, "rram", "row_write", rows_written(tiling))
        for group in placement.groups:
            track = f"tile{group.tile}.pe{group.pe}"
            chip.sink.interval(since, start, track, "idle", name, cause=Cause.WEIGHTS)
            chip.sink.interval(start, start + cycles, track, "program", name)
