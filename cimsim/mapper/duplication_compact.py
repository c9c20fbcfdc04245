"""Duplication policies of compact chips (pure): ``dynamic`` and ``neurosim``.

Both are planners with the signature of ``cimsim.mapper.duplication.Planner`` (plus an
optional ``pes_per_tile``) and obey its rules: a layer never gets more copies than it has
output vectors, and every extra copy must fit in the free PEs.

``dynamic`` -- the bubble-mitigation scheduler of Chen & Yang (AICAS 2025;
docs/references.md#chen-yang), at PE granularity (cimsim places copies on whole PEs, see
placement.py):

    spare = free PEs; dup[l] = 1
    repeat:
        stage[l] = ceil(output_vectors[l] / dup[l])          (predicted stage time)
        l* = the slowest layer not ruled out (ties: first in network order)
        if dup[l*] < output_vectors[l*] and pes[l*] <= spare: dup[l*] += 1; spare -= pes[l*]
        else: rule l* out
    until spare < min(pes) or every layer is ruled out

Unlike CLSA-CIM's ``greedy``, the stage time counts output vectors only, not MVM cycles.

``neurosim`` -- the conventional-mapping duplication of DNN+NeuroSim V1.3 (Chip.cpp,
``PEDesign``, ``SubArrayDup`` and ``OverallEachLayer``, layer-by-layer mode), with a NeuroSim
sub-array = a cimsim crossbar and a NeuroSim PE = a cimsim PE. A PE holds a grid of
a_r x a_c crossbars and a tile a grid of p_r x p_c PEs (``grid``: the most square
factorisation). One copy of a layer spans r x c crossbars (row tiles x column tiles of
its im2col matrix, weight bit slices included). Then

    tiles       = ceil(r / (p_r a_r)) * ceil(c / (p_c a_c))
    pe_dup      = max(1, p_r // ceil(r / a_r)) * max(1, p_c // ceil(c / a_c))
                  if r <= p_r a_r or c <= p_c a_c, else 1
    array_dup   = max(1, a_r // r) * max(1, a_c // c)   if r <= a_r or c <= a_c, else 1
    speed_up    = pe_dup * array_dup                     (NeuroSim's speedUpEachLayer)
    copies      = min(speed_up, output vectors, tiles * PEs per tile // PEs per copy)

(NeuroSim states these in matrix rows and columns, e.g. ceil(R / PE rows); with crossbars
of ``rows`` x ``cols`` they are the same numbers counted in crossbars.) For VGG-8 on the
reference chip this gives tiles 1,1,1,2,4,6,16,1 and speed-ups 32,2,1,1,1,1,1,32, the last
capped to 1 by the single output vector of the final FC layer: the figures
docs/references.md#chen-yang quotes from the reference code. The last bound of ``copies``
is cimsim's: NeuroSim packs several copies into the sub-arrays of one PE, cimsim gives
every copy whole PEs, so the copies are limited to what the layer's tiles hold in whole
PEs (VGG-8 conv1: 1 tile of 16 PEs, 1 PE per copy, so 16 copies where NeuroSim counts a
speed-up of 32).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cimsim.errors import MappingError
from cimsim.mapper.tiling import LayerTiling
from workloads.shapes import GraphInfo


def fill_spare(
    order: Sequence[str],
    vectors: Mapping[str, int],
    units: Mapping[str, int],
    spare: int,
    start: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Chen & Yang's bubble-mitigation loop in any unit (PEs or tiles); see the module doc.

    ``order``: layers in network order; ``vectors``: output vectors per layer (the cap);
    ``units``: units one more copy costs; ``spare``: free units; ``start``: initial copies.
    """
    dup = {name: (start or {}).get(name, 1) for name in order}
    position = {name: index for index, name in enumerate(order)}
    candidates = set(order)
    smallest = min((units[name] for name in order), default=0)
    while candidates and spare >= smallest:
        slowest = min(candidates, key=lambda n: (-math.ceil(vectors[n] / dup[n]), position[n]))
        if dup[slowest] < vectors[slowest] and units[slowest] <= spare:
            dup[slowest] += 1
            spare -= units[slowest]
        else:
            candidates.discard(slowest)
    return dup


