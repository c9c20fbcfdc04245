"""Lowering a part's weight loads into holds: DRAM reads, NoC sends, RRAM programming (pure).

For each crossbar layer of a mapping: one read of one copy of its weights from the instance
of the outermost level (off-chip memory) serving the layer's first copy's home tile; then,
for every copy, the copy's share of those bytes goes over the NoC from that instance's
router to each tile the copy occupies (share = bytes x crossbars of the copy on that tile /
crossbars of the copy, rounded up), and the copy's crossbars are programmed. Programming
(hwmodels ``RramWriteParams``; write-verify figures after Wong et al., Proc. IEEE 2012): a
crossbar writes one row at a time with all its columns in parallel, and every crossbar has
its own write drivers, so a copy takes max(rows used per crossbar) x t_cell_write once its
bytes have arrived. The event timer and the estimate both consume these holds, so they agree
on every byte and cell.
"""

import math
from collections.abc import Mapping

from cimsim.mapper import ChipMapping, LayerTiling
from cimsim.plan import CopyLoadPlan, LayerLoadPlan
from cimsim.plan.lower import Lowering, chain
from hwmodels.crossbar.energy import RramWriteParams, cell_write_latency_ns
from hwmodels.timing import ns_to_cycles


def program_cycles(tiling: LayerTiling, write: RramWriteParams, clock_ghz: float) -> int:
    """Cycles to program one copy: rows of its fullest crossbar x one cell write (ns)."""
    rows = max(tiling.crossbar_rows_used)
    return ns_to_cycles(rows * cell_write_latency_ns(write), clock_ghz)


def rows_written(tiling: LayerTiling) -> int:
    """Crossbar rows one copy programs: every used row of every crossbar."""
    return sum(tiling.crossbar_rows_used) * tiling.col_tiles * tiling.group_blocks


def lower_weight_loads(
    lowering: Lowering,
    mapping: ChipMapping,
    weight_bytes: Mapping[str, int],
    write: RramWriteParams | None = None,
) -> tuple[LayerLoadPlan, ...]:
    """The load of every crossbar layer of ``mapping`` (``weight_bytes``: one copy each);
    ``write``: the RRAM write figures, hwmodels' defaults unless given."""
    write = write or RramWriteParams()
    machine = lowering.machine
    memory = machine.memory.outermost
    crossbar = machine.crossbar
    loads = []
    for name, placements in mapping.copies.items():
        tiling, size = mapping.tilings[name], weight_bytes[name]
        instance = memory.serving[placements[0].home_tile]
        source = memory.routers[instance]
        read = lowering.access(memory, instance, placements[0].home_tile, size, write=False)
        cycles = program_cycles(tiling, write, machine.clock_ghz)
        copies = []
        for placement in placements:
            per_tile: dict[int, int] = {}
            for group in placement.groups:
                per_tile[group.tile] = per_tile.get(group.tile, 0) + group.crossbars
            total = sum(per_tile.values())
            sends = tuple(
                chain(lowering.message(source, tile, math.ceil(size * count / total)))
                for tile, count in sorted(per_tile.items())
            )
            pes = tuple(crossbar.pe_name(g.tile, g.pe) for g in placement.groups)
            copies.append(CopyLoadPlan(sends, cycles, pes))
        loads.append(LayerLoadPlan(name, (read,) if size > 0 else (), tuple(copies),
                                   tiling.weight_cells, rows_written(tiling)))  # fmt: skip
    return tuple(loads)
