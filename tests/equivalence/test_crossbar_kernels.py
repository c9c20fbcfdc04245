"""The numba crossbar kernels equal the numpy reference exactly, in every mode; with a
lossless ADC and ideal devices both equal the exact integer matmul."""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hwmodels.crossbar.mvm import crossbar_mvm, layer_mvm
from hwmodels.crossbar.mvm_params import (
    ADC_MODES,
    INPUT_ENCODINGS,
    WEIGHT_ENCODINGS,
    DeviceNonIdealities,
    MvmConfig,
)

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

int8_elements = st.integers(-128, 127)


def _exact(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return x.astype(np.int64) @ w.astype(np.int64)


@st.composite
def configs(draw: st.DrawFn, lossless: bool = False) -> MvmConfig:
    """A crossbar configuration; with ``lossless``, one whose ADC never loses information."""
    rows = draw(st.integers(1, 200))
    cell_bits = draw(st.sampled_from([1, 2, 4]))
    dac_bits = draw(st.sampled_from([1, 2, 4, 8]))
    weight_encoding = draw(st.sampled_from(WEIGHT_ENCODINGS))
    input_encoding = draw(st.sampled_from(INPUT_ENCODINGS))
    probe = MvmConfig(
        rows=rows, cols=64, cell_bits=cell_bits, weight_encoding=weight_encoding
    )  # only for columns_per_weight
    cols = probe.columns_per_weight * draw(st.integers(1, 6)) + draw(st.integers(0, 3))
    max_sum = rows * ((1 << dac_bits) - 1) * ((1 << cell_bits) - 1)
    full_scale = None
    if lossless:
        adc_bits = max(1, int(max_sum).bit_length()) + draw(st.integers(0, 1))
        adc_mode = draw(st.sampled_from(["ideal", "clip", "uniform"]))
        if adc_bits > 16:
            adc_mode, adc_bits = "ideal", 16
        if adc_mode == "uniform":
            full_scale = float((1 << adc_bits) - 1)  # LSB of exactly one level
    else:
        adc_mode = draw(st.sampled_from(ADC_MODES))
        adc_bits = draw(st.integers(1, 12))
        if adc_mode == "uniform" and draw(st.booleans()):
            full_scale = draw(st.floats(0.5, 2.0 * max_sum, allow_nan=False))
    return MvmConfig(
        rows=rows,
        cols=cols,
        cell_bits=cell_bits,
        dac_bits=dac_bits,
        weight_encoding=weight_encoding,
        input_encoding=input_encoding,
        adc_mode=adc_mode,
        adc_bits=min(adc_bits, 16),
        adc_full_scale=full_scale,
    )


@st.composite
def operands(draw: st.DrawFn, config: MvmConfig) -> tuple[np.ndarray, np.ndarray]:
    """INT8 inputs (B, R) and weights (R, C) that fit one crossbar of ``config``."""
    n_rows = draw(st.integers(1, config.rows))
    n_out = draw(st.integers(1, config.weights_per_crossbar))
    batch = draw(st.integers(0, 5))
    x = draw(hnp.arrays(np.int8, (batch, n_rows), elements=int8_elements))
    w = draw(hnp.arrays(np.int8, (n_rows, n_out), elements=int8_elements))
    return x, w


devices = st.builds(
    DeviceNonIdealities,
    variation_sigma=st.sampled_from([0.0, 0.01, 0.1, 0.5]),
    variation_model=st.sampled_from(["lognormal", "gaussian"]),
    stuck_off_rate=st.sampled_from([0.0, 0.05]),
    stuck_on_rate=st.sampled_from([0.0, 0.05]),
    conductance_levels=st.sampled_from([None, 2, 3, 16]),
).filter(lambda d: d.enabled)


@SETTINGS
@given(st.data())
def test_kernel_equals_reference_ideal_devices(data: st.DataObject) -> None:
    config = data.draw(configs())
    x, w = data.draw(operands(config))
    kernel = crossbar_mvm(x, w, config)
    reference = crossbar_mvm(x, w, config, backend="reference")
    assert kernel.dtype == np.int64
    assert kernel.shape == (x.shape[0], w.shape[1])
    np.testing.assert_array_equal(kernel, reference)


@SETTINGS
@given(st.data(), devices, st.integers(0, 2**32 - 1))
def test_kernel_equals_reference_with_nonidealities(
    data: st.DataObject, device: DeviceNonIdealities, seed: int
) -> None:
    base = data.draw(configs())
    config = dataclasses.replace(base, device=device)
    x, w = data.draw(operands(config))
    kernel = crossbar_mvm(x, w, config, seed)
    reference = crossbar_mvm(x, w, config, np.random.default_rng(seed), backend="reference")
    np.testing.assert_array_equal(kernel, reference)


@SETTINGS
@given(st.data())
def test_lossless_adc_gives_exact_matmul(data: st.DataObject) -> None:
    config = data.draw(configs(lossless=True))
    x, w = data.draw(operands(config))
    exact = _exact(x, w)
    np.testing.assert_array_equal(crossbar_mvm(x, w, config), exact)
    np.testing.assert_array_equal(crossbar_mvm(x, w, config, backend="reference"), exact)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.data(),
    st.sampled_from(WEIGHT_ENCODINGS),
    st.sampled_from(INPUT_ENCODINGS),
)
def test_isaac_flip_8bit_adc_is_lossless_for_128_rows_2bit_cells(
    data: st.DataObject, weight_encoding: str, input_encoding: str
) -> None:
    config = MvmConfig(
        rows=128,
        cols=128,
        cell_bits=2,
        dac_bits=1,
        weight_encoding=weight_encoding,
        input_encoding=input_encoding,
        adc_mode="isaac_flip",
        adc_bits=8,
    )
    x, w = data.draw(operands(config))
    exact = _exact(x, w)
    np.testing.assert_array_equal(crossbar_mvm(x, w, config), exact)
    np.testing.assert_array_equal(crossbar_mvm(x, w, config, backend="reference"), exact)