def _pes_per_copy(tilings: Mapping[str, LayerTiling], crossbars_per_pe: int) -> dict[str, int]:
    return {name: math.ceil(t.crossbars / crossbars_per_pe) for name, t in tilings.items()}


def _crossbar_layers(info: GraphInfo, tilings: Mapping[str, LayerTiling]) -> list[str]:
    return [layer.name for layer in info.layers if layer.name in tilings]


def dynamic(
    info: GraphInfo,
    tilings: Mapping[str, LayerTiling],
    mvm_cycles: Mapping[str, int],
    crossbars_per_pe: int,
    free_pes: int,
    pes_per_tile: int | None = None,
) -> dict[str, int]:
    """Bubble-mitigation duplication (Chen & Yang, AICAS 2025) over the free PEs."""
    order = _crossbar_layers(info, tilings)
    vectors = {name: info.by_name[name].output_vectors for name in order}
    return fill_spare(order, vectors, _pes_per_copy(tilings, crossbars_per_pe), free_pes)


def grid(count: int) -> tuple[int, int]:
    """The most square (rows, cols) grid of ``count`` units: rows = largest divisor <= sqrt."""
    rows = max(d for d in range(1, math.isqrt(count) + 1) if count % d == 0)
    return rows, count // rows


@dataclass(frozen=True)
class NeuroSimLayer:
    """What DNN+NeuroSim's floor plan gives one layer (module docstring)."""

    tiles: int
    """Whole tiles the layer occupies (one copy and its in-tile duplicates)."""
    speed_up: int
    """NeuroSim's speed-up: duplicates of the weights inside those tiles."""


def neurosim_layer(tiling: LayerTiling, crossbars_per_pe: int, pes_per_tile: int) -> NeuroSimLayer:
    """NeuroSim's tiles and speed-up of one layer (module docstring for the equations)."""
    a_r, a_c = grid(crossbars_per_pe)
    p_r, p_c = grid(pes_per_tile)
    r = tiling.row_tiles
    c = tiling.col_tiles * tiling.group_blocks
    tiles = math.ceil(r / (p_r * a_r)) * math.ceil(c / (p_c * a_c))
    pe_dup = 1
    if r <= p_r * a_r or c <= p_c * a_c:
        pe_dup = max(1, p_r // math.ceil(r / a_r)) * max(1, p_c // math.ceil(c / a_c))
    array_dup = 1
    if r <= a_r or c <= a_c:
        array_dup = max(1, a_r // r) * max(1, a_c // c)
    return NeuroSimLayer(tiles=tiles, speed_up=pe_dup * array_dup)


def neurosim(
    info: GraphInfo,
    tilings: Mapping[str, LayerTiling],
    mvm_cycles: Mapping[str, int],
    crossbars_per_pe: int,
    free_pes: int,
    pes_per_tile: int | None = None,
) -> dict[str, int]:
    """DNN+NeuroSim duplication: each layer duplicated to fill its whole tiles (module doc).

    ``pes_per_tile`` defaults to ``crossbars_per_pe`` (a tile's PE grid the same as a PE's
    crossbar grid, as in the reference configuration: 4 x 4 and 4 x 4). Raises MappingError
    naming the first layer whose copies do not fit in the free PEs.
    """
    per_tile = crossbars_per_pe if pes_per_tile is None else pes_per_tile
    pes = _pes_per_copy(tilings, crossbars_per_pe)
    copies: dict[str, int] = {}
    spare = free_pes
    for name in _crossbar_layers(info, tilings):
        plan = neurosim_layer(tilings[name], crossbars_per_pe, per_tile)
        room = plan.tiles * per_tile // pes[name]
        copies[name] = max(1, min(plan.speed_up, info.by_name[name].output_vectors, room))
        needed = (copies[name] - 1) * pes[name]
        if needed > spare:
            raise MappingError(
                f"layer {name}: the neurosim duplication gives it {copies[name]} copies of "
                f"{pes[name]} PEs, {needed} PEs beyond the first copy, but only {spare} of "
                f"the {free_pes} free PEs are left; use --duplication dynamic or greedy, "
                f"which fill the free PEs without overflowing"
            )
        spare -= needed
    return copies
