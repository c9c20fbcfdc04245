"""Plain-numpy reference of the bit-accurate crossbar MVM (slow, obviously correct).

Also holds the programming step shared by both backends (INT8 weights -> cell levels ->
optional flips and non-idealities) and the final digital correction.

For input step k (DAC levels ``p_k[b, r]``, digital weight ``s_k``) and physical column j
(cell conductances ``g[r, j]``, digital weight ``t_j``, logical output ``c(j)``):

    a[b, k, j] = sum_r p_k[b, r] * g[r, j]                 analog column sum
    q[b, k, j] = ADC(a[b, k, j])                           integer code
    v[b, k, j] = q, or L * sum_r p_k[b, r] - q if column j is stored flipped (isaac_flip)
    Q[b, c]    = sum_k sum_{j: c(j) = c} s_k * t_j * v[b, k, j]
    y[b, c]    = rint(lsb * Q[b, c]) - oi * sum_r w[r, c] - ow * sum_r x[b, r] - oi * ow * R

with oi, ow the input and weight offsets (128 for 'offset' encodings, else 0).
"""

from dataclasses import dataclass

import numpy as np

from hwmodels.crossbar.mvm_params import (
    SOURCE_NEGATIVE,
    SOURCE_OFFSET,
    SOURCE_PATTERN,
    SOURCE_POSITIVE,
    BitField,
    MvmConfig,
)
from hwmodels.crossbar.nonideal import apply_nonidealities
from hwmodels.errors import HwModelError


@dataclass(frozen=True)
class ProgrammedCrossbar:
    """A weight block as programmed into one crossbar (arrays are not to be mutated)."""

    levels: np.ndarray
    """(rows, physical columns) uint8 target cell levels, after any flips."""
    conductance: np.ndarray | None
    """(rows, physical columns) float64 conductances with non-idealities, or None (ideal)."""
    column_weight: np.ndarray
    """(physical columns,) int64 digital shift-add weight of each column."""
    flipped: np.ndarray
    """(physical columns,) bool: column stored as cell_max - level (isaac_flip)."""
    weight_sum: np.ndarray
    """(outputs,) int64 exact column sums of the INT8 weights (input-offset correction)."""
    columns_per_weight: int
    """Physical columns per logical output; column j serves output j // columns_per_weight."""

    @property
    def outputs(self) -> int:
        """Logical output columns."""
        return self.weight_sum.shape[0]


def field_codes(values: np.ndarray, source: int) -> np.ndarray:
    """The unsigned 8-bit code (as int64, 0..255) a bit field of INT8 ``values`` is cut from."""
    v = values.astype(np.int64)
    if source == SOURCE_PATTERN:
        return v & 0xFF
    if source == SOURCE_OFFSET:
        return v + 128
    if source == SOURCE_POSITIVE:
        return np.maximum(v, 0)
    if source == SOURCE_NEGATIVE:
        return np.maximum(-v, 0)
    raise ValueError(f"unknown bit-field source {source}")


def field_levels(values: np.ndarray, bit_field: BitField) -> np.ndarray:
    """Levels ``(code >> shift) & (2**width - 1)`` of one input step or weight slice."""
    code = field_codes(values, bit_field.source)
    return (code >> bit_field.shift) & ((1 << bit_field.width) - 1)


def program_crossbar(
    weights: np.ndarray, config: MvmConfig, rng: np.random.Generator | None
) -> ProgrammedCrossbar:
    """Program an INT8 (rows_used x outputs) block: slices, flips, then non-idealities."""
    n_rows, n_out = weights.shape
    fields = config.weight_fields
    cpw = len(fields)
    levels = np.empty((n_rows, n_out * cpw), dtype=np.int64)
    column_weight = np.empty(n_out * cpw, dtype=np.int64)
    for f, bit_field in enumerate(fields):
        levels[:, f::cpw] = field_levels(weights, bit_field)
        column_weight[f::cpw] = bit_field.weight
    flipped = np.zeros(n_out * cpw, dtype=bool)
    if config.adc_mode == "isaac_flip":
        # ISAAC Sec. 5: a column whose level sum exceeds half its maximum is stored flipped,
        # so that every column sum fits adc_bits (1 bit less than without flipping).
        flipped = 2 * levels.sum(axis=0) > n_rows * config.cell_max
        levels[:, flipped] = config.cell_max - levels[:, flipped]
    conductance = None
    if config.device.enabled:
        if rng is None:
            raise HwModelError("rng", "a seed or Generator is required with device non-idealities")
        conductance = apply_nonidealities(
            levels, config.cell_bits, config.dac_max, config.device, rng
        )
    return ProgrammedCrossbar(
        levels=levels.astype(np.uint8),
        conductance=conductance,
        column_weight=column_weight,
        flipped=flipped,
        weight_sum=weights.astype(np.int64).sum(axis=0),
        columns_per_weight=cpw,
    )


def adc_reference(analog: np.ndarray, config: MvmConfig) -> np.ndarray:
    """ADC codes (int64) of float64 analog sums, elementwise (see MvmConfig.adc_mode)."""
    if config.adc_mode == "ideal":
        return np.rint(analog).astype(np.int64)
    scaled = analog / config.adc_lsb if config.adc_mode == "uniform" else analog
    codes = np.rint(scaled)
    return np.clip(codes, 0.0, float(config.adc_levels)).astype(np.int64)


def finalize(
    acc: np.ndarray, inputs: np.ndarray, programmed: ProgrammedCrossbar, config: MvmConfig
) -> np.ndarray:
    """Digital tail: scale codes by the ADC LSB, remove the input and weight offsets."""
    if config.adc_mode == "uniform":
        out = np.rint(config.adc_lsb * acc.astype(np.float64)).astype(np.int64)
    else:
        out = acc.copy()
    oi, ow = config.input_offset, config.weight_offset
    n_rows = inputs.shape[1]
    if oi:
        out -= oi * programmed.weight_sum[None, :]
    if ow:
        out -= ow * inputs.astype(np.int64).sum(axis=1, keepdims=True)
    if oi and ow:
        out -= oi * ow * n_rows
    return out


def mvm_reference(
    inputs: np.ndarray, programmed: ProgrammedCrossbar, config: MvmConfig
) -> np.ndarray:
    """(batch, outputs) int64 result of a programmed crossbar, step by step in numpy."""
    ideal = programmed.conductance is None
    cells = programmed.levels.astype(np.int64) if ideal else programmed.conductance
    batch, n_out, cpw = inputs.shape[0], programmed.outputs, programmed.columns_per_weight
    acc = np.zeros((batch, n_out), dtype=np.int64)
    for step in config.input_fields:
        plane = field_levels(inputs, step)  # (batch, rows) DAC levels of this step
        analog = (plane @ cells if ideal else plane.astype(np.float64) @ cells).astype(np.float64)
        codes = adc_reference(analog, config)
        plane_sum = plane.sum(axis=1, keepdims=True)
        values = np.where(programmed.flipped[None, :], config.cell_max * plane_sum - codes, codes)
        for c in range(n_out):
            for f in range(cpw):
                j = c * cpw + f
                acc[:, c] += step.weight * programmed.column_weight[j] * values[:, j]
    return finalize(acc, inputs, programmed, config)
