"""Bit-accurate INT8 crossbar matrix-vector products: the public entry points.

``crossbar_mvm`` runs a weight block that fits one crossbar; ``layer_mvm`` tiles a whole
layer matrix into crossbars (row tiles of ``config.rows``, column tiles of
``config.weights_per_crossbar`` outputs) and adds the row tiles' partial sums digitally.
What is computed is written out in reference.py and docs/crossbar-kernels.md.

The numba kernels (``_kernels``) are imported by the functions that call them, so numba
loads on the first MVM, not when this module is imported: a timing run, which never
computes values, does not pay numba's import (about 0.1 s and 110 MiB).
"""

from typing import Literal

import numpy as np

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
_MAX_CHECKED_SUM = 1 << 20
"""Largest analog sum range checked for the ADC's multiply-by-reciprocal shortcut."""
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
    if backend == "kernel" and not config.device.enabled:
        return _ideal_kernel(inputs, weights, config)
    programmed = program_crossbar(weights, config, generator)
    if backend == "reference":
        return mvm_reference(inputs, programmed, config)
    return _nonideal_kernel(inputs, programmed, config)


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
    if backend == "kernel" and not config.device.enabled:
        # Ideal cells: a column's sums do not depend on which crossbar holds it, so the
        # whole layer (every row tile, all columns side by side) is one kernel call.
        return _ideal_kernel(inputs, weights, config)
    n_rows, n_out = weights.shape
    per_crossbar = config.weights_per_crossbar
    out = np.zeros((inputs.shape[0], n_out), dtype=np.int64)
    for r0 in range(0, n_rows, config.rows):
        x_tile = np.ascontiguousarray(inputs[:, r0 : r0 + config.rows])
        for c0 in range(0, n_out, per_crossbar):
            w_tile = np.ascontiguousarray(weights[r0 : r0 + config.rows, c0 : c0 + per_crossbar])
            programmed = program_crossbar(w_tile, config, generator)
            if backend == "reference":
                partial = mvm_reference(x_tile, programmed, config)
            else:
                partial = _nonideal_kernel(x_tile, programmed, config)
            out[:, c0 : c0 + per_crossbar] += partial
    return out


