"""Placement of layer copies onto the PEs of the tile mesh (pure).

Crossbars are handed out in a tile order (row-major "in order" by default): each layer copy
takes whole PEs, so a PE and its ADC bank serve one layer copy, as in ISAAC's IMAs and
NeuroSim's PEs. Inside a copy, crossbars are enumerated group by group, column tile by
column tile, row tile by row tile, so that the row tiles whose partial sums are added sit in
the same PE wherever they fit.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cimsim.errors import MappingError
from cimsim.machine import Machine
from cimsim.mapper.tiling import LayerTiling
from workloads.shapes import GraphInfo


@dataclass(frozen=True)
class CrossbarGroup:
    """The crossbars of one layer copy inside one PE; they step together on one ADC bank."""

    tile: int
    """Tile index (row-major on the mesh)."""
    pe: int
    """PE index inside the tile."""
    crossbars: int
    """Crossbars of the copy in this PE."""
    active_columns: int
    """Columns that hold weights, summed over those crossbars (each needs a conversion)."""


@dataclass(frozen=True)
class CopyPlacement:
    """Where one copy of a layer's weights lives."""

    layer: str
    """Layer name."""
    copy: int
    """Copy index."""
    groups: tuple[CrossbarGroup, ...]
    """Its crossbar groups, one per PE used."""
    home_tile: int
    """Tile that gathers partial sums and sends the outputs (the one with most crossbars)."""
    adc_banks: tuple[tuple[int, int], ...]
    """(tile, bank) of the ADC banks its PEs convert on, ascending."""

    @property
    def tiles(self) -> tuple[int, ...]:
        """Distinct tiles the copy occupies, ascending."""
        return tuple(sorted({g.tile for g in self.groups}))


def place_layers(
    info: GraphInfo,
    tilings: Mapping[str, LayerTiling],
    copies: Mapping[str, int],
    machine: Machine,
    tile_order: Sequence[int] | None = None,
) -> dict[str, tuple[CopyPlacement, ...]]:
    """Place ``copies[name]`` copies of every crossbar layer on ``machine``'s crossbar PEs,
    in topological order.

    Raises MappingError naming the first layer that does not fit, what it needs and what
    is free.
    """
    unit = machine.crossbar
    order = list(range(machine.tiles)) if tile_order is None else list(tile_order)
    if sorted(order) != list(range(machine.tiles)):
        raise ValueError("tile_order must be a permutation of the chip's tiles")
    per_pe = unit.crossbars_per_pe
    pe_slots = [(tile, pe) for tile in order for pe in range(unit.pes_per_tile)]
    next_pe = 0
    placed: dict[str, tuple[CopyPlacement, ...]] = {}
    for layer in info.layers:
        if layer.name not in tilings:
            continue
        tiling = tilings[layer.name]
        columns = _crossbar_columns(tiling)
        pes_needed = math.ceil(tiling.crossbars / per_pe)
        layer_copies = []
        for copy in range(copies.get(layer.name, 1)):
            free_pes = len(pe_slots) - next_pe
            if pes_needed > free_pes:
                raise MappingError(
                    f"layer {layer.name} does not fit: copy {copy + 1} needs "
                    f"{tiling.crossbars} crossbars ({tiling.row_tiles} row tiles x "
                    f"{tiling.col_tiles} column tiles x {tiling.group_blocks} group blocks) = "
                    f"{pes_needed} PEs of {per_pe} crossbars, but only {free_pes} of "
                    f"{len(pe_slots)} PEs ({free_pes * per_pe} crossbars) are free after "
                    f"placing the layers before it (a chip that cannot hold every weight can run "
                    f"the network in parts: --scheduler weight_reuse)"
                )
            groups = []
            for k in range(pes_needed):
                tile, pe = pe_slots[next_pe + k]
                chunk = columns[k * per_pe : (k + 1) * per_pe]
                groups.append(CrossbarGroup(tile, pe, len(chunk), sum(chunk)))
            next_pe += pes_needed
            banks = tuple(sorted({(g.tile, g.pe // unit.pes_per_adc_bank) for g in groups}))
            layer_copies.append(
                CopyPlacement(layer.name, copy, tuple(groups), _home_tile(groups), banks)
            )
        placed[layer.name] = tuple(layer_copies)
    return placed


def _crossbar_columns(tiling: LayerTiling) -> list[int]:
    """Used columns of every crossbar of one copy, in placement order."""
    return [
        used * tiling.block_groups(block)
        for block in range(tiling.group_blocks)
        for used in tiling.crossbar_columns_used
        for _row_tile in range(tiling.row_tiles)
    ]


def _home_tile(groups: Sequence[CrossbarGroup]) -> int:
    count: dict[int, int] = {}
    for group in groups:
        count[group.tile] = count.get(group.tile, 0) + group.crossbars
    return max(sorted(count), key=lambda tile: count[tile])


def digital_home_tiles(
    info: GraphInfo, placed: Mapping[str, tuple[CopyPlacement, ...]], input_tile: int
) -> dict[str, int]:
    """Tile of each digital (non-crossbar) layer: the home tile of its first producer.

    Chains of digital layers follow their producer; a layer fed only by graph inputs runs
    on ``input_tile`` (the tile whose router the global buffer hangs off).
    """
    homes: dict[str, int] = {}
    for layer in info.layers:
        if layer.name in placed:
            continue
        tile = input_tile
        for producer in layer.inputs:
            if producer in placed:
                tile = placed[producer][0].home_tile
                break
            if producer in homes:
                tile = homes[producer]
                break
        homes[layer.name] = tile
    return homes
