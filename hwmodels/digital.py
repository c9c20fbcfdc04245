"""Digital units of a tile: shift-and-add, activation, pooling and element-wise vector ALU."""

import math
from dataclasses import dataclass

from hwmodels._validate import require_int_range, require_positive


@dataclass(frozen=True)
class DigitalParams:
    """The digital vector unit of a tile (non-MVM operators: pooling, add, activation)."""

    lanes: int = 32
    """Element operations completed per clock cycle; 1..65536 (cimsim assumption)."""
    clock_ghz: float = 1.2
    """Clock of the digital unit, GHz (ISAAC: digital logic at 1.2 GHz)."""

    def __post_init__(self) -> None:
        require_int_range("lanes", self.lanes, 1, 65536)
        require_positive("clock_ghz", self.clock_ghz)


def vector_op_latency_ns(params: DigitalParams, element_ops: int) -> float:
    """Latency of ``element_ops`` element operations on the vector unit, ns."""
    if element_ops <= 0:
        return 0.0
    return math.ceil(element_ops / params.lanes) / params.clock_ghz