def _ideal_kernel(inputs: np.ndarray, weights: np.ndarray, config: MvmConfig) -> np.ndarray:
    """y = x @ W on ideal crossbars: every row tile and column in one popcount kernel call.

    Row tile t holds weight rows [t * rows, (t + 1) * rows), programmed as reference.py
    does (flips included); each tile's analog sums go through the ADC separately and its
    shift-added codes are scaled (uniform ADC) before the tiles are added, as in layer_mvm.
    Physical columns are passed slice-major (slice f of output c at f * outputs + c).
    """
    from hwmodels._jit import num_threads
    from hwmodels.crossbar import _kernels

    n_rows, n_out = weights.shape
    tile_rows = min(config.rows, n_rows)
    n_tiles = -(-n_rows // tile_rows)
    n_words = -(-tile_rows // 64)
    cpw = config.columns_per_weight
    cells = np.empty((n_tiles, config.cell_bits * n_words, cpw * n_out), dtype=np.uint64)
    column_weight = np.empty((n_tiles, cpw * n_out), dtype=np.float64)
    flip_weight = np.empty((n_tiles, cpw * n_out), dtype=np.float64)
    for t in range(n_tiles):
        programmed = program_crossbar(
            weights[t * tile_rows : (t + 1) * tile_rows], config, rng=None
        )
        levels = programmed.levels.reshape(-1, n_out, cpw).transpose(0, 2, 1)
        cells[t] = _kernels.pack_cells(
            np.ascontiguousarray(levels.reshape(-1, cpw * n_out)), config.cell_bits, n_words
        )
        weight = programmed.column_weight.reshape(n_out, cpw).T.ravel()
        flipped = programmed.flipped.reshape(n_out, cpw).T.ravel()
        column_weight[t] = np.where(flipped, -weight, weight)
        flip_weight[t] = np.where(flipped, weight * config.cell_max, 0)
    # terms of an analog sum: (input word, cell plane, shift) for DAC bit i, cell bit j,
    # 64-row word w; in pairs of equal shift, padded with all-zero terms to groups of 4
    terms: list[tuple[int, int, int]] = []
    for shift in range(config.dac_bits + config.cell_bits - 1):
        same = [
            (i * n_words + w, j * n_words + w, shift)
            for i in range(config.dac_bits)
            for j in range(config.cell_bits)
            if i + j == shift
            for w in range(n_words)
        ]
        terms += same + [(-1, 0, shift)] * (len(same) % 2)
    terms += [(-1, 0, 0)] * (-len(terms) % 4)
    oi, ow = config.input_offset, config.weight_offset
    max_analog = tile_rows * config.dac_max * config.cell_max
    top = np.inf if config.adc_mode == "ideal" else float(config.adc_levels)
    fields = config.input_fields
    return _kernels.mvm_popcount(
        inputs,
        _input_codes(inputs, config, n_tiles, tile_rows, n_words),
        np.array([f.shift for f in fields], dtype=np.int64),
        np.array([f.width for f in fields], dtype=np.int64),
        config.dac_bits,
        cells,
        np.array(terms, dtype=np.int64).T.copy(),
        np.array([f.weight for f in fields], dtype=np.int64),
        column_weight,
        flip_weight,
        -oi * weights.astype(np.int64).sum(axis=0) - oi * ow * n_rows,
        -ow,
        top,
        _adc_scale(config, max_analog),
        config.adc_lsb,
        config.adc_mode == "uniform",
        num_threads(),
    )


def _adc_scale(config: MvmConfig, max_analog: int) -> float:
    """Factor the kernel multiplies analog sums by before rounding, or 0: divide by the LSB.

    Multiplying by 1 / lsb is cheaper than dividing but may round differently; it is used
    only when it gives the same code as the division for every possible sum 0..max_analog.
    """
    if config.adc_mode != "uniform":
        return 1.0
    if max_analog > _MAX_CHECKED_SUM:
        return 0.0
    lsb = config.adc_lsb
    sums = np.arange(max_analog + 1, dtype=np.float64)
    exact = np.array_equal(np.rint(sums * (1.0 / lsb)), np.rint(sums / lsb))
    return 1.0 / lsb if exact else 0.0


def _input_codes(
    inputs: np.ndarray, config: MvmConfig, n_tiles: int, tile_rows: int, n_words: int
) -> np.ndarray:
    """(B, T, 8 * W) uint64: each row tile's unsigned 8-bit input codes, 8 rows to a word.

    Row r of tile t is in byte r % 8 of word r // 8 of [b, t]; rows beyond the tile's (the
    last tile may be short, and tiles are padded to 64 * W rows) have code 0 (no current).
    """
    fields = config.input_fields
    if any(f.source != fields[0].source for f in fields) or fields[0].source not in (
        SOURCE_PATTERN,
        SOURCE_OFFSET,
    ):
        raise AssertionError("input steps must all be cut from the pattern or offset code")
    batch, n_rows = inputs.shape
    flat = np.zeros((batch, n_tiles * tile_rows), dtype=np.uint8)
    flat[:, :n_rows] = inputs.view(np.uint8)  # two's-complement pattern
    if fields[0].source == SOURCE_OFFSET:
        flat[:, :n_rows] ^= 0x80  # x + 128
    codes = np.zeros((batch, n_tiles, n_words * 64), dtype=np.uint8)
    codes[:, :, :tile_rows] = flat.reshape(batch, n_tiles, tile_rows)
    return codes.view("<u8").astype(np.uint64, copy=False)


def _nonideal_kernel(
    inputs: np.ndarray, programmed: ProgrammedCrossbar, config: MvmConfig
) -> np.ndarray:
    """One crossbar with non-ideal conductances: float64 GEMMs, then ADC and shift-add."""
    from hwmodels.crossbar import _kernels

    fields = config.input_fields
    step_weight = np.array([f.weight for f in fields], dtype=np.int64)
    adc_args = (
        programmed.columns_per_weight,
        config.cell_max,
        _kernels.ADC_MODE_CODES[config.adc_mode],
        float(config.adc_levels),
        config.adc_lsb,
    )
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
