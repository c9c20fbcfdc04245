"""Orders in which PEs are handed out over the tiles (placement policies).

Consecutive layers talk to each other, so keeping consecutive layers on neighbouring tiles
cuts NoC hops (dataflow-aware placement, Sharma et al. DATE 2024;
docs/references.md#dataflow-pim):
- ``in_order``: row-major, the naive baseline;
- ``snake``: row-major with every other row reversed (boustrophedon), so the order never
  jumps across the chip at a row end;
- ``hilbert``: the tiles sorted by their index on a Hilbert curve over the smallest
  power-of-two square covering the mesh; consecutive tiles are mesh neighbours wherever the
  curve stays inside the mesh.

On chiplets and stacks (``tile_order``) a chiplet or tier is filled before the next, in the
policy's 2-D order within each: chiplets in the policy's order over the chiplet grid
(row-major for ``in_order``; for ``hilbert`` the chain of a space-filling-curve
interposer), tiers bottom up, for ``snake`` and ``hilbert`` every other tier reversed, so that
the curve continues through the vertical link above its last tile (a 3-D space-filling
curve, the order of a TEFLON-style stack's links).
"""

from collections.abc import Callable, Mapping
from types import MappingProxyType

from cimsim.machine import Topology
from cimsim.machine.hierarchy import Chiplets, Stack3D
from cimsim.machine.sfc import hilbert, hilbert_index, layered, row_major, snake

__all__ = ["PLACEMENTS", "hilbert", "hilbert_index", "in_order", "snake", "tile_order"]


def in_order(rows: int, cols: int) -> list[int]:
    """Row-major tile indices."""
    return row_major(rows, cols)


PLACEMENTS: Mapping[str, Callable[[int, int], list[int]]] = MappingProxyType(
    {"in_order": in_order, "snake": snake, "hilbert": hilbert}
)
"""Placement policy name -> 2-D tile order function (rows, cols) -> tile indices."""


def tile_order(name: str, topology: Topology) -> list[int]:
    """Every tile of ``topology`` in the order placement policy ``name`` hands them out
    (module docstring); on one mesh, ``PLACEMENTS[name](rows, cols)``."""
    rows, cols = topology.rows, topology.cols
    if isinstance(topology, Chiplets):
        units, alternate = PLACEMENTS[name](*topology.grid), False
    elif isinstance(topology, Stack3D):
        units, alternate = list(range(topology.tiers)), name != "in_order"
    else:
        return PLACEMENTS[name](rows, cols)
    per_unit = rows * cols
    return [unit * per_unit + cell for unit, cell in layered(name, rows, cols, units, alternate)]
