"""Numba kernels of the crossbar MVM (private; use hwmodels.crossbar.mvm.crossbar_mvm).

Ideal devices: cell levels and DAC levels are split into bit planes packed 64 rows to a
uint64, so one analog column sum is

    a = sum_i sum_j 2**(i + j) * sum_w popcount(x_bits[i, w] & g_bits[j, w])

(i: DAC bit, j: cell bit, w: 64-row word), exact integers. Non-ideal devices: the analog
sums are float64 GEMMs done by numpy (exact, the conductances lie on a 2**-16 grid) and
only the ADC and shift-add run here. Both give results identical to reference.py.
"""

import numpy as np

from hwmodels._jit import njit, popcount64, prange

CHUNK = 64
"""Input vectors per parallel work item (scratch buffers are allocated once per item)."""
ADC_IDEAL = 0
ADC_CLIP = 1
ADC_UNIFORM = 2
ADC_ISAAC_FLIP = 3
ADC_MODE_CODES: dict[str, int] = {
    "ideal": ADC_IDEAL,
    "clip": ADC_CLIP,
    "uniform": ADC_UNIFORM,
    "isaac_flip": ADC_ISAAC_FLIP,
}


@njit()
def adc_code(analog: float, mode: int, top_code: float, lsb: float) -> float:
    """ADC code of one analog sum (same arithmetic as reference.adc_reference)."""
    if mode == ADC_IDEAL:
        return np.rint(analog)
    code = np.rint(analog / lsb) if mode == ADC_UNIFORM else np.rint(analog)
    if code < 0.0:
        return 0.0
    if code > top_code:
        return top_code
    return code


BYTE_LOW_BITS = np.uint64(0x0101010101010101)
"""Bit 0 of each of the 8 bytes of a word."""
GATHER_BYTE_BITS = np.uint64(0x0102040810204080)
"""(m * this) >> 56 moves bit 8j of m (j = 0..7) to bit j: 8 rows' bits into one byte."""


