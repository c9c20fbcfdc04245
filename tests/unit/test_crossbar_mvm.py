"""Bad operands and parameters of the crossbar MVM raise a clear HwModelError."""

from typing import Any

import numpy as np
import pytest

from hwmodels.crossbar.mvm import crossbar_mvm, layer_mvm
from hwmodels.crossbar.mvm_params import DeviceNonIdealities, MvmConfig
from hwmodels.errors import HwModelError

X = np.zeros((2, 8), dtype=np.int8)
W = np.zeros((8, 3), dtype=np.int8)


@pytest.mark.parametrize("function", [crossbar_mvm, layer_mvm])
@pytest.mark.parametrize(
    ("inputs", "weights", "field", "words"),
    [
        (X.astype(np.float32), W, "inputs", "int8"),
        (X.astype(np.int16), W, "inputs", "int8"),
        (X.astype(np.uint8), W, "inputs", "int8"),
        (X, W.astype(np.int64), "weights", "int8"),
        (X.tolist(), W, "inputs", "numpy"),
        (X[0], W, "inputs", "2-D"),
        (X[None], W, "inputs", "2-D"),
        (X, W[:, 0], "weights", "2-D"),
        (X, W[:5], "inputs", "8 columns"),
        (X[:, :0], W[:0], "weights", "at least one"),
        (X, W[:, :0], "weights", "at least one"),
    ],
)
def test_bad_operands(function: Any, inputs: Any, weights: Any, field: str, words: str) -> None:
    with pytest.raises(HwModelError, match=words) as caught:
        function(inputs, weights, MvmConfig())
    assert caught.value.field == field


def test_block_larger_than_one_crossbar_is_refused() -> None:
    config = MvmConfig(rows=4, cols=8, cell_bits=2)  # 2 weights of 4 columns
    with pytest.raises(HwModelError, match="rows=4") as caught:
        crossbar_mvm(X, W, config)
    assert caught.value.field == "weights"
    with pytest.raises(HwModelError, match="outputs exceed"):
        crossbar_mvm(X[:, :4], W[:4], config)
    assert layer_mvm(X, W, config).shape == (2, 3)  # the tiled function takes it


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rows": 0}, "rows"),
        ({"rows": 5000}, "rows"),
        ({"rows": 12.0}, "rows"),
        ({"cols": 0}, "cols"),
        ({"cols": 3}, "cols"),  # one offset weight needs 4 columns of 2-bit cells
        ({"cell_bits": 3}, "cell_bits"),
        ({"cell_bits": 8}, "cell_bits"),
        ({"dac_bits": 0}, "dac_bits"),
        ({"dac_bits": 3}, "dac_bits"),
        ({"adc_bits": 0}, "adc_bits"),
        ({"adc_bits": 17}, "adc_bits"),
        ({"adc_mode": "perfect"}, "adc_mode"),
        ({"weight_encoding": "sign_magnitude"}, "weight_encoding"),
        ({"input_encoding": "unsigned"}, "input_encoding"),
        ({"adc_full_scale": 0.0}, "adc_full_scale"),
        ({"adc_full_scale": -3.0}, "adc_full_scale"),
        ({"adc_full_scale": float("nan")}, "adc_full_scale"),
        ({"device": 0.1}, "device"),
    ],
)
def test_bad_config_fields(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(HwModelError) as caught:
        MvmConfig(**kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"variation_sigma": -0.1}, "variation_sigma"),
        ({"variation_sigma": 1.5}, "variation_sigma"),
        ({"variation_model": "uniform"}, "variation_model"),
        ({"stuck_off_rate": -0.01}, "stuck_off_rate"),
        ({"stuck_on_rate": 1.2}, "stuck_on_rate"),
        ({"stuck_on_rate": 0.6, "stuck_off_rate": 0.6}, "stuck_on_rate"),
        ({"conductance_levels": 1}, "conductance_levels"),
        ({"conductance_levels": 300}, "conductance_levels"),
    ],
)
def test_bad_device_fields(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(HwModelError) as caught:
        DeviceNonIdealities(**kwargs)
    assert caught.value.field == field


def test_nonidealities_need_a_seed() -> None:
    config = MvmConfig(device=DeviceNonIdealities(variation_sigma=0.1))
    with pytest.raises(HwModelError, match="seed") as caught:
        crossbar_mvm(X, W, config)
    assert caught.value.field == "rng"
    assert crossbar_mvm(X, W, config, 0).shape == (2, 3)


@pytest.mark.parametrize("rng", [-1, 1.5, "seed", True])
def test_bad_rng(rng: Any) -> None:
    config = MvmConfig(device=DeviceNonIdealities(stuck_on_rate=0.1))
    with pytest.raises(HwModelError) as caught:
        crossbar_mvm(X, W, config, rng)
    assert caught.value.field == "rng"


def test_bad_backend_and_config() -> None:
    with pytest.raises(HwModelError) as caught:
        crossbar_mvm(X, W, MvmConfig(), backend="gpu")  # type: ignore[arg-type]
    assert caught.value.field == "backend"
    with pytest.raises(HwModelError) as caught:
        crossbar_mvm(X, W, {"rows": 128})  # type: ignore[arg-type]
    assert caught.value.field == "config"


@pytest.mark.parametrize(
    ("kwargs", "steps", "columns"),
    [
        ({"cell_bits": 2, "dac_bits": 1}, 8, 4),  # ISAAC: 8 input steps, 4 slices
        ({"cell_bits": 1, "dac_bits": 2, "weight_encoding": "differential"}, 5, 16),
        ({"cell_bits": 4, "dac_bits": 4, "weight_encoding": "twos_complement"}, 3, 3),
        ({"cell_bits": 2, "dac_bits": 8, "input_encoding": "offset"}, 1, 4),
        ({"cell_bits": 2, "dac_bits": 2, "input_encoding": "offset"}, 4, 4),
    ],
)
def test_steps_and_columns_per_weight(kwargs: dict[str, Any], steps: int, columns: int) -> None:
    config = MvmConfig(**kwargs)
    assert config.input_steps == steps
    assert config.columns_per_weight == columns
    assert config.weights_per_crossbar == 128 // columns


def test_uniform_adc_lsb_defaults_to_the_worst_case_sum() -> None:
    config = MvmConfig(adc_mode="uniform", adc_bits=6)
    assert config.adc_lsb == pytest.approx(128 * 1 * 3 / 63)
    assert MvmConfig(adc_mode="uniform", adc_bits=6, adc_full_scale=63.0).adc_lsb == 1.0
    assert MvmConfig(adc_mode="clip").adc_lsb == 1.0


def test_empty_batch_returns_empty_result() -> None:
    assert crossbar_mvm(X[:0], W, MvmConfig()).shape == (0, 3)
