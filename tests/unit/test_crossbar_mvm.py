"""Bad operands and parameters of the crossbar MVM raise a clear HwModelError."""

from typing import Any

import numpy as np
import pytest

from hwmodels.crossbar.mvm import crossbar_mvm, layer_mvm
from hwmodels.crossbar.mvm_params import DeviceNonIdealities, MvmConfig
from hwmodels.crossbar.nonideal import GRID_BITS, apply_nonidealities
from hwmodels.crossbar.reference import field_levels
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


@pytest.mark.parametrize("encoding", ["offset", "differential", "twos_complement"])
@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_bit_fields_rebuild_every_int8_value(encoding: str, bits: int) -> None:
    """sum over fields of weight * level, minus the offset, is the value itself."""
    values = np.arange(-128, 128).astype(np.int8)
    cell_bits = min(bits, 4)
    config = MvmConfig(
        cols=64,
        cell_bits=cell_bits,
        dac_bits=bits,
        weight_encoding=encoding,  # type: ignore[arg-type]
    )
    rebuilt = sum(f.weight * field_levels(values, f) for f in config.weight_fields)
    np.testing.assert_array_equal(rebuilt - config.weight_offset, values)
    assert all(f.width <= cell_bits for f in config.weight_fields)
    for input_encoding in ("twos_complement", "offset"):
        steps = MvmConfig(dac_bits=bits, input_encoding=input_encoding)  # type: ignore[arg-type]
        rebuilt = sum(f.weight * field_levels(values, f) for f in steps.input_fields)
        np.testing.assert_array_equal(rebuilt - steps.input_offset, values)
        assert all(f.width <= bits for f in steps.input_fields)


def test_nonidealities_do_what_they_say() -> None:
    levels = np.tile(np.arange(4), (500, 50))  # 2-bit cells, every level 12,500 times
    rng = np.random.default_rng

    def apply(**kwargs: Any) -> np.ndarray:
        return apply_nonidealities(levels, 2, 1, DeviceNonIdealities(**kwargs), rng(0))

    np.testing.assert_array_equal(apply(stuck_off_rate=1.0), 0.0)
    np.testing.assert_array_equal(apply(stuck_on_rate=1.0), 3.0)
    both = apply(stuck_off_rate=0.1, stuck_on_rate=0.2)
    assert abs(np.mean(both[levels == 1] == 0.0) - 0.1) < 0.01
    assert abs(np.mean(both[levels == 1] == 3.0) - 0.2) < 0.01
    # two conductance levels on 2-bit cells: 0, 1 -> 0 and 2, 3 -> 3
    np.testing.assert_array_equal(apply(conductance_levels=2), np.where(levels >= 2, 3.0, 0.0))
    varied = apply(variation_sigma=0.1)
    ratio = varied[levels == 2] / 2.0
    assert abs(np.median(ratio) - 1.0) < 0.01  # lognormal: median preserved
    assert abs(np.std(np.log(ratio)) - 0.1) < 0.01
    np.testing.assert_array_equal(varied[levels == 0], 0.0)  # no conductance stays none
    np.testing.assert_array_equal(varied * 2**GRID_BITS, np.rint(varied * 2**GRID_BITS))
    np.testing.assert_array_equal(varied, apply(variation_sigma=0.1))  # seeded
    gaussian = apply(variation_sigma=0.5, variation_model="gaussian")
    assert gaussian.min() == 0.0 and abs(np.std(gaussian[levels == 2] / 2.0) - 0.5) < 0.02
