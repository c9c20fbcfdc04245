"""RRAM crossbar arrays: parameters, tiling arithmetic and latency of one MVM."""

from hwmodels.crossbar.cost import (
    columns_per_weight,
    input_steps,
    mvm_latency_ns,
    weights_per_crossbar_column_block,
)
from hwmodels.crossbar.params import CrossbarParams

__all__ = [
    "CrossbarParams",
    "columns_per_weight",
    "input_steps",
    "mvm_latency_ns",
    "weights_per_crossbar_column_block",
]
