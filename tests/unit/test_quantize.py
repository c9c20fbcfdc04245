"""INT8 quantization (workloads.quantize) and the offline digits data (workloads.data)."""

import numpy as np
import pytest

from workloads.data import load_digits
from workloads.errors import WorkloadError
from workloads.quantize import (
    ActivationQuantization,
    calibrate_activations,
    quantize_weights,
    requantize,
)


def test_weights_are_symmetric_per_output_channel() -> None:
    rng = np.random.default_rng(0)
    w = rng.normal(size=(20, 5)) * np.array([0.01, 0.1, 1.0, 10.0, 100.0])
    q = quantize_weights(w)
    assert q.values.dtype == np.int8
    assert q.values.shape == w.shape
    np.testing.assert_allclose(q.scale, np.abs(w).max(axis=0) / 127)
    # the largest weight of every channel maps to +-127, nothing to -128
    np.testing.assert_array_equal(np.abs(q.values).max(axis=0), 127)
    assert q.values.min() >= -127
    # rounding error is at most half a step, channel by channel
    assert np.all(np.abs(q.dequantize() - w) <= q.scale[None, :] / 2 + 1e-12)


def test_zero_channel_gets_unit_scale_and_zero_codes() -> None:
    w = np.array([[0.0, 1.0], [0.0, -2.0]])
    q = quantize_weights(w)
    assert q.scale[0] == 1.0
    np.testing.assert_array_equal(q.values[:, 0], 0)
    np.testing.assert_array_equal(q.values[:, 1], [64, -127])


def test_activation_calibration_and_clipping() -> None:
    x = np.linspace(-3.0, 2.0, 101)
    params = calibrate_activations(x)
    assert params.scale == pytest.approx(3.0 / 127)
    q = params.quantize(x)
    assert q.dtype == np.int8
    assert q.min() == -127 and q.max() == round(2.0 / params.scale)
    assert np.max(np.abs(params.dequantize(q) - x)) <= params.scale / 2 + 1e-12
    clipped = calibrate_activations(x, percentile=50.0)
    assert clipped.scale < params.scale
    assert clipped.quantize(np.array([1e6, -1e6])).tolist() == [127, -128]


def test_requantize_matches_float_layer() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, size=(30, 16))
    w = rng.normal(size=(16, 8))
    b = rng.normal(size=8)
    qw = quantize_weights(w)
    ax = calibrate_activations(x)
    acc = ax.quantize(x).astype(np.int64) @ qw.values.astype(np.int64)
    y = requantize(acc, ax.scale, qw, b, None, relu=True)
    reference = np.maximum(x @ w + b, 0.0)
    assert np.max(np.abs(y - reference)) < 0.05 * np.abs(reference).max()
    out = calibrate_activations(reference)
    codes = requantize(acc, ax.scale, qw, b, out, relu=True)
    assert codes.dtype == np.int8 and codes.min() >= 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: quantize_weights(np.array([1.0, np.nan])[None, :]),
        lambda: quantize_weights(np.ones(3)),
        lambda: quantize_weights(np.ones((0, 3))),
        lambda: calibrate_activations(np.array([])),
        lambda: calibrate_activations(np.ones(3), percentile=0.0),
        lambda: ActivationQuantization(scale=0.0),
        lambda: ActivationQuantization(scale=0.1).quantize(np.array([np.inf])),
        lambda: requantize(np.zeros((2, 3)), 1.0, quantize_weights(np.ones((2, 4))), None, None),
        lambda: load_digits(test_fraction=1.0),
    ],
)
def test_bad_input_raises_workload_error(call: object) -> None:
    with pytest.raises(WorkloadError):
        call()  # type: ignore[operator]


def test_digits_split_is_seeded_and_complete() -> None:
    data = load_digits(test_fraction=0.25, seed=0)
    assert data.x_train.shape[1] == 64 and data.n_classes == 10
    assert data.x_train.shape[0] + data.x_test.shape[0] == 1797
    assert data.x_test.shape[0] == round(0.25 * 1797)
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    assert set(np.unique(data.y_test)) == set(range(10))
    again = load_digits(test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(again.x_test, data.x_test)
    other = load_digits(test_fraction=0.25, seed=1)
    assert not np.array_equal(other.y_test, data.y_test)
