"""im2col unrolling of a static-weight layer into crossbars (pure arithmetic).

A conv layer with kernel kh x kw, C_in inputs, C_out outputs and g groups unrolls into g
weight matrices of (kh*kw*C_in/g) rows x (C_out/g) columns (a linear layer: F_in x F_out).
Each weight takes ceil(weight_bits / cell_bits) adjacent columns (bit slices); a weight never
straddles two crossbars. So one copy of the layer needs, per group,
row_tiles = ceil(rows / xbar_rows) by col_tiles = ceil(cols / floor(xbar_cols / slices)).
"""

import math
from dataclasses import dataclass

from cimsim.errors import MappingError
from hwmodels.crossbar import CrossbarParams, columns_per_weight, weights_per_crossbar_column_block
from workloads.shapes import LayerInfo


@dataclass(frozen=True)
class LayerTiling:
    """How one copy of a layer's weights covers crossbars."""

    layer: str
    """Layer name."""
    matrix_rows: int
    """im2col rows per group (kh*kw*C_in/groups)."""
    matrix_cols: int
    """Output channels per group."""
    groups: int
    """Independent weight matrices (conv groups)."""
    slices: int
    """Columns per weight: ceil(weight_bits / cell_bits)."""
    row_tiles: int
    """Crossbars stacked along the rows, per group; their partial sums are added digitally."""
    col_tiles: int
    """Crossbars side by side along the columns, per group."""
    crossbar_columns_used: tuple[int, ...]
    """Columns used in each crossbar of one row of col tiles (same for every row tile)."""
    crossbar_rows_used: tuple[int, ...]
    """Rows used in each crossbar of one column of row tiles."""

    @property
    def crossbars(self) -> int:
        """Crossbars one copy occupies."""
        return self.groups * self.row_tiles * self.col_tiles

    @property
    def weight_cells(self) -> int:
        """Cells that hold weights (for utilisation of the arrays)."""
        return self.groups * self.matrix_rows * self.matrix_cols * self.slices


def tile_layer(info: LayerInfo, crossbar: CrossbarParams, weight_bits: int) -> LayerTiling:
    """Unroll a static-weight layer onto crossbars of the given size."""
    if not info.is_mvm:
        raise ValueError(f"layer {info.name} ({info.op_kind}) is not a crossbar layer")
    slices = columns_per_weight(weight_bits, crossbar.cell_bits)
    per_crossbar = weights_per_crossbar_column_block(crossbar, weight_bits)
    if per_crossbar == 0:
        raise MappingError(
            f"layer {info.name}: a {weight_bits}-bit weight needs {slices} columns of "
            f"{crossbar.cell_bits}-bit cells but a crossbar has only {crossbar.cols}"
        )
    rows, cols = info.mvm_rows, info.mvm_cols
    row_tiles = math.ceil(rows / crossbar.rows)
    col_tiles = math.ceil(cols / per_crossbar)
    col_used = tuple(min(per_crossbar, cols - j * per_crossbar) * slices for j in range(col_tiles))
    row_used = tuple(min(crossbar.rows, rows - i * crossbar.rows) for i in range(row_tiles))
    return LayerTiling(
        layer=info.name,
        matrix_rows=rows,
        matrix_cols=cols,
        groups=info.mvm_groups,
        slices=slices,
        row_tiles=row_tiles,
        col_tiles=col_tiles,
        crossbar_columns_used=col_used,
        crossbar_rows_used=row_used,
    )
