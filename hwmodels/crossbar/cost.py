"""Tiling arithmetic and latency of a crossbar MVM (pure functions).

A ``weight_bits`` weight occupies ``ceil(weight_bits / cell_bits)`` adjacent columns (bit
slices, ISAAC Sec. 4). An input of ``input_bits`` is streamed through ``dac_bits`` DACs in
``ceil(input_bits / dac_bits)`` steps; every step reads the array once and converts each
active column once in the ADCs that serve it.
"""

import math

from hwmodels.converters import AdcParams, DacParams
from hwmodels.crossbar.params import CrossbarParams


def columns_per_weight(weight_bits: int, cell_bits: int) -> int:
    """Adjacent columns (bit slices) one weight occupies: ceil(weight_bits / cell_bits)."""
    return math.ceil(weight_bits / cell_bits)


def weights_per_crossbar_column_block(xbar: CrossbarParams, weight_bits: int) -> int:
    """Output channels one crossbar holds side by side; a weight never straddles two."""
    per_weight = columns_per_weight(weight_bits, xbar.cell_bits)
    if per_weight > xbar.cols:
        return 0
    return xbar.cols // per_weight


def input_steps(input_bits: int, dac_bits: int) -> int:
    """Bit-serial input steps per MVM: ceil(input_bits / dac_bits)."""
    return math.ceil(input_bits / dac_bits)


def mvm_latency_ns(
    xbar: CrossbarParams,
    dac: DacParams,
    adc: AdcParams,
    input_bits: int,
    conversions_per_adc_per_step: int,
) -> float:
    """Latency of one full MVM (all input bit steps) of a crossbar group, ns.

    Array read and ADC conversion are pipelined across steps (ISAAC Sec. 5: one step per
    100 ns cycle, the ADC converting the previous step's sampled columns), so
    latency = read + steps x max(read, conversions per ADC x conversion time).
    """
    steps = input_steps(input_bits, dac.bits)
    convert_ns = conversions_per_adc_per_step * adc.conversion_ns
    return xbar.read_latency_ns + steps * max(xbar.read_latency_ns, convert_ns)
