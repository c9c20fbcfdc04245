"""Bit-accurate INT8 crossbar matrix-vector products: the public entry points.

``crossbar_mvm`` runs a weight block that fits one crossbar; ``layer_mvm`` tiles a whole
layer matrix into crossbars (row tiles of ``config.rows``, column tiles of
``config.weights_per_crossbar`` outputs) and adds the row tiles' partial sums digitally.
What is computed is written out in reference.py and docs/crossbar-kernels.md.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

from hwmodels.crossbar import _kernels
from hwmodels.crossbar.mvm_params import SOURCE_OFFSET, SOURCE_PATTERN, MvmConfig
from hwmodels.crossbar.reference import (
    ProgrammedCrossbar,
    field_levels,
    finalize,
    mvm_reference,
    program_crossbar,
)
from hwmodels.errors import HwModelError

Backend = Literal["kernel", "reference"]
RngLike = np.random.Generator | int | None
_MAX_ADC_TABLE = 1 << 20
"""Largest analog sum for which the ADC is tabulated (8 MiB); beyond, codes are computed."""
_GEMM_BATCH = 4096
"""Input vectors per float64 GEMM on the non-ideal path."""


def crossbar_mvm(
    inputs: np.ndarray,
    weights: np.ndarray,
    config: MvmConfig,
    rng: RngLike = None,
    *,
    backend: Backend = "kernel",
) -> np.ndarray:
    """y = x @ W through one crossbar, bit-serially, with the ADC and device models.

    inputs: (batch, n) int8; weights: (n, m) int8 with n <= config.rows and
    m <= config.weights_per_crossbar; rng: seed or Generator for device non-idealities
    (required when ``config.device`` enables any). backend 'kernel' (numba) or 'reference'
    (numpy) give identical results. Returns (batch, m) int64, equal to the exact integer
    product whenever the ADC is lossless and the device ideal.
    """
    _check_operands(inputs, weights, config, backend)
    n_rows, n_out = weights.shape
    if n_rows > config.rows:
        raise HwModelError(
            "weights", f"{n_rows} rows exceed the crossbar's rows={config.rows}; use layer_mvm"
        )
    if n_out > config.weights_per_crossbar:
        raise HwModelError(
            "weights",
            f"{n_out} outputs exceed the {config.weights_per_crossbar} one crossbar holds "
            f"({config.cols} columns / {config.columns_per_weight} per weight); use layer_mvm",
        )
    generator = _as_generator(rng, config)
    programmed = program_crossbar(weights, config, generator)
    if backend == "reference":
        return mvm_reference(inputs, programmed, config)
    return _run_kernel(_pack(inputs, config), inputs, programmed, config)


def layer_mvm(
    inputs: np.ndarray,
    weights: np.ndarray,
    config: MvmConfig,
    rng: RngLike = None,
    *,
    backend: Backend = "kernel",
) -> np.ndarray:
    """y = x @ W for a whole layer matrix tiled into crossbars of ``config``.

    inputs: (batch, n) int8; weights: (n, m) int8 of any size. Crossbar (t, u) holds rows
    [t * rows, (t + 1) * rows) and outputs [u * k, (u + 1) * k), k = weights_per_crossbar;
    crossbars are programmed row tile by row tile, column tile by column tile, drawing
    non-idealities from one generator in that order. Returns (batch, m) int64.
    """
    _check_operands(inputs, weights, config, backend)
    generator = _as_generator(rng, config)
    n_rows, n_out = weights.shape
    per_crossbar = config.weights_per_crossbar
    out = np.zeros((inputs.shape[0], n_out), dtype=np.int64)
    for r0 in range(0, n_rows, config.rows):
        x_tile = np.ascontiguousarray(inputs[:, r0 : r0 + config.rows])
        packed = _pack(x_tile, config) if backend == "kernel" else None
        for c0 in range(0, n_out, per_crossbar):
            w_tile = np.ascontiguousarray(weights[r0 : r0 + config.rows, c0 : c0 + per_crossbar])
            programmed = program_crossbar(w_tile, config, generator)
            if packed is None:
                partial = mvm_reference(x_tile, programmed, config)
            else:
                partial = _run_kernel(packed, x_tile, programmed, config)
            out[:, c0 : c0 + per_crossbar] += partial
    return out


@dataclass(frozen=True)
class _PackedInputs:
    """Input bit planes of one row tile: bits (B, K, dac_bits, words), level sums (B, K)."""

    bits: np.ndarray
    sums: np.ndarray


def _pack(inputs: np.ndarray, config: MvmConfig) -> _PackedInputs:
    """Pack the input steps for the popcount kernel (ideal devices only)."""
    if config.device.enabled:
        return _PackedInputs(np.empty((0, 0, 0, 0), np.uint64), np.empty((0, 0), np.int64))
    fields = config.input_fields
    if any(f.source != fields[0].source for f in fields) or fields[0].source not in (
        SOURCE_PATTERN,
        SOURCE_OFFSET,
    ):
        raise AssertionError("input steps must all be cut from the pattern or offset code")
    batch, n_rows = inputs.shape
    padded = np.zeros((batch, -(-n_rows // 64) * 64), dtype=np.uint8)
    padded[:, :n_rows] = inputs.view(np.uint8)  # two's-complement pattern
    if fields[0].source == SOURCE_OFFSET:
        padded[:, :n_rows] ^= 0x80  # x + 128
    bits, sums = _kernels.pack_inputs(
        padded.view("<u8").astype(np.uint64, copy=False),  # row r in byte r % 8
        np.array([f.shift for f in fields], dtype=np.int64),
        np.array([f.width for f in fields], dtype=np.int64),
        config.dac_bits,
    )
    return _PackedInputs(bits, sums)


def _run_kernel(
    packed: _PackedInputs, inputs: np.ndarray, programmed: ProgrammedCrossbar, config: MvmConfig
) -> np.ndarray:
    """Accumulated ADC codes through the numba kernels, then the digital tail."""
    fields = config.input_fields
    step_weight = np.array([f.weight for f in fields], dtype=np.int64)
    adc_args = (
        programmed.columns_per_weight,
        config.cell_max,
        _kernels.ADC_MODE_CODES[config.adc_mode],
        float(config.adc_levels),
        config.adc_lsb,
    )
    if programmed.conductance is None:
        cell_bits = _kernels.pack_cells(programmed.levels, config.cell_bits)
        max_analog = inputs.shape[1] * config.dac_max * config.cell_max
        table = (
            _kernels.adc_table(max_analog, *adc_args[2:])
            if max_analog <= _MAX_ADC_TABLE
            else np.empty(0, dtype=np.int64)
        )
        acc = _kernels.mvm_popcount(
            packed.bits,
            packed.sums,
            cell_bits,
            step_weight,
            programmed.column_weight,
            programmed.flipped,
            programmed.columns_per_weight,
            config.cell_max,
            table,
            *adc_args[2:],
        )
    else:
        acc = np.empty((inputs.shape[0], programmed.outputs), dtype=np.int64)
        for b0 in range(0, inputs.shape[0], _GEMM_BATCH):  # bounds the (K, B, P) buffer
            x = inputs[b0 : b0 + _GEMM_BATCH]
            planes = np.stack([field_levels(x, f) for f in fields]).astype(np.float64)
            sums = np.ascontiguousarray(planes.sum(axis=2).T.astype(np.int64))
            analog = np.matmul(planes, programmed.conductance)  # (K, B, P), exact sums
            acc[b0 : b0 + _GEMM_BATCH] = _kernels.adc_accumulate(
                analog, sums, step_weight, programmed.column_weight, programmed.flipped, *adc_args
            )
    return finalize(acc, inputs, programmed, config)


def _check_operands(
    inputs: np.ndarray, weights: np.ndarray, config: MvmConfig, backend: str
) -> None:
    """Raise HwModelError for anything that would otherwise give a silently wrong result."""
    if not isinstance(config, MvmConfig):
        raise HwModelError("config", f"must be an MvmConfig, got {type(config).__name__}")
    if backend not in ("kernel", "reference"):
        raise HwModelError("backend", f"must be 'kernel' or 'reference', got {backend!r}")
    for name, array, axes in (
        ("inputs", inputs, "(batch, rows)"),
        ("weights", weights, "(rows, outputs)"),
    ):
        if not isinstance(array, np.ndarray):
            raise HwModelError(name, f"must be a numpy int8 array, got {type(array).__name__}")
        if array.dtype != np.int8:
            raise HwModelError(name, f"must have dtype int8, got {array.dtype}")
        if array.ndim != 2:
            raise HwModelError(name, f"must be 2-D {axes}, got shape {array.shape}")
    if weights.shape[0] == 0 or weights.shape[1] == 0:
        raise HwModelError("weights", f"must have at least one row and column, got {weights.shape}")
    if inputs.shape[1] != weights.shape[0]:
        raise HwModelError(
            "inputs",
            f"have {inputs.shape[1]} columns but weights have {weights.shape[0]} rows",
        )


def _as_generator(rng: RngLike, config: MvmConfig) -> np.random.Generator | None:
    """A Generator from a seed or Generator; required when non-idealities are on."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        if config.device.enabled:
            raise HwModelError("rng", "a seed or Generator is required with device non-idealities")
        return None
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        raise HwModelError("rng", f"must be a numpy Generator or a seed >= 0, got {rng!r}")
    return np.random.default_rng(int(rng))