@njit(parallel=True)
def pack_inputs(
    codes: np.ndarray, shifts: np.ndarray, widths: np.ndarray, dac_bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """Bit planes of every input step, packed over rows, and each step's level sum.

    codes: (B, 8 * words) uint64, the rows' unsigned 8-bit codes packed 8 to a word (row r
    in byte r % 8 of word r // 8, zero-padded to a multiple of 64 rows). Returns bits
    (B, K, dac_bits, words) uint64 (bit r % 64 of word r // 64 of plane i is bit i of row
    r's DAC level in step k) and sums (B, K) int64 (each step's sum of DAC levels).
    """
    batch = codes.shape[0]
    n_words = codes.shape[1] // 8
    n_steps = shifts.shape[0]
    bits = np.zeros((batch, n_steps, dac_bits, n_words), dtype=np.uint64)
    sums = np.zeros((batch, n_steps), dtype=np.int64)
    for b in prange(batch):
        for k in range(n_steps):
            total = 0
            for i in range(widths[k]):
                bit = np.uint64(shifts[k] + i)
                for w in range(n_words):
                    word = np.uint64(0)
                    for byte in range(8):
                        low = (codes[b, 8 * w + byte] >> bit) & BYTE_LOW_BITS
                        gathered = (low * GATHER_BYTE_BITS) >> np.uint64(56)
                        word |= gathered << np.uint64(8 * byte)
                    bits[b, k, i, w] = word
                    total += popcount64(word) << i
            sums[b, k] = total
    return bits, sums


@njit()
def adc_table(max_analog: int, mode: int, top_code: float, lsb: float) -> np.ndarray:
    """ADC codes of the integer analog sums 0..max_analog (int64), by adc_code."""
    table = np.empty(max_analog + 1, dtype=np.int64)
    for a in range(max_analog + 1):
        table[a] = np.int64(adc_code(np.float64(a), mode, top_code, lsb))
    return table


@njit()
def pack_cells(levels: np.ndarray, cell_bits: int) -> np.ndarray:
    """Cell levels (R, P) uint8 -> bit planes (cell_bits, ceil(R / 64), P) uint64."""
    n_rows, n_cols = levels.shape
    n_words = (n_rows + 63) // 64
    bits = np.zeros((cell_bits, n_words, n_cols), dtype=np.uint64)
    for r in range(n_rows):
        for p in range(n_cols):
            level = np.int64(levels[r, p])
            for j in range(cell_bits):
                if (level >> j) & 1:
                    bits[j, r >> 6, p] |= np.uint64(1) << np.uint64(r & 63)
    return bits


@njit(parallel=True)
def mvm_popcount(
    x_bits: np.ndarray,
    x_sums: np.ndarray,
    cell_bits: np.ndarray,
    step_weight: np.ndarray,
    column_weight: np.ndarray,
    flipped: np.ndarray,
    columns_per_weight: int,
    cell_max: int,
    table: np.ndarray,
    mode: int,
    top_code: float,
    lsb: float,
) -> np.ndarray:
    """Accumulated codes Q (B, outputs) int64 of an ideal crossbar (see reference.py).

    ``table`` maps every possible integer analog sum to its ADC code (adc_table); when it
    is empty the codes are computed by adc_code. The shift-add is reordered as
    Q[b, c] = sum_j t_j * (sum_k s_k * v[b, k, j]) (exact integer arithmetic).
    """
    batch, n_steps, dac_bits, n_words = x_bits.shape
    n_cell_bits = cell_bits.shape[0]
    n_cols = cell_bits.shape[2]
    n_out = n_cols // columns_per_weight
    acc = np.zeros((batch, n_out), dtype=np.int64)
    any_flipped = flipped.any()
    use_table = table.shape[0] > 0
    for chunk in prange((batch + CHUNK - 1) // CHUNK):
        analog = np.empty(n_cols, dtype=np.int64)  # per-chunk scratch
        column_acc = np.empty(n_cols, dtype=np.int64)
        for b in range(chunk * CHUNK, min(batch, (chunk + 1) * CHUNK)):
            column_acc[:] = 0
            for k in range(n_steps):
                analog[:] = 0
                for i in range(dac_bits):
                    for j in range(n_cell_bits):
                        for w in range(n_words):
                            x = x_bits[b, k, i, w]
                            if x == 0:
                                continue
                            shift = i + j
                            for p in range(n_cols):
                                analog[p] += popcount64(x & cell_bits[j, w, p]) << shift
                if not use_table:
                    for p in range(n_cols):
                        analog[p] = np.int64(adc_code(np.float64(analog[p]), mode, top_code, lsb))
                sw = step_weight[k]
                if any_flipped:
                    flip_total = cell_max * x_sums[b, k]
                    for p in range(n_cols):
                        code = table[analog[p]] if use_table else analog[p]
                        column_acc[p] += sw * (flip_total - code if flipped[p] else code)
                elif use_table:
                    for p in range(n_cols):
                        column_acc[p] += sw * table[analog[p]]
                else:
                    for p in range(n_cols):
                        column_acc[p] += sw * analog[p]
            for c in range(n_out):
                total = 0
                for f in range(columns_per_weight):
                    p = c * columns_per_weight + f
                    total += column_weight[p] * column_acc[p]
                acc[b, c] = total
    return acc


@njit()
def adc_accumulate(
    analog: np.ndarray,
    x_sums: np.ndarray,
    step_weight: np.ndarray,
    column_weight: np.ndarray,
    flipped: np.ndarray,
    columns_per_weight: int,
    cell_max: int,
    mode: int,
    top_code: float,
    lsb: float,
) -> np.ndarray:
    """Accumulated codes Q (B, outputs) int64 from float64 analog sums (K, B, P).

    Serial on purpose: it runs right after numpy's GEMM, whose BLAS threads keep spinning
    for a while; a parallel region there fights them for the cores (measured 20x slower).
    """
    n_steps, batch, n_cols = analog.shape
    n_out = n_cols // columns_per_weight
    acc = np.zeros((batch, n_out), dtype=np.int64)
    column_acc = np.empty(n_cols, dtype=np.int64)
    for b in range(batch):
        column_acc[:] = 0
        for k in range(n_steps):
            flip_total = cell_max * x_sums[b, k]
            sw = step_weight[k]
            for p in range(n_cols):
                code = np.int64(adc_code(analog[k, b, p], mode, top_code, lsb))
                column_acc[p] += sw * (flip_total - code if flipped[p] else code)
        for c in range(n_out):
            total = 0
            for f in range(columns_per_weight):
                p = c * columns_per_weight + f
                total += column_weight[p] * column_acc[p]
            acc[b, c] = total
    return acc
