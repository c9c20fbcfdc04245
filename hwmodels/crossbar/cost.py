"""Tiling arithmetic and latency of a crossbar MVM (pure functions).

Columns per weight of ``b`` bits on cells of ``c`` bits, by signed-weight encoding
(ISAAC Sec. 4 slices weights over adjacent columns; the encodings are those of the
bit-accurate kernels, hwmodels.crossbar.mvm_params):
- offset (zero point, corrected digitally): ceil(b / c);
- differential column pairs: 2 x ceil(b / c);
- two's complement with a negative-weighted sign column: 1 + ceil((b - 1) / c).
Input steps of ``b``-bit inputs through ``d``-bit DACs: offset ceil(b / d); two's
complement 1 + ceil((b - 1) / d) (the sign bit is a step of its own). Every step reads the
array once and converts each active column once in the ADCs that serve it.
"""

import math
from typing import Literal

from hwmodels.converters import AdcParams, DacParams
from hwmodels.crossbar.params import CrossbarParams

WeightEncoding = Literal["offset", "differential", "twos_complement"]
InputEncoding = Literal["offset", "twos_complement"]


def columns_per_weight(
    weight_bits: int, cell_bits: int, encoding: WeightEncoding = "offset"
) -> int:
    """Physical columns one weight occupies (module docstring)."""
    if encoding == "differential":
        return 2 * math.ceil(weight_bits / cell_bits)
    if encoding == "twos_complement":
        return 1 + math.ceil((weight_bits - 1) / cell_bits)
    return math.ceil(weight_bits / cell_bits)


def weights_per_crossbar_column_block(
    xbar: CrossbarParams, weight_bits: int, encoding: WeightEncoding = "offset"
) -> int:
    """Output channels one crossbar holds side by side; a weight never straddles two."""
    per_weight = columns_per_weight(weight_bits, xbar.cell_bits, encoding)
    if per_weight > xbar.cols:
        return 0
    return xbar.cols // per_weight


def input_steps(input_bits: int, dac_bits: int, encoding: InputEncoding = "offset") -> int:
    """Bit-serial input steps per MVM (module docstring)."""
    if encoding == "twos_complement":
        return 1 + math.ceil((input_bits - 1) / dac_bits)
    return math.ceil(input_bits / dac_bits)


def mvm_latency_ns(
    xbar: CrossbarParams,
    dac: DacParams,
    adc: AdcParams,
    input_bits: int,
    conversions_per_adc_per_step: int,
    input_encoding: InputEncoding = "offset",
) -> float:
    """Latency of one full MVM (all input bit steps) of a crossbar group, ns.

    Array read and ADC conversion are pipelined across steps (ISAAC Sec. 5: one step per
    100 ns cycle, the ADC converting the previous step's sampled columns), so
    latency = read + steps x max(read, conversions per ADC x conversion time).
    """
    steps = input_steps(input_bits, dac.bits, input_encoding)
    convert_ns = conversions_per_adc_per_step * adc.conversion_ns
    return xbar.read_latency_ns + steps * max(xbar.read_latency_ns, convert_ns)