def test_isaac_flip_saves_the_sums_that_clip_loses() -> None:
    """All-max cells and all-ones input bits: column sum 128 * 3 = 384 > 255."""
    x = np.full((3, 128), -1, dtype=np.int8)  # every two's-complement bit set
    w = np.full((128, 32), 127, dtype=np.int8)  # offset code 255: every slice at level 3
    exact = _exact(x, w)
    clip = MvmConfig(adc_mode="clip", adc_bits=8)
    flip = MvmConfig(adc_mode="isaac_flip", adc_bits=8)
    assert not np.array_equal(crossbar_mvm(x, w, clip), exact)
    np.testing.assert_array_equal(crossbar_mvm(x, w, flip), exact)


def test_extreme_values_every_encoding_exact() -> None:
    values = np.array([-128, -127, -1, 0, 1, 126, 127], dtype=np.int8)
    x = np.array(np.meshgrid(values, values)).reshape(2, -1).T.copy()  # (49, 2)
    w = np.array(np.meshgrid(values, values)).reshape(2, -1).copy()  # (2, 49)
    for weight_encoding in WEIGHT_ENCODINGS:
        for input_encoding in INPUT_ENCODINGS:
            config = MvmConfig(
                rows=2,
                cols=49 * 16,
                cell_bits=1,
                weight_encoding=weight_encoding,
                input_encoding=input_encoding,
            )
            np.testing.assert_array_equal(crossbar_mvm(x, w, config), _exact(x, w))


def test_layer_mvm_tiles_and_accumulates_exactly() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(-128, 128, (7, 300), dtype=np.int8)
    w = rng.integers(-128, 128, (300, 70), dtype=np.int8)
    config = MvmConfig(rows=128, cols=128, cell_bits=2)  # 3 row tiles x 3 column tiles
    exact = _exact(x, w)
    np.testing.assert_array_equal(layer_mvm(x, w, config), exact)
    np.testing.assert_array_equal(layer_mvm(x, w, config, backend="reference"), exact)


def test_layer_mvm_lossy_is_the_sum_of_its_crossbars() -> None:
    rng = np.random.default_rng(4)
    x = rng.integers(-128, 128, (5, 200), dtype=np.int8)
    w = rng.integers(-128, 128, (200, 40), dtype=np.int8)
    config = MvmConfig(rows=128, cols=128, adc_mode="uniform", adc_bits=5)
    expected = np.zeros((5, 40), dtype=np.int64)
    for r0 in (0, 128):
        for c0 in (0, 32):
            expected[:, c0 : c0 + 32] += crossbar_mvm(
                x[:, r0 : r0 + 128], w[r0 : r0 + 128, c0 : c0 + 32].copy(), config
            )
    np.testing.assert_array_equal(layer_mvm(x, w, config), expected)
    assert not np.array_equal(expected, _exact(x, w))  # the 5-bit ADC does lose


