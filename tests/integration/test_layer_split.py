"""Layers too large for a compact chip are split into output slices plus a Concat."""

import math

import numpy as np
import pytest

from cimsim.config import load_arch
from cimsim.config.hardware import hardware_params
from cimsim.errors import MappingError
from cimsim.functional import ops
from cimsim.mapper import tile_layer
from cimsim.runs import simulate
from cimsim.scheduler.layer_split import split_oversized_layers
from workloads.ir import Activation, Concat, Conv2d, Linear, sequential
from workloads.shapes import analyze

WIDE = 2048
"""Outputs of the wide layer: 1024 x 2048 INT8 weights need 256 PEs; tiny has 72."""


@pytest.fixture(scope="module")
def arch():
    return load_arch("tiny")


@pytest.fixture(scope="module")
def wide_mlp():
    return sequential(
        "wide_mlp",
        (1024,),
        [("fc1", Linear(WIDE)), ("fc1.relu", Activation("relu")), ("fc2", Linear(10))],
    )


def _pes(layer, arch) -> int:
    tiling = tile_layer(layer, hardware_params(arch).crossbar, arch.precision.weight_bits)
    return math.ceil(tiling.crossbars / arch.tile.pe.crossbars)


def test_an_oversized_linear_becomes_slices_that_fit_and_a_concat(arch, wide_mlp) -> None:
    info = analyze(wide_mlp)
    chip_pes = arch.tiles * arch.tile.pes
    assert _pes(info.by_name["fc1"], arch) > chip_pes
    split = split_oversized_layers(wide_mlp, info, arch, hardware_params(arch))
    split_info = analyze(split)
    slices = [layer for layer in split.layers if layer.name.startswith("fc1.slice")]
    assert len(slices) > 1
    assert all(_pes(split_info.by_name[s.name], arch) <= chip_pes for s in slices)
    sizes = [s.op.out_features for s in slices]
    assert sum(sizes) == WIDE and max(sizes) - min(sizes) <= 16  # one column tile
    assert all(s.inputs == wide_mlp.layer("fc1").inputs for s in slices)
    concat = split.layer("fc1")
    assert isinstance(concat.op, Concat) and concat.inputs == tuple(s.name for s in slices)
    for layer in info.layers:  # every original tensor keeps its shape
        assert split_info.by_name[layer.name].output_shape == layer.output_shape
    assert split_info.total_mvm_macs == info.total_mvm_macs


def test_concatenated_slices_compute_the_layer(arch, wide_mlp) -> None:
    """The rewrite is exact: the slices' products, joined by the split's own Concat axis
    (cimsim.functional's concat, batch axis first), equal the whole layer's product."""
    split = split_oversized_layers(wide_mlp, analyze(wide_mlp), arch, hardware_params(arch))
    rng = np.random.default_rng(0)
    matrix = rng.integers(-128, 128, (1024, WIDE)).astype(np.float64)
    x = rng.integers(-128, 128, (3, 1024)).astype(np.float64)
    parts, start = [], 0
    for layer in split.layers:
        if layer.name.startswith("fc1.slice"):
            stop = start + layer.op.out_features
            parts.append(ops.linear(x, matrix[:, start:stop], None))
            start = stop
    joined = ops.concat(parts, split.layer("fc1").op.axis)
    np.testing.assert_array_equal(joined, ops.linear(x, matrix, None))


def test_a_graph_that_fits_is_returned_unchanged(arch, wide_mlp) -> None:
    big = load_arch("tiny", ["noc.rows=6", "noc.cols=6"])
    assert split_oversized_layers(wide_mlp, analyze(wide_mlp), big, hardware_params(big)) is (
        wide_mlp
    )


def test_too_many_inputs_for_one_column_of_crossbars_is_a_clear_error(arch) -> None:
    deep = sequential("deep", (64 * 600,), [("fc", Linear(16))])
    with pytest.raises(MappingError, match="layer fc: even one column of its crossbars"):
        split_oversized_layers(deep, analyze(deep), arch, hardware_params(arch))


def test_weight_reuse_runs_a_network_with_an_oversized_layer(arch, wide_mlp) -> None:
    result = simulate(
        arch, wide_mlp, scheduler="weight_reuse", reuse_mode="RP", batch=2, duplication="dynamic"
    )
    parts = result.summary["parts"]
    assert len(parts) > 2 and all(p["pes_one_copy"] <= arch.tiles * arch.tile.pes for p in parts)
    layers = result.layers.set_index("layer")
    assert layers.loc[[n for n in layers.index if n.startswith("fc1.slice")], "macs"].sum() == (
        1024 * WIDE
    )
    assert layers.loc["fc1", "op"] == "concat"


def test_an_oversized_conv_is_split_by_output_channels(arch) -> None:
    wide_conv = sequential(
        "wide_conv", (64, 8, 8), [("conv", Conv2d(2048, (3, 3), padding=(1, 1)))]
    )
    info = analyze(wide_conv)
    split = split_oversized_layers(wide_conv, info, arch, hardware_params(arch))
    split_info = analyze(split)
    slices = [layer for layer in split.layers if layer.name.startswith("conv.slice")]
    assert len(slices) > 1 and sum(s.op.out_channels for s in slices) == 2048
    assert all(s.op.kernel == (3, 3) and s.op.padding == (1, 1, 1, 1) for s in slices)
    assert split.layer("conv").op == Concat(axis=-3)
    assert split_info.by_name["conv"].output_shape == (2048, 8, 8)
    assert split_info.total_mvm_macs == info.total_mvm_macs
    result = simulate(
        arch, wide_conv, scheduler="weight_reuse", reuse_mode="HT", batch=2, duplication="dynamic"
    )
    assert len(result.summary["parts"]) == len(slices)
