"""A per-layer table of a network for listings (``cimsim workloads show``) and notebooks."""

from __future__ import annotations

import pandas as pd

from workloads.ir import Shape
from workloads.shapes import GraphInfo

COLUMNS = ("name", "op", "input_shapes", "output_shape", "macs", "params", "work")


def format_shape(shape: Shape) -> str:
    """A batch-free shape as text: (3, 224, 224) -> "3x224x224"."""
    return "x".join(str(d) for d in shape)


def layer_table(info: GraphInfo) -> pd.DataFrame:
    """One row per layer in topological order, with the columns of ``COLUMNS``.

    Shapes are text ("64x56x56"; several inputs joined by ", "); ``macs`` and ``params`` are
    int64; ``work`` is the kind of computation (LayerInfo.work: static_matmul, dynamic_matmul
    or vector).
    """
    rows = [
        (
            layer.name,
            layer.op_kind,
            ", ".join(format_shape(s) for s in layer.input_shapes),
            format_shape(layer.output_shape),
            layer.macs,
            layer.params,
            layer.work,
        )
        for layer in info.layers
    ]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.astype({"macs": "int64", "params": "int64"})
