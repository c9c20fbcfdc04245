"""im2col unrolling of a static-weight layer into crossbars (pure arithmetic).

A conv layer with kernel kh x kw, C_in inputs, C_out outputs and g groups unrolls into g
weight matrices of (kh*kw*C_in/g) rows x (C_out/g) columns (a linear layer: F_in x F_out).
Each weight takes its encoding's columns (hwmodels.crossbar.cost; ceil(weight_bits /
cell_bits) bit slices for offset weights); a weight never
straddles two crossbars. So one copy of the layer needs, per group,
row_tiles = ceil(rows / xbar_rows) by col_tiles = ceil(cols / floor(xbar_cols / slices)).
Groups small enough to share one crossbar (depthwise convolutions: 9 rows x 1 column each)
are packed block-diagonally, as MNSIM and NeuroSim map them:
groups_per_crossbar = min(floor(xbar_rows / rows), floor(xbar_cols / (cols x slices))).
"""

import math
from dataclasses import dataclass

from cimsim.errors import MappingError
from hwmodels.crossbar import CrossbarParams, columns_per_weight, weights_per_crossbar_column_block
from hwmodels.crossbar.cost import WeightEncoding
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
    groups_per_crossbar: int
    """Groups packed block-diagonally into one crossbar (1 unless a group is tiny)."""
    slices: int
    """Columns per weight: ceil(weight_bits / cell_bits)."""
    row_tiles: int
    """Crossbars stacked along the rows, per group; their partial sums are added digitally."""
    col_tiles: int
    """Crossbars side by side along the columns, per group."""
    crossbar_columns_used: tuple[int, ...]
    """Columns used in each crossbar of one row of col tiles, for one group."""
    crossbar_rows_used: tuple[int, ...]
    """Rows used in each crossbar of one column of row tiles, for one group."""

    @property
    def group_blocks(self) -> int:
        """Blocks of packed groups: ceil(groups / groups_per_crossbar)."""
        return math.ceil(self.groups / self.groups_per_crossbar)

    @property
    def crossbars(self) -> int:
        """Crossbars one copy occupies."""
        return self.group_blocks * self.row_tiles * self.col_tiles

    def block_groups(self, block: int) -> int:
        """Groups packed in group block ``block``."""
        return min(self.groups_per_crossbar, self.groups - block * self.groups_per_crossbar)

    @property
    def weight_cells(self) -> int:
        """Cells that hold weights (for utilisation of the arrays)."""
        return self.groups * self.matrix_rows * self.matrix_cols * self.slices


def tile_layer(
    info: LayerInfo,
    crossbar: CrossbarParams,
    weight_bits: int,
    encoding: WeightEncoding = "offset",
) -> LayerTiling:
    """Unroll a static-weight layer onto crossbars of the given size."""
    if not info.is_mvm:
        raise ValueError(f"layer {info.name} ({info.op_kind}) is not a crossbar layer")
    slices = columns_per_weight(weight_bits, crossbar.cell_bits, encoding)
    per_crossbar = weights_per_crossbar_column_block(crossbar, weight_bits, encoding)
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
    packed = 1
    if info.mvm_groups > 1 and row_tiles == 1 and col_tiles == 1:
        packed = min(crossbar.rows // rows, per_crossbar // cols, info.mvm_groups)
    return LayerTiling(
        layer=info.name,
        matrix_rows=rows,
        matrix_cols=cols,
        groups=info.mvm_groups,
        groups_per_crossbar=packed,
        slices=slices,
        row_tiles=row_tiles,
        col_tiles=col_tiles,
        crossbar_columns_used=col_used,
        crossbar_rows_used=row_used,
    )
