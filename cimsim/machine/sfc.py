"""Orders of the routers of a grid: row-major, boustrophedon and Hilbert curves (pure).

The machine uses them to lay links along a space-filling curve (a Floret-style interposer,
a TEFLON-style 3-D network; cimsim.machine.hierarchy), the mapper to hand out tiles in the
same orders (cimsim.mapper.curves). Indices are row-major on a ``rows`` x ``cols`` grid.
"""

from collections.abc import Sequence


def row_major(rows: int, cols: int) -> list[int]:
    """Row-major indices."""
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
    """Indices sorted by their distance along the Hilbert curve of the smallest power-of-two
    square covering the grid; consecutive indices are grid neighbours wherever the curve
    stays inside the grid (always, for a power-of-two square)."""
    side = 1
    while side < max(rows, cols):
        side *= 2
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    cells.sort(key=lambda rc: hilbert_index(side, rc[0], rc[1]))
    return [r * cols + c for r, c in cells]


CURVES = {"in_order": row_major, "snake": snake, "hilbert": hilbert}
"""Placement name -> order of a 2-D grid."""


def layered(
    curve: str,
    rows: int,
    cols: int,
    units: Sequence[int],
    alternate: bool,
) -> list[tuple[int, int]]:
    """(unit, index in the unit) of every router of several ``rows`` x ``cols`` grids (the
    chiplets of a package, the tiers of a stack): the units in the order ``units``, each
    filled in the 2-D ``curve`` before the next; with ``alternate``, every other unit in
    reverse, so that a curve continues from the last router of one unit to the router
    above it in the next (a 3-D boustrophedon of 2-D curves)."""
    within = CURVES[curve](rows, cols)
    order: list[tuple[int, int]] = []
    for k, unit in enumerate(units):
        cells = within[::-1] if alternate and k % 2 else within
        order += [(unit, cell) for cell in cells]
    return order
