"""Lowering a part's weight loads into holds: DRAM reads, NoC sends, RRAM programming (pure).

For each crossbar layer of a mapping, every copy needs a share of the weights on each tile
it occupies (share = bytes x crossbars of the copy on that tile / crossbars of the copy,
rounded up). The weights are laid out in the off-chip memory (the outermost level) next to
where they go: a tile's shares come from the instance (memory controller) serving it, which
reads them once for all the copies it feeds (min(one copy, the shares it sends) bytes; with
one controller, one copy of the weights, multicast). Once the layer's reads are done, every
share travels to its tile, and each copy's crossbars are programmed once its shares have
arrived. Programming
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
        cycles = program_cycles(tiling, write, machine.clock_ghz)
        sent: dict[int, int] = {}  # instance -> bytes it sends
        copies = []
        for placement in placements:
            per_tile: dict[int, int] = {}
            for group in placement.groups:
                per_tile[group.tile] = per_tile.get(group.tile, 0) + group.crossbars
            total = sum(per_tile.values())
            sends = []
            for tile, count in sorted(per_tile.items()):
                share, instance = math.ceil(size * count / total), memory.serving[tile]
                sent[instance] = sent.get(instance, 0) + share
                sends.append(chain(lowering.message(memory.routers[instance], tile, share)))
            pes = tuple(crossbar.pe_name(g.tile, g.pe) for g in placement.groups)
            copies.append(CopyLoadPlan(tuple(sends), cycles, pes))
        reads = tuple(
            lowering.access(memory, inst, memory.routers[inst], min(size, sent_bytes), False)
            for inst, sent_bytes in sorted(sent.items())
            if size > 0
        )
        loads.append(LayerLoadPlan(name, reads, tuple(copies), tiling.weight_cells,
                                   rows_written(tiling)))  # fmt: skip
    return tuple(loads)