def test_layer_mvm_nonideal_kernel_equals_reference_and_is_seeded() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(-128, 128, (6, 150), dtype=np.int8)
    w = rng.integers(-128, 128, (150, 40), dtype=np.int8)
    device = DeviceNonIdealities(variation_sigma=0.1, stuck_off_rate=0.01)
    config = MvmConfig(adc_mode="uniform", adc_bits=7, device=device)
    kernel = layer_mvm(x, w, config, 11)
    np.testing.assert_array_equal(kernel, layer_mvm(x, w, config, 11, backend="reference"))
    np.testing.assert_array_equal(kernel, layer_mvm(x, w, config, 11))
    assert not np.array_equal(kernel, layer_mvm(x, w, config, 12))


def test_variation_changes_results_but_stays_close() -> None:
    rng = np.random.default_rng(6)
    x = rng.integers(-128, 128, (20, 128), dtype=np.int8)
    w = rng.integers(-128, 128, (128, 16), dtype=np.int8)
    exact = _exact(x, w).astype(np.float64)
    config = MvmConfig(
        weight_encoding="differential", device=DeviceNonIdealities(variation_sigma=0.02)
    )
    noisy = crossbar_mvm(x, w, config, 0).astype(np.float64)
    assert not np.array_equal(noisy, exact)
    assert np.corrcoef(noisy.ravel(), exact.ravel())[0, 1] > 0.99


def test_jit_disabled_fallback_gives_the_same_result() -> None:
    """HWMODELS_DISABLE_JIT=1 runs the kernels as plain Python; results are unchanged."""
    script = (
        "import numpy as np\n"
        "from hwmodels._jit import JIT_ENABLED\n"
        "from hwmodels.crossbar.mvm import crossbar_mvm\n"
        "from hwmodels.crossbar.mvm_params import MvmConfig\n"
        "assert not JIT_ENABLED\n"
        "rng = np.random.default_rng(0)\n"
        "x = rng.integers(-128, 128, (3, 70), dtype=np.int8)\n"
        "w = rng.integers(-128, 128, (70, 5), dtype=np.int8)\n"
        "c = MvmConfig(adc_mode='uniform', adc_bits=5)\n"
        "print(crossbar_mvm(x, w, c).tolist())\n"
    )
    env = {**os.environ, "HWMODELS_DISABLE_JIT": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    rng = np.random.default_rng(0)
    x = rng.integers(-128, 128, (3, 70), dtype=np.int8)
    w = rng.integers(-128, 128, (70, 5), dtype=np.int8)
    expected = crossbar_mvm(x, w, MvmConfig(adc_mode="uniform", adc_bits=5))
    assert done.stdout.strip() == str(expected.tolist())
    assert "overflow" not in done.stderr  # wrapping uint64 arithmetic stays silent


def test_large_sums_beyond_the_reciprocal_check_and_batches_beyond_one_gemm() -> None:
    """300 rows x 255 DAC levels x 15 cell levels > 2**20: ADC codes by division (beyond the
    range the multiply-by-reciprocal shortcut is checked over); 5000 vectors: the non-ideal
    path runs its GEMM in two batches."""
    rng = np.random.default_rng(7)
    x = rng.integers(-128, 128, (6, 300), dtype=np.int8)
    w = rng.integers(-128, 128, (300, 3), dtype=np.int8)
    for mode in ADC_MODES:
        config = MvmConfig(rows=300, cols=8, cell_bits=4, dac_bits=8, adc_mode=mode, adc_bits=13)
        assert config.max_analog_sum > 2**20
        np.testing.assert_array_equal(
            crossbar_mvm(x, w, config), crossbar_mvm(x, w, config, backend="reference")
        )
    x = rng.integers(-128, 128, (5000, 5), dtype=np.int8)
    w = rng.integers(-128, 128, (5, 2), dtype=np.int8)
    config = MvmConfig(
        adc_mode="uniform", adc_bits=4, device=DeviceNonIdealities(variation_sigma=0.3)
    )
    np.testing.assert_array_equal(
        crossbar_mvm(x, w, config, 1), crossbar_mvm(x, w, config, 1, backend="reference")
    )


@pytest.mark.parametrize("cell_bits", [1, 2, 4])
@pytest.mark.parametrize("dac_bits", [1, 2, 4, 8])
def test_timing_arithmetic_matches_the_kernels_encodings(cell_bits: int, dac_bits: int) -> None:
    """The mapper's columns and steps per encoding are those the kernels compute with."""
    from hwmodels.crossbar.cost import columns_per_weight, input_steps

    for weight_encoding in ("offset", "differential", "twos_complement"):
        config = MvmConfig(cell_bits=cell_bits, weight_encoding=weight_encoding)
        assert columns_per_weight(8, cell_bits, weight_encoding) == config.columns_per_weight
    for input_encoding in ("offset", "twos_complement"):
        config = MvmConfig(dac_bits=dac_bits, input_encoding=input_encoding)
        assert input_steps(8, dac_bits, input_encoding) == config.input_steps


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.data())
def test_layer_kernel_equals_layer_reference(data: st.DataObject) -> None:
    """The one-call layer kernel (every row and column tile at once) == crossbar by crossbar."""
    config = data.draw(configs())
    n_rows = data.draw(st.integers(1, 3 * config.rows + 5))
    n_out = data.draw(st.integers(1, 3 * config.weights_per_crossbar + 2))
    batch = data.draw(st.integers(0, 4))
    x = data.draw(hnp.arrays(np.int8, (batch, n_rows), elements=int8_elements))
    w = data.draw(hnp.arrays(np.int8, (n_rows, n_out), elements=int8_elements))
    np.testing.assert_array_equal(
        layer_mvm(x, w, config), layer_mvm(x, w, config, backend="reference")
    )


