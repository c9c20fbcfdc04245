"""Numba kernels of the crossbar MVM (private; use hwmodels.crossbar.mvm).

Ideal devices (mvm_popcount): cell levels and DAC levels are split into bit planes packed
64 rows to a uint64, so one analog column sum is

    a = sum_i sum_j 2**(i + j) * sum_w popcount(x_bits[i, w] & g_bits[j, w])

(i: DAC bit, j: cell bit, w: 64-row word), exact integers; a whole layer (every row tile,
every column) is one call, with the input packing, the ADC and the shift-add fused into
it. Non-ideal devices: the analog sums are float64 GEMMs done by numpy (exact, the
conductances lie on a 2**-16 grid) and only the ADC and shift-add run here
(adc_accumulate). Both give results identical to reference.py.
"""

import numpy as np

from hwmodels._jit import fetch_add, njit, popcount64, prange

CHUNK = 64
"""Input vectors per parallel work item, handed out to the threads by a shared counter."""
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


@njit()
def pack_steps(
    codes: np.ndarray,
    b: int,
    t: int,
    shifts: np.ndarray,
    widths: np.ndarray,
    bits: np.ndarray,
    sums: np.ndarray,
) -> None:
    """Bit planes and level sums of every input step of vector b, row tile t.

    codes: (B, T, 8 * W) uint64, each row tile's unsigned 8-bit input codes packed 8 to a
    word (row r of the tile in byte r % 8 of word r // 8, zero-padded to 64 * W rows).
    Writes bits (K, dac_bits * W) uint64 (bit r % 64 of word i * W + r // 64 of step k is
    bit i of row r's DAC level, i.e. bit shifts[k] + i of its code when i < widths[k], else
    0) and sums (K,) int64, each step's sum of DAC levels.
    """
    n_words = codes.shape[2] // 8
    dac_bits = bits.shape[1] // n_words
    for k in range(shifts.shape[0]):
        total = 0
        for i in range(dac_bits):
            bit = np.uint64(shifts[k] + i)
            for w in range(n_words):
                word = np.uint64(0)
                if i < widths[k]:
                    for byte in range(8):
                        low = (codes[b, t, 8 * w + byte] >> bit) & BYTE_LOW_BITS
                        gathered = (low * GATHER_BYTE_BITS) >> np.uint64(56)
                        word |= gathered << np.uint64(8 * byte)
                bits[k, i * n_words + w] = word
                total += popcount64(word) << i
        sums[k] = total


@njit()
def pack_cells(levels: np.ndarray, cell_bits: int, n_words: int) -> np.ndarray:
    """Cell levels (R, P) uint8 -> bit planes (cell_bits * n_words, P) uint64.

    Plane j * n_words + w holds bit j of the levels of rows [64 w, 64 w + 64), row r in
    bit r % 64; rows beyond R are zero.
    """
    n_rows, n_cols = levels.shape
    bits = np.zeros((cell_bits * n_words, n_cols), dtype=np.uint64)
    for r in range(n_rows):
        position = np.uint64(r & 63)
        for j in range(cell_bits):
            plane = j * n_words + (r >> 6)
            for p in range(n_cols):
                bit = np.uint64((levels[r, p] >> j) & 1)
                bits[plane, p] |= bit << position
    return bits


@njit()
def add_codes(
    acc: np.ndarray, analog: np.ndarray, weight: float, top: float, scale: float, lsb: float
) -> None:
    """acc += weight * code of each analog sum: min(rint(analog * scale), top), or
    min(rint(analog / lsb), top) when ``scale`` is 0 (see mvm_popcount)."""
    if scale > 0.0:
        for p in range(acc.shape[0]):
            acc[p] += weight * min(np.rint(np.float64(analog[p]) * scale), top)
    else:
        for p in range(acc.shape[0]):
            acc[p] += weight * min(np.rint(np.float64(analog[p]) / lsb), top)


