"""Functional runs end to end: lossless ADCs are exact, lossy ones err less with more bits."""

import numpy as np
import pandas as pd
import pytest

from cimsim.config import load_arch
from cimsim.errors import ConfigError, WorkloadInputError
from cimsim.functional import (
    digits_accuracy_sweep,
    digits_mlp_graph,
    linear_params,
    run_functional,
)
from workloads import zoo
from workloads.ir import Activation, Conv2d, Flatten, GlobalAvgPool, Linear, sequential


def _assert_exact(report) -> None:
    table = report.layers
    crossbar = table[table["target"] == "crossbar"]
    assert len(crossbar) > 0
    assert (crossbar["crossbar_vs_exact_rel_error"] == 0).all()
    assert (crossbar["crossbar_vs_exact_mismatch_fraction"] == 0).all()
    assert report.summary["crossbar_equals_exact"] is True
    # the two INT8 pipelines are then the same computation, value for value
    np.testing.assert_array_equal(report.outputs["crossbar"], report.outputs["int8"])
    assert (table["crossbar_vs_float_rel_error"] == table["int8_vs_float_rel_error"]).all()


@pytest.mark.parametrize("network", ["lenet5", "mlp"])
def test_ideal_adc_gives_exactly_the_integer_product(network):
    arch = load_arch("tiny", ["tile.adc.mode=ideal"])
    report = run_functional(arch, zoo.build(network), batch=3, seed=1)
    _assert_exact(report)
    assert report.summary["top1_agreement_crossbar_vs_int8"] == 1.0


def test_isaac_flip_8_bit_adc_is_lossless():
    report = run_functional(load_arch("isaac"), zoo.build("lenet5"), batch=2)
    assert report.summary["crossbar"]["adc_mode"] == "isaac_flip"
    _assert_exact(report)


def test_grouped_conv_and_global_pool_lossless_with_ideal_adc():
    graph = sequential(
        "dw",
        (6, 8, 8),
        [
            ("conv", Conv2d(12, (3, 3), (1, 1), (1, 1), groups=1)),
            ("relu", Activation("relu6")),
            ("dw", Conv2d(12, (3, 3), (2, 2), (1, 1), groups=12)),
            ("pw", Conv2d(8, (1, 1), groups=2)),
            ("gap", GlobalAvgPool()),
            ("flat", Flatten()),
            ("fc", Linear(5)),
        ],
    )
    report = run_functional(load_arch("tiny", ["tile.adc.mode=ideal"]), graph, batch=2)
    _assert_exact(report)
    # the mapper packs the 12 depthwise groups (9 rows x 1 column) 7 to a 64-row crossbar
    assert report.layers.set_index("layer").loc["dw", "crossbars"] == 2


def test_small_transformer_runs_and_is_exact_with_ideal_adc():
    graph = zoo.build("bert_base", seq_len=4, hidden=32, heads=2, ffn=64)
    report = run_functional(load_arch("tiny", ["tile.adc.mode=ideal"]), graph, batch=2)
    _assert_exact(report)
    assert report.outputs["float"].shape == (2, 4, 32)
    assert report.summary["output_int8_vs_float_rel_error"] < 0.1


def _first_layer_error(bits: int, mode: str) -> float:
    arch = load_arch("tiny", [f"tile.adc.bits={bits}", f"tile.adc.mode={mode}"])
    report = run_functional(arch, zoo.build("lenet5"), batch=2)
    return float(report.layers.set_index("layer").loc["c1", "crossbar_vs_exact_rel_error"])


def test_lossy_clip_adc_error_shrinks_as_bits_grow():
    # c1 sees the same INT8 input at every resolution, so its error isolates the ADC
    errors = [_first_layer_error(bits, "clip") for bits in (3, 4, 5, 6, 8)]
    assert errors[0] > 1.0  # 3-bit codes saturate at 7 of up to 75 levels (25 rows x 3)
    assert errors[0] > errors[1] > errors[2] > 0
    assert errors[3] == errors[4] == 0  # this data never sums past 63


def test_uniform_adc_error_halves_per_bit():
    errors = [_first_layer_error(bits, "uniform") for bits in (4, 5, 6, 7)]
    ratios = np.array(errors[1:]) / np.array(errors[:-1])
    assert np.all((ratios > 0.4) & (ratios < 0.6)), ratios


