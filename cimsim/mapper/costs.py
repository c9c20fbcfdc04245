"""Per-vector work and latency of each layer copy, from the hwmodels cost functions (pure).

Computed once per mapping, so the simulated hot path only looks numbers up.
"""

import math
from dataclasses import dataclass

from cimsim.config.hardware import HardwareParams
from cimsim.config.model import ArchConfig
from cimsim.mapper.placement import CopyPlacement
from cimsim.mapper.tiling import LayerTiling
from hwmodels.crossbar import input_steps, mvm_latency_ns
from hwmodels.timing import ns_to_cycles


@dataclass(frozen=True)
class CopyCosts:
    """What one output vector of one layer copy costs."""

    mvm_cycles: int
    """Latency of one MVM: the copy's crossbar groups step together, so the slowest sets it."""
    input_steps: int
    """Bit-serial input steps per MVM."""
    crossbar_reads: int
    """Crossbar read operations per vector (steps x crossbars)."""
    adc_conversions: int
    """ADC conversions per vector (steps x active columns)."""
    dac_drives: int
    """Row-driver activations per vector (steps x rows x column tiles x groups)."""
    input_bytes: int
    """Activation bytes read from the home tile buffer into the input registers."""
    output_bytes: int
    """Output activation bytes written per vector."""
    remote_psum_bytes: tuple[tuple[int, int], ...]
    """(tile, bytes) of partial sums each non-home tile sends to the home tile per vector."""
    remote_input_bytes: tuple[tuple[int, int], ...]
    """(tile, bytes) of input slices the home tile sends to each non-home tile per vector."""


def copy_costs(
    placement: CopyPlacement, tiling: LayerTiling, arch: ArchConfig, hw: HardwareParams
) -> CopyCosts:
    """Costs of one output vector of ``placement`` (one copy of ``tiling``)."""
    bits = arch.precision.activation_bits
    sharing = arch.tile.adc.shared_by_pes
    bank_adcs = arch.tile.adc.per_pe * sharing  # a PE converts on its whole bank
    bank_columns: dict[tuple[int, int], int] = {}
    for group in placement.groups:
        bank = (group.tile, group.pe // sharing)
        bank_columns[bank] = bank_columns.get(bank, 0) + group.active_columns
    # The copy's groups step together; groups on one bank share its conversions.
    slowest_ns = max(
        mvm_latency_ns(
            hw.crossbar,
            hw.dac,
            hw.adc,
            bits,
            math.ceil(columns / bank_adcs),
            arch.tile.dac.input_encoding,
        )
        for columns in bank_columns.values()
    )
    steps = input_steps(bits, hw.dac.bits, arch.tile.dac.input_encoding)
    crossbars = sum(g.crossbars for g in placement.groups)
    active_columns = sum(g.active_columns for g in placement.groups)
    input_bytes = tiling.matrix_rows * tiling.groups * math.ceil(bits / 8)
    output_bytes = tiling.matrix_cols * tiling.groups * math.ceil(bits / 8)
    psum_bytes = math.ceil(arch.precision.psum_bits / 8)
    per_tile: dict[int, int] = {}
    for group in placement.groups:
        per_tile[group.tile] = per_tile.get(group.tile, 0) + group.crossbars
    remote = [t for t in sorted(per_tile) if t != placement.home_tile]
    # A remote tile holds a share of the copy's crossbars: it needs that share of the input
    # rows and returns that share of the column partial sums (one psum per output column
    # per row tile it holds, at most).
    remote_psum = tuple(
        (t, math.ceil(tiling.matrix_cols * tiling.groups * per_tile[t] / crossbars) * psum_bytes)
        for t in remote
    )
    remote_input = tuple((t, math.ceil(input_bytes * per_tile[t] / crossbars)) for t in remote)
    return CopyCosts(
        mvm_cycles=ns_to_cycles(slowest_ns, hw.clock_ghz),
        input_steps=steps,
        crossbar_reads=steps * crossbars,
        adc_conversions=steps * active_columns,
        dac_drives=steps * tiling.matrix_rows * tiling.groups * tiling.col_tiles,
        input_bytes=input_bytes,
        output_bytes=output_bytes,
        remote_psum_bytes=remote_psum,
        remote_input_bytes=remote_input,
    )
