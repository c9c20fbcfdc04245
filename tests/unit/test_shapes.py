"""Shape inference and work counts, checked by hand on small layers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workloads.errors import WorkloadError
from workloads.ir import (
    Activation,
    Add,
    BatchNorm,
    Concat,
    Conv2d,
    Elementwise,
    Flatten,
    GlobalAvgPool,
    Graph,
    Layer,
    LayerNorm,
    Linear,
    MatMul,
    Pool,
    Reshape,
    Softmax,
    Transpose,
    sequential,
)
from workloads.shapes import LayerInfo, analyze, input_rows_needed


def _one(op, shape: tuple[int, ...]) -> LayerInfo:
    return analyze(sequential("t", shape, [("l", op)])).layers[0]


def test_conv_counts() -> None:
    # 3x32x32 -> 16 filters 3x3, pad 1: 32x32 out; 16*32*32*27 MACs, 16*27 + 16 params.
    info = _one(Conv2d(16, (3, 3), padding=(1, 1)), (3, 32, 32))
    assert info.output_shape == (16, 32, 32)
    assert info.macs == 442_368
    assert info.params == 448
    assert info.is_mvm and info.op_kind == "conv2d"
    assert (info.mvm_rows, info.mvm_cols, info.mvm_groups) == (27, 16, 1)
    assert (info.output_rows, info.vectors_per_row, info.output_vectors) == (32, 32, 1024)
    assert info.input_elements == 3072 and info.output_elements == 16_384
    assert info.kernel == (3, 3) and info.padding == (1, 1, 1, 1) and info.element_ops == 0
    assert info.mvm_weights == 432 and info.work == "static_matmul"


def test_strided_asymmetric_dilated_conv() -> None:
    # H: (10 + 1 + 0 - 2*(3-1) - 1)//2 + 1 = 4; W: (10 + 0 + 1 - (3-1) - 1)//2 + 1 = 5.
    info = _one(Conv2d(4, (3, 3), (2, 2), (1, 0, 0, 1), dilation=(2, 1), bias=False), (2, 10, 10))
    assert info.output_shape == (4, 4, 5)
    assert info.params == 72 and info.macs == 20 * 72


def test_depthwise_conv() -> None:
    info = _one(Conv2d(32, (3, 3), (2, 2), (1, 1), groups=32), (32, 8, 8))
    assert info.output_shape == (32, 4, 4)
    assert (info.mvm_rows, info.mvm_cols, info.mvm_groups) == (9, 1, 32)
    assert info.macs == 4 * 4 * 32 * 9 and info.params == 32 * 9 + 32


def test_linear_on_vector_and_sequence() -> None:
    vec = _one(Linear(10), (84,))
    assert vec.output_shape == (10,) and vec.macs == 840 and vec.params == 850
    assert (vec.output_rows, vec.vectors_per_row, vec.output_vectors) == (1, 1, 1)
    seq = _one(Linear(3072, bias=False), (128, 768))
    assert seq.output_shape == (128, 3072) and seq.macs == 128 * 768 * 3072
    assert seq.params == 768 * 3072 and (seq.mvm_rows, seq.mvm_cols) == (768, 3072)
    assert (seq.output_rows, seq.vectors_per_row, seq.output_vectors) == (128, 1, 128)


def test_pooling_counts() -> None:
    info = _one(Pool("max", (3, 3), (2, 2), (1, 1)), (64, 112, 112))
    assert info.output_shape == (64, 56, 56)
    assert info.element_ops == 64 * 56 * 56 * 9 and info.macs == 0 and not info.is_mvm
    ceil = _one(Pool("max", (2, 2), ceil_mode=True), (1, 5, 5))
    assert ceil.output_shape == (1, 3, 3)
    gap = _one(GlobalAvgPool(), (512, 7, 7))
    assert gap.output_shape == (512, 1, 1) and gap.element_ops == 512 * 49


def test_elementwise_and_norms() -> None:
    act = _one(Activation("relu"), (8, 4, 4))
    assert act.output_shape == (8, 4, 4) and act.element_ops == 128 and act.work == "vector"
    assert _one(Elementwise("mul"), (2, 3)).element_ops == 6
    ln = _one(LayerNorm(), (128, 768))
    assert ln.params == 1536 and ln.element_ops == 128 * 768
    assert _one(BatchNorm(), (16, 4, 4)).params == 32
    assert _one(Softmax(-1), (12, 5, 5)).element_ops == 300


def test_data_movement_ops() -> None:
    assert _one(Flatten(), (512, 4, 4)).output_shape == (8192,)
    assert _one(Reshape((4, -1)), (2, 8)).output_shape == (4, 4)
    t = _one(Transpose((1, 0, 2)), (128, 12, 64))
    assert t.output_shape == (12, 128, 64) and t.element_ops == 0


def test_add_concat_matmul_two_inputs() -> None:
    layers = (
        Layer("add", Add(), ("a", "b")),
        Layer("cat", Concat(axis=0), ("a", "add")),
        Layer("q", Reshape((4, 3, 2)), ("c",)),
        Layer("kt", Transpose((0, 2, 1)), ("q",)),
        Layer("mm", MatMul(), ("q", "kt")),
    )
    g = Graph("g", {"a": (8, 5, 5), "b": (8, 5, 5), "c": (24,)}, layers, ("cat", "mm"))
    info = analyze(g).by_name
    assert info["add"].element_ops == 200 and info["add"].input_elements == 400
    assert info["cat"].output_shape == (16, 5, 5)
    mm = info["mm"]
    assert mm.output_shape == (4, 3, 3) and not mm.is_mvm
    assert mm.macs == 4 * 3 * 2 * 3 and mm.element_ops == mm.macs and mm.mvm_rows == 0
    consumers = analyze(g).consumers
    assert consumers["a"] == ("add", "cat") and consumers["b"] == ("add",)
    assert consumers["q"] == ("kt", "mm")  # read once per layer, in topological order
    assert consumers["cat"] == () and consumers["mm"] == ()


def test_graph_totals() -> None:
    g = sequential(
        "lenet-ish",
        (1, 28, 28),
        [("c", Conv2d(6, (5, 5))), ("p", Pool("avg", (2, 2))), ("f", Flatten()), ("l", Linear(10))],
    )
    gi = analyze(g)
    conv_macs, fc_macs = 24 * 24 * 6 * 25, 864 * 10
    assert gi.total_macs == conv_macs + fc_macs == gi.total_mvm_macs
    assert gi.total_params == 156 + 8650
    assert [i.name for i in gi.layers] == ["c", "p", "f", "l"]
    assert gi.shape("input") == (1, 28, 28) and gi.shape("p") == (6, 12, 12)


@pytest.mark.parametrize(
    ("op", "shape", "match"),
    [
        (Conv2d(4, (3, 3)), (16,), "rank 3"),
        (Conv2d(4, (3, 3), groups=2), (3, 8, 8), "divisible by groups"),
        (Conv2d(4, (9, 9)), (3, 8, 8), "does not fit"),
        (Reshape((5, -1)), (4, 4), "cannot reshape"),
        (Transpose((1, 0)), (2, 3, 4), "perm"),
        (Softmax(3), (2, 3), "axis"),
    ],
)
def test_shape_clash_names_layer(op, shape, match) -> None:
    with pytest.raises(WorkloadError, match=match) as info:
        _one(op, shape)
    assert info.value.where.startswith("layer 'l'")


def test_binary_shape_clashes() -> None:
    bad_add = Graph("g", {"a": (3, 4), "b": (5, 4)}, (Layer("s", Add(), ("a", "b")),), ("s",))
    with pytest.raises(WorkloadError, match="layer 's'"):
        analyze(bad_add)
    bad_mm = Graph("g", {"a": (3, 4), "b": (5, 4)}, (Layer("m", MatMul(), ("a", "b")),), ("m",))
    with pytest.raises(WorkloadError, match="cannot multiply"):
        analyze(bad_mm)


def test_input_rows_needed_conv_and_pool() -> None:
    conv = _one(Conv2d(4, (3, 3), padding=(1, 1)), (3, 8, 8))
    assert input_rows_needed(conv, 0, 1) == (0, 2)  # row -1 is padding
    assert input_rows_needed(conv, 3, 5) == (2, 6)
    assert input_rows_needed(conv, 7, 8) == (6, 8)
    strided = _one(Conv2d(4, (7, 7), (2, 2), (3, 3)), (3, 224, 224))
    assert input_rows_needed(strided, 10, 11) == (17, 24)
    pool = _one(Pool("max", (2, 2)), (4, 8, 8))
    assert input_rows_needed(pool, 1, 3) == (2, 6)


def test_input_rows_needed_other_ops() -> None:
    assert input_rows_needed(_one(Activation("relu"), (4, 8, 8)), 2, 5) == (2, 5)
    assert input_rows_needed(_one(Flatten(), (4, 8, 8)), 0, 1) == (0, 8)
    assert input_rows_needed(_one(GlobalAvgPool(), (4, 8, 8)), 0, 1) == (0, 8)
    assert input_rows_needed(_one(Linear(10), (84,)), 0, 1) == (0, 1)
    assert input_rows_needed(_one(Linear(10), (16, 84)), 4, 6) == (4, 6)
    assert input_rows_needed(_one(Softmax(0), (16, 84)), 4, 6) == (0, 16)
    layers = (
        Layer("mm", MatMul(), ("q", "k")),
        Layer("cat", Concat(axis=0), ("q", "q")),
    )
    g = Graph("g", {"q": (6, 4), "k": (4, 6)}, layers, ("mm", "cat"))
    mm, cat = analyze(g).layers
    assert input_rows_needed(mm, 2, 3, 0) == (2, 3)
    assert input_rows_needed(mm, 2, 3, 1) == (0, 4)
    assert input_rows_needed(cat, 4, 8, 0) == (4, 6)
    assert input_rows_needed(cat, 4, 8, 1) == (0, 2)
    assert input_rows_needed(cat, 0, 3, 1) == (0, 0)
    with pytest.raises(WorkloadError, match="outside"):
        input_rows_needed(mm, 3, 9)
    with pytest.raises(WorkloadError, match="index"):
        input_rows_needed(mm, 0, 1, 2)


def test_layer_table() -> None:
    from workloads.table import COLUMNS, layer_table

    g = sequential("t", (1, 8, 8), [("c", Conv2d(2, (3, 3))), ("r", Activation("relu"))])
    table = layer_table(analyze(g))
    assert tuple(table.columns) == COLUMNS
    assert table.to_dict("records") == [
        {"name": "c", "op": "conv2d", "input_shapes": "1x8x8", "output_shape": "2x6x6",
         "macs": 648, "params": 20, "work": "static_matmul"},
        {"name": "r", "op": "activation", "input_shapes": "2x6x6", "output_shape": "2x6x6",
         "macs": 0, "params": 0, "work": "vector"},
    ]  # fmt: skip
    assert str(table["macs"].dtype) == "int64"


@given(
    height=st.integers(1, 20),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    pads=st.tuples(st.integers(0, 4), st.integers(0, 4)),
    data=st.data(),
)
def test_conv_rows_match_brute_force(height, kernel, stride, dilation, pads, data) -> None:
    """Output size follows the window formula; the rows read cover the taps that land (exactly
    so without dilation)."""
    top, bottom = min(pads[0], kernel - 1), min(pads[1], kernel - 1)
    span = height + top + bottom - dilation * (kernel - 1)
    if span < 1:
        return
    op = Conv2d(1, (kernel, 1), (stride, 1), (top, 0, bottom, 0), (dilation, 1))
    info = _one(op, (1, height, 3))
    starts = [r * stride - top for r in range(height + top + bottom)]
    valid = [r for r, s in enumerate(starts) if s + dilation * (kernel - 1) < height + bottom]
    assert info.output_rows == len(valid) == (span - 1) // stride + 1
    a = data.draw(st.integers(0, info.output_rows - 1))
    b = data.draw(st.integers(a + 1, info.output_rows))
    taps = {r * stride - top + dilation * j for r in range(a, b) for j in range(kernel)}
    taps = {t for t in taps if 0 <= t < height}
    lo, hi = input_rows_needed(info, a, b)
    if taps:
        assert lo <= min(taps) and hi >= max(taps) + 1  # a hull: dilation may skip end rows
        if dilation == 1:
            assert (lo, hi) == (min(taps), max(taps) + 1)
