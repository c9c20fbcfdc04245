"""What loading a part's weights moves and programs, worked out once (pure; no SimPy).

For each crossbar layer of a mapping: one DRAM read of one copy of its weights; then, for
every copy, the copy's share of those bytes goes over the NoC from the DRAM router to each
tile the copy occupies (share = bytes x crossbars of the copy on that tile / crossbars of
the copy, rounded up), and the copy's crossbars are programmed. Programming (hwmodels
``RramWriteParams``; write-verify figures after Wong et al., Proc. IEEE 2012): a crossbar
writes one row at a time with all its columns in parallel, and every crossbar has its own
write drivers, so a copy takes max(rows used per crossbar) x t_cell_write once its bytes
have arrived. The event-driven loader (``components.weights``) and the closed-form
estimate both consume this plan, so they agree on every byte and cell.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from cimsim.mapper import ChipMapping, CopyPlacement, LayerTiling
from hwmodels.crossbar.energy import RramWriteParams, cell_write_latency_ns
from hwmodels.timing import ns_to_cycles


@dataclass(frozen=True)
class CopyLoad:
    """One copy of a layer: where its weight bytes go, and how long programming takes."""

    placement: CopyPlacement
    sends: tuple[tuple[int, int], ...]
    """(tile, bytes) sent from the DRAM router, in tile order."""
    program_cycles: int


@dataclass(frozen=True)
class LayerLoad:
    """Loading every copy of one crossbar layer."""

    layer: str
    dram_bytes: int
    """One copy of its weights, read once from DRAM."""
    copies: tuple[CopyLoad, ...]
    cell_writes: int
    """Cells one copy programs (bit slices included)."""
    row_writes: int
    """Crossbar rows one copy programs."""


def program_cycles(tiling: LayerTiling, write: RramWriteParams, clock_ghz: float) -> int:
    """Cycles to program one copy: rows of its fullest crossbar x one cell write (ns)."""
    rows = max(tiling.crossbar_rows_used)
    return ns_to_cycles(rows * cell_write_latency_ns(write), clock_ghz)


def rows_written(tiling: LayerTiling) -> int:
    """Crossbar rows one copy programs: every used row of every crossbar."""
    return sum(tiling.crossbar_rows_used) * tiling.col_tiles * tiling.group_blocks


def plan_weight_loads(
    mapping: ChipMapping,
    weight_bytes: Mapping[str, int],
    clock_ghz: float,
    write: RramWriteParams | None = None,
) -> tuple[LayerLoad, ...]:
    """The load of every crossbar layer of ``mapping`` (``weight_bytes``: one copy each);
    ``write``: the RRAM write figures, hwmodels' defaults unless given."""
    write = write or RramWriteParams()
    loads = []
    for name, placements in mapping.copies.items():
        tiling, size = mapping.tilings[name], weight_bytes[name]
        cycles = program_cycles(tiling, write, clock_ghz)
        copies = []
        for placement in placements:
            per_tile: dict[int, int] = {}
            for group in placement.groups:
                per_tile[group.tile] = per_tile.get(group.tile, 0) + group.crossbars
            total = sum(per_tile.values())
            sends = tuple(
                (tile, math.ceil(size * count / total)) for tile, count in sorted(per_tile.items())
            )
            copies.append(CopyLoad(placement, sends, cycles))
        loads.append(LayerLoad(name, size, tuple(copies), tiling.weight_cells,
                               rows_written(tiling)))  # fmt: skip
    return tuple(loads)
