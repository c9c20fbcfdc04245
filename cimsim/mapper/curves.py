"""Orders in which PEs are handed out over the tile mesh (placement policies).

Consecutive layers talk to each other, so keeping consecutive layers on neighbouring tiles
cuts NoC hops (dataflow-aware placement, Sharma et al. DATE 2024;
docs/references.md#dataflow-pim):
- ``in_order``: row-major, the naive baseline;
- ``snake``: row-major with every other row reversed (boustrophedon), so the order never
  jumps across the chip at a row end;
- ``hilbert``: the tiles sorted by their index on a Hilbert curve over the smallest
  power-of-two square covering the mesh; consecutive tiles are mesh neighbours wherever the
  curve stays inside the mesh.
"""

from collections.abc import Callable, Mapping
from types import MappingProxyType


def in_order(rows: int, cols: int) -> list[int]:
    """Row-major tile indices."""
    return list(range(rows * cols))


def snake(rows: int, cols: int) -> list[int]:
    """Boustrophedon: even rows left to right, odd rows right to left."""
    order: list[int] = []
    for row in range(rows):
        columns = range(cols) if row % 2 == 0 else range(cols - 1, -1, -1)
        order += [row * cols + col for col in columns]
    return order


def hilbert_index(side: int, row: int, col: int) -> int:
    """Distance of (row, col) along the Hilbert curve filling a ``side`` x ``side`` square.

    The classic iterative conversion: at each scale s, the quadrant adds s*s*(3x ^ y) and
    the coordinates are rotated into that quadrant's frame.
    """
    x, y, distance = col, row, 0
    s = side // 2
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        distance += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        s //= 2
    return distance


def hilbert(rows: int, cols: int) -> list[int]:
    """Tiles sorted by Hilbert-curve index."""
    side = 1
    while side < max(rows, cols):
        side *= 2
    tiles = [(r, c) for r in range(rows) for c in range(cols)]
    tiles.sort(key=lambda rc: hilbert_index(side, rc[0], rc[1]))
    return [r * cols + c for r, c in tiles]


PLACEMENTS: Mapping[str, Callable[[int, int], list[int]]] = MappingProxyType(
    {"in_order": in_order, "snake": snake, "hilbert": hilbert}
)
"""Placement policy name -> tile order function (rows, cols) -> tile indices."""
