"""Parameters of one RRAM crossbar array."""

from dataclasses import dataclass

from hwmodels._validate import require_int_range, require_positive


@dataclass(frozen=True)
class CrossbarParams:
    """One crossbar array of RRAM cells.

    Default values are ISAAC's (Shafiee et al., ISCA 2016, Table I and Sec. 3): 128x128
    cells of 2 bits, one read of all rows in one 100 ns cycle.
    """

    rows: int = 128
    """Word lines (inputs applied in parallel); 1..4096."""
    cols: int = 128
    """Bit lines (output currents); 1..4096."""
    cell_bits: int = 2
    """Bits stored per cell (conductance levels = 2**cell_bits); 1..8."""
    read_latency_ns: float = 100.0
    """Time for one analog read of all columns (drive rows, settle, sample-and-hold), ns."""

    def __post_init__(self) -> None:
        require_int_range("rows", self.rows, 1, 4096)
        require_int_range("cols", self.cols, 1, 4096)
        require_int_range("cell_bits", self.cell_bits, 1, 8)
        require_positive("read_latency_ns", self.read_latency_ns)