@njit(parallel=True)
def mvm_popcount(
    inputs: np.ndarray,
    codes: np.ndarray,
    shifts: np.ndarray,
    widths: np.ndarray,
    dac_bits: int,
    cells: np.ndarray,
    terms: np.ndarray,
    step_weight: np.ndarray,
    column_weight: np.ndarray,
    flip_weight: np.ndarray,
    output_bias: np.ndarray,
    input_sum_weight: int,
    top: float,
    scale: float,
    lsb: float,
    uniform: bool,
    n_workers: int,
) -> np.ndarray:
    """y (B, outputs) int64 of a whole layer on ideal crossbars (see reference.py).

    inputs (B, n) int8; codes (B, T, 8 * W) their unsigned codes per row tile (pack_steps),
    cut into K steps (shifts, widths: (K,) int64) of dac_bits bits; cells (T, planes, P)
    uint64: bit planes of the cell levels of row tile t, packed over its rows (pack_cells),
    physical columns slice-major (p = f * outputs + c: slice f of output c).
    terms (3, M), M a multiple of 4: input word, cell plane and shift of each bit-product
    term, in pairs of equal shift (terms 2m and 2m + 1); the analog sum of step k, column p
    is a = sum_m popcount(x_bits[k, terms[0, m]] & cells[t, terms[1, m], p]) << terms[2, m]
    (x_bits from pack_steps; input word -1: an all-zero padding term). Its ADC code is
    min(rint(a * scale), top) (scale 1, top inf for an ideal ADC; top 2**adc_bits - 1 for
    clip), or, when scale is 0, min(rint(a / lsb), top): the arithmetic of adc_code for
    sums a >= 0. Per tile, with f_t = sum_k s_k x_sums[k] (s: step_weight):
    Q_t[c] = sum_f column_weight[t, p] * sum_k s_k code[k, p] + flip_weight[t, p] * f_t
    (column_weight is the slice weight, negated on flipped columns; flip_weight the slice
    weight times cell_max on flipped columns, else 0); y = sum_t rint(lsb * Q_t) when
    ``uniform``, else sum_t Q_t; plus output_bias[c] + input_sum_weight * sum_r inputs[b, r]
    (the digital offset corrections).

    Codes and sums are accumulated in float64: every value is an integer below 2**53, so
    this is exact, and it lets LLVM vectorize the fused loop (AVX-512: VPOPCNTQ).
    ``n_workers`` parallel workers (one per thread) take chunks of CHUNK vectors from a
    shared counter until none is left (see hwmodels/_jit.py).
    """
    batch, n_tiles = codes.shape[0], codes.shape[1]
    n_steps = shifts.shape[0]
    n_words = codes.shape[2] // 8
    n_terms = terms.shape[1]
    n_cols = cells.shape[2]
    n_out = output_bias.shape[0]
    out = np.empty((batch, n_out), dtype=np.int64)
    any_flip = False
    for t in range(n_tiles):
        for p in range(n_cols):
            any_flip |= flip_weight[t, p] != 0.0
    n_chunks = (batch + CHUNK - 1) // CHUNK
    next_chunk = np.zeros(1, dtype=np.int64)
    for _ in prange(n_workers):
        x_bits = np.empty((n_steps, dac_bits * n_words), dtype=np.uint64)  # per-worker scratch
        x_sums = np.empty(n_steps, dtype=np.int64)
        words = np.empty(n_terms, dtype=np.uint64)
        analog = np.empty(n_cols, dtype=np.int64)
        acc = np.empty(n_cols, dtype=np.float64)
        q = np.empty(n_out, dtype=np.float64)
        while True:
            chunk = fetch_add(next_chunk, 1)
            if chunk >= n_chunks:
                break
            for b in range(chunk * CHUNK, min(batch, (chunk + 1) * CHUNK)):
                input_sum = 0
                for r in range(inputs.shape[1]):
                    input_sum += np.int64(inputs[b, r])
                for c in range(n_out):
                    out[b, c] = output_bias[c] + input_sum_weight * input_sum
                for t in range(n_tiles):
                    pack_steps(codes, b, t, shifts, widths, x_bits, x_sums)
                    acc[:] = 0.0
                    flip_sum = 0
                    for k in range(n_steps):
                        flip_sum += step_weight[k] * x_sums[k]
                        sw = np.float64(step_weight[k])
                        active = False
                        for m in range(n_terms):
                            w = terms[0, m]
                            words[m] = x_bits[k, w] if w >= 0 else np.uint64(0)
                            active |= words[m] != 0
                        if not active:
                            continue  # every analog sum is 0, and so is every ADC code
                        for m0 in range(0, n_terms, 4):
                            x0, x1, x2, x3 = words[m0], words[m0 + 1], words[m0 + 2], words[m0 + 3]
                            j0, j1 = terms[1, m0], terms[1, m0 + 1]
                            j2, j3 = terms[1, m0 + 2], terms[1, m0 + 3]
                            s01, s23 = terms[2, m0], terms[2, m0 + 2]
                            if n_terms == 4 and scale > 0.0:  # the common case, in one fused pass
                                for p in range(n_cols):
                                    pair01 = popcount64(x0 & cells[t, j0, p]) + popcount64(
                                        x1 & cells[t, j1, p]
                                    )
                                    pair23 = popcount64(x2 & cells[t, j2, p]) + popcount64(
                                        x3 & cells[t, j3, p]
                                    )
                                    a = (pair01 << s01) + (pair23 << s23)
                                    # via int32 (exact: a <= 4096 rows * 255 * 15 < 2**31):
                                    # AVX2 has no int64 -> float64 vector conversion
                                    analog_f = np.float64(np.int32(a))
                                    acc[p] += sw * min(np.rint(analog_f * scale), top)
                                break
                            if m0 == 0:
                                analog[:] = 0
                            for p in range(n_cols):
                                pair01 = popcount64(x0 & cells[t, j0, p]) + popcount64(
                                    x1 & cells[t, j1, p]
                                )
                                pair23 = popcount64(x2 & cells[t, j2, p]) + popcount64(
                                    x3 & cells[t, j3, p]
                                )
                                analog[p] += (pair01 << s01) + (pair23 << s23)
                            if m0 + 4 == n_terms:
                                add_codes(acc, analog, sw, top, scale, lsb)
                    q[:] = 0.0
                    for f in range(n_cols // n_out):
                        for c in range(n_out):
                            p = f * n_out + c
                            q[c] += column_weight[t, p] * acc[p]
                    if any_flip:
                        for f in range(n_cols // n_out):
                            for c in range(n_out):
                                q[c] += flip_weight[t, f * n_out + c] * np.float64(flip_sum)
                    if uniform:
                        for c in range(n_out):
                            out[b, c] += np.int64(np.rint(lsb * q[c]))
                    else:
                        for c in range(n_out):
                            out[b, c] += np.int64(q[c])
    return out


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