def test_lossy_network_reports_errors_everywhere():
    arch = load_arch("tiny", ["tile.adc.bits=3", "tile.adc.mode=clip"])
    report = run_functional(arch, zoo.build("lenet5"), batch=2)
    s = report.summary
    assert s["crossbar_equals_exact"] is False
    assert s["crossbar_vs_exact_rel_error_max"] > 1.0
    assert s["output_crossbar_vs_float_rel_error"] > s["output_int8_vs_float_rel_error"]
    table = report.layers
    assert list(table.columns[:5]) == ["layer", "op", "target", "macs", "crossbars"]
    assert (
        table["crossbar_vs_exact_rel_error"].isna().tolist()
        == (table["target"] == "digital").tolist()
    )


def test_int8_is_close_to_float_on_a_random_mlp():
    report = run_functional(load_arch("tiny"), zoo.build("mlp"), batch=4)
    assert (report.layers["int8_vs_float_rel_error"] < 0.03).all()
    assert report.summary["top1_agreement_int8_vs_float"] == 1.0
    assert report.summary["weights"] == "seeded He-normal"


def test_same_seed_same_report_and_chunking_changes_nothing():
    arch = load_arch("tiny", ["device.variation_sigma=0.1"])
    graph = zoo.build("lenet5")
    a = run_functional(arch, graph, batch=3, seed=5)
    b = run_functional(arch, graph, batch=3, seed=5, chunk=1)
    # the same chip in every chunk; only float32 BLAS rounding depends on the chunk size
    pd.testing.assert_frame_equal(a.layers, b.layers, check_exact=False, rtol=1e-3)
    np.testing.assert_allclose(a.outputs["crossbar"], b.outputs["crossbar"], rtol=1e-3)
    c = run_functional(arch, graph, batch=3, seed=5)
    pd.testing.assert_frame_equal(a.layers, c.layers)
    assert a.summary == c.summary
    d = run_functional(arch, graph, batch=3, seed=6)
    assert not np.array_equal(a.outputs["float"], d.outputs["float"])


def test_weights_that_do_not_map_are_a_config_error():
    arch = load_arch("tiny", ["precision.weight_bits=4"])
    with pytest.raises(ConfigError, match="weight_bits"):
        run_functional(arch, zoo.build("mlp"), batch=1)


def test_bad_inputs_and_weights_are_reported():
    arch, graph = load_arch("tiny"), zoo.build("mlp")
    with pytest.raises(WorkloadInputError, match="expected shape"):
        run_functional(arch, graph, inputs=np.zeros((2, 10)))
    with pytest.raises(WorkloadInputError, match="fc1"):
        run_functional(arch, graph, weights={"fc1": linear_params(np.zeros((3, 3)))})
    with pytest.raises(WorkloadInputError, match="unknown"):
        run_functional(arch, graph, weights={"nope": linear_params(np.zeros((3, 3)))})
    with pytest.raises(ConfigError, match="batch"):
        run_functional(arch, graph, batch=0)


def test_given_weights_inputs_and_labels():
    graph = digits_mlp_graph(features=4, hidden=3, classes=2)
    w1 = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]])
    w2 = np.array([[1.0, -1], [-1, 1], [0, 0]])
    weights = {"fc1": linear_params(w1, np.zeros(3)), "fc2": linear_params(w2)}
    x = np.array([[1.0, 0, 0, 0], [0, 1, 0, 0]])
    report = run_functional(
        load_arch("tiny"), graph, inputs=x, weights=weights, labels=np.array([0, 1])
    )
    np.testing.assert_allclose(report.outputs["float"], [[1, -1], [-1, 1]])
    assert report.summary["weights"] == "given"
    assert report.summary["accuracy_float"] == report.summary["accuracy_crossbar"] == 1.0


def test_digits_sweep_through_the_functional_path():
    table = digits_accuracy_sweep(load_arch("tiny"), adc_bits=(3, 8), sigmas=(0.0, 0.2), epochs=20)
    assert len(table) == 4
    assert (table["float_accuracy"] > 0.9).all()
    row = table.set_index(["adc_bits", "variation_sigma"])
    # one 64-row tile of 2-bit cells sums to at most 192 <= 255: 8-bit clip is lossless
    assert row.loc[(8, 0.0), "crossbar_accuracy"] == row.loc[(8, 0.0), "int8_accuracy"]
    assert row.loc[(8, 0.0), "crossbar_vs_exact_rel_error_max"] == 0
    assert row.loc[(3, 0.0), "crossbar_accuracy"] < row.loc[(8, 0.0), "crossbar_accuracy"] - 0.3
    assert row.loc[(8, 0.2), "crossbar_vs_exact_rel_error_max"] > 0