@pytest.mark.parametrize("adc_mode", ADC_MODES)
@pytest.mark.parametrize("input_encoding", INPUT_ENCODINGS)
def test_many_vectors_sparse_inputs_and_short_last_tile(adc_mode: str, input_encoding: str) -> None:
    """Batches over several parallel chunks (and a partial one), all-zero and non-negative
    inputs (input steps whose bits are all zero are skipped), a short last row tile."""
    rng = np.random.default_rng(8)
    x = rng.integers(-128, 128, (203, 300), dtype=np.int8)
    x[10] = 0
    x[20:60] = np.abs(x[20:60].astype(np.int16)).clip(0, 127).astype(np.int8)  # sign bit 0
    x[70:90, :128] = 0  # a whole row tile silent
    w = rng.integers(-128, 128, (300, 45), dtype=np.int8)
    config = MvmConfig(
        rows=128, cols=128, adc_mode=adc_mode, adc_bits=6, input_encoding=input_encoding
    )
    np.testing.assert_array_equal(
        layer_mvm(x, w, config), layer_mvm(x, w, config, backend="reference")
    )


def test_uniform_adc_where_multiplying_by_the_reciprocal_would_round_differently() -> None:
    """The kernel multiplies by 1 / lsb only when that equals dividing for every possible
    sum; this full scale is one where it does not, so the kernel divides."""
    from hwmodels.crossbar.mvm import _adc_scale

    config = MvmConfig(adc_mode="uniform", adc_bits=5, adc_full_scale=180.2325581395349)
    assert _adc_scale(config, config.max_analog_sum) == 0.0
    sums = np.arange(config.max_analog_sum + 1, dtype=np.float64)
    lsb = config.adc_lsb
    assert not np.array_equal(np.rint(sums * (1.0 / lsb)), np.rint(sums / lsb))
    rng = np.random.default_rng(9)
    x = rng.integers(-128, 128, (300, 128), dtype=np.int8)
    w = rng.integers(-128, 128, (128, 32), dtype=np.int8)
    np.testing.assert_array_equal(
        crossbar_mvm(x, w, config), crossbar_mvm(x, w, config, backend="reference")
    )
    assert _adc_scale(MvmConfig(adc_mode="uniform", adc_bits=6), 384) > 0.0  # multiplies
