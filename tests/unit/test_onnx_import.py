"""ONNX import: models built with onnx.helper inside the tests, then shapes and MAC counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from workloads.errors import WorkloadError
from workloads.onnx_import import load_onnx
from workloads.shapes import analyze


def _init(name: str, *shape: int) -> onnx.TensorProto:
    rng = np.random.default_rng(0)
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def _const(name: str, values: list[float] | list[int], dtype=np.float32) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(values, dtype=dtype), name)


def _save(tmp_path: Path, nodes, inputs, outputs, inits, name: str = "m") -> Path:
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, str(path))
    return path


def _vi(name: str, shape) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _bn_inits(prefix: str, c: int) -> list[onnx.TensorProto]:
    return [_init(f"{prefix}.{p}", c) for p in ("scale", "bias", "mean", "var")]


def _residual(tmp_path: Path) -> Path:
    """conv-bn-relu-conv-bn, + x, relu, global pool, flatten, gemm: a ResNet basic block."""
    bn = ["scale", "bias", "mean", "var"]
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", *(f"bn1.{p}" for p in bn)], ["b1"], "bn1"),
        helper.make_node("Relu", ["b1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c2", *(f"bn2.{p}" for p in bn)], ["b2"], "bn2"),
        helper.make_node("Add", ["b2", "x"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Dropout", ["f"], ["d"], name="drop"),
        helper.make_node("Gemm", ["d", "fc.w", "fc.b"], ["y"], name="fc", transB=1),
    ]
    inits = [_init("w1", 16, 16, 3, 3), _init("w2", 16, 16, 3, 3), _init("fc.w", 10, 16),
             _init("fc.b", 10), *_bn_inits("bn1", 16), *_bn_inits("bn2", 16)]  # fmt: skip
    return _save(tmp_path, nodes, [_vi("x", [1, 16, 8, 8])], [_vi("y", [1, 10])], inits, "res")


def test_residual_block(tmp_path: Path) -> None:
    g = load_onnx(_residual(tmp_path))
    info = analyze(g)
    assert g.inputs == (("x", (16, 8, 8)),)
    assert [i.op_kind for i in info.layers] == [
        "conv2d", "activation", "conv2d", "add", "activation", "global_avg_pool", "flatten",
        "linear",
    ]  # fmt: skip
    assert g.layer("conv1").op.bias and g.layer("conv2").op.bias  # BatchNorm folded
    assert g.producers("add") == ("conv2", "x")
    assert g.outputs == ("fc",)
    assert info.by_name["fc"].output_shape == (10,)
    assert info.total_macs == 2 * 8 * 8 * 16 * 144 + 160
    assert info.total_params == 2 * (16 * 144 + 16) + 170


def test_depthwise_separable_block_with_dynamic_batch(tmp_path: Path) -> None:
    nodes = [
        helper.make_node("Conv", ["x", "dw.w", "dw.b"], ["a"], name="dw", group=32,
                         strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["a", "lo", "hi"], ["b"], name="relu6"),
        helper.make_node("Conv", ["b", "pw.w"], ["c"], name="pw"),
        helper.make_node("Relu", ["c"], ["d"], name="relu"),
        helper.make_node("MaxPool", ["d"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
    ]  # fmt: skip
    inits = [_init("dw.w", 32, 1, 3, 3), _init("dw.b", 32), _init("pw.w", 64, 32, 1, 1),
             _const("lo", 0.0), _const("hi", 6.0)]  # fmt: skip
    path = _save(tmp_path, nodes, [_vi("x", ["N", 32, 16, 16])], [_vi("y", ["N", 64, 4, 4])],
                 inits, "dws")  # fmt: skip
    info = analyze(load_onnx(path))
    dw, clip, pw = info.by_name["dw"], info.by_name["relu6"], info.by_name["pw"]
    assert dw.output_shape == (32, 8, 8) and dw.mvm_groups == 32 and dw.mvm_rows == 9
    assert dw.macs == 8 * 8 * 32 * 9 and dw.params == 32 * 9 + 32
    assert clip.op.kind == "relu6"
    assert pw.macs == 8 * 8 * 64 * 32 and not pw.op.bias
    assert info.by_name["pool"].output_shape == (64, 4, 4)
    assert info.total_macs == 18_432 + 131_072


def _attention(tmp_path: Path, seq: int = 8, dim: int = 16, heads: int = 2) -> Path:
    dh = dim // heads
    nodes, inits = [], []
    for p in ("q", "k", "v"):
        nodes += [
            helper.make_node("MatMul", ["x", f"{p}.w"], [f"{p}0"], name=f"{p}_proj"),
            helper.make_node("Add", [f"{p}0", f"{p}.b"], [f"{p}1"], name=f"{p}_bias"),
            helper.make_node("Reshape", [f"{p}1", "split"], [f"{p}2"], name=f"{p}_split"),
        ]
        inits += [_init(f"{p}.w", dim, dim), _init(f"{p}.b", dim)]
    nodes += [
        helper.make_node("Transpose", ["q2"], ["qh"], name="q_perm", perm=[0, 2, 1, 3]),
        helper.make_node("Transpose", ["k2"], ["kt"], name="k_perm", perm=[0, 2, 3, 1]),
        helper.make_node("Transpose", ["v2"], ["vh"], name="v_perm", perm=[0, 2, 1, 3]),
        helper.make_node("MatMul", ["qh", "kt"], ["s"], name="scores"),
        helper.make_node("Div", ["s", "sqrt_d"], ["s2"], name="scale"),
        helper.make_node("Softmax", ["s2"], ["p"], name="softmax", axis=-1),
        helper.make_node("MatMul", ["p", "vh"], ["ctx"], name="context"),
        helper.make_node("Transpose", ["ctx"], ["ctx2"], name="merge_perm", perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["ctx2", "merge"], ["ctx3"], name="merge"),
        helper.make_node("MatMul", ["ctx3", "o.w"], ["o"], name="o_proj"),
        helper.make_node("Add", ["o", "x"], ["h"], name="residual"),
        helper.make_node("LayerNormalization", ["h", "ln.g", "ln.b"], ["y"], name="ln"),
    ]
    inits += [
        _const("split", [0, 0, heads, dh], np.int64), _const("merge", [1, seq, dim], np.int64),
        _const("sqrt_d", float(np.sqrt(dh))), _init("o.w", dim, dim), _init("ln.g", dim),
        _init("ln.b", dim),
    ]  # fmt: skip
    x, y = _vi("x", [1, seq, dim]), _vi("y", [1, seq, dim])
    return _save(tmp_path, nodes, [x], [y], inits, "attn")


def test_attention_block(tmp_path: Path) -> None:
    g = load_onnx(_attention(tmp_path))
    info = analyze(g)
    by = info.by_name
    linears = [i for i in info.layers if i.op_kind == "linear"]
    assert [i.name for i in linears] == ["q_proj", "k_proj", "v_proj", "o_proj"]
    assert [i.op.bias for i in linears] == [True, True, True, False]  # bias Adds folded
    assert all(i.output_shape == (8, 16) and i.is_mvm for i in linears)
    assert by["q_split"].output_shape == (8, 2, 8)
    assert by["q_perm"].output_shape == (2, 8, 8) and by["k_perm"].output_shape == (2, 8, 8)
    scores = by["scores"]
    assert scores.op_kind == "matmul" and not scores.is_mvm
    assert scores.output_shape == (2, 8, 8) and scores.macs == 2 * 8 * 8 * 8
    assert by["scale"].op.kind == "div" and by["softmax"].op.axis == 2
    assert by["merge"].output_shape == (8, 16)
    assert by["residual"].op_kind == "add" and by["ln"].params == 32
    assert info.total_mvm_macs == 4 * 8 * 16 * 16
    assert info.total_macs == 4 * 8 * 16 * 16 + 2 * 1024
    assert g.outputs == ("ln",)


def test_dynamic_shape_needs_input_shape(tmp_path: Path) -> None:
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])]
    path = _save(tmp_path, nodes, [_vi("x", ["N", 3, "H", "W"])], [_vi("y", ["N", 8, "H", "W"])],
                 [_init("w", 8, 3, 3, 3)], "dyn")  # fmt: skip
    with pytest.raises(WorkloadError, match="--input-shape") as info:
        load_onnx(path)
    assert str(path) in info.value.where
    for shape in ((1, 3, 32, 24), (3, 32, 24)):
        g = load_onnx(path, {"x": shape})
        assert analyze(g).by_name["conv"].output_shape == (8, 32, 24)
    with pytest.raises(WorkloadError, match="unknown input"):
        load_onnx(path, {"image": (3, 32, 32)})


def test_unsupported_op_names_node_and_supported_ops(tmp_path: Path) -> None:
    nodes = [helper.make_node("LRN", ["x"], ["y"], name="norm1", size=3)]
    path = _save(tmp_path, nodes, [_vi("x", [1, 4, 8, 8])], [_vi("y", [1, 4, 8, 8])], [], "lrn")
    with pytest.raises(WorkloadError, match="unsupported ONNX op 'LRN'") as info:
        load_onnx(path)
    assert "node 'norm1' (LRN)" in info.value.where
    assert "Conv" in info.value.message and "MatMul" in info.value.message


def test_corrupt_and_missing_files(tmp_path: Path) -> None:
    good = _residual(tmp_path).read_bytes()
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(good[: len(good) // 3])
    with pytest.raises(WorkloadError, match="not a valid ONNX model") as info:
        load_onnx(truncated)
    assert info.value.where == str(truncated)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00\xffnot a model at all")
    with pytest.raises(WorkloadError, match="not a valid ONNX model"):
        load_onnx(garbage)
    with pytest.raises(WorkloadError, match="no such ONNX file"):
        load_onnx(tmp_path / "absent.onnx")


def test_conv_with_non_constant_weights(tmp_path: Path) -> None:
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")]
    inputs = [_vi("x", [1, 3, 8, 8]), _vi("w", [4, 3, 3, 3])]
    path = _save(tmp_path, nodes, inputs, [_vi("y", [1, 4, 6, 6])], [], "wconv")
    with pytest.raises(WorkloadError, match="not constant") as info:
        load_onnx(path)
    assert "node 'conv' (Conv)" in info.value.where


def test_same_padding_and_torch_style_dynamic_flatten(tmp_path: Path) -> None:
    """x.view(x.size(0), -1) exports as Shape -> Gather -> Unsqueeze -> Concat -> Reshape."""
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", strides=[2, 2],
                         auto_pad="SAME_UPPER"),
        helper.make_node("Shape", ["c"], ["s"], name="shape"),
        helper.make_node("Gather", ["s", "zero"], ["n"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="unsqueeze"),
        helper.make_node("Concat", ["n1", "minus1"], ["target"], name="cat", axis=0),
        helper.make_node("Reshape", ["c", "target"], ["y"], name="view"),
    ]  # fmt: skip
    inits = [_init("w", 4, 3, 3, 3), _const("zero", 0, np.int64), _const("axes", [0], np.int64),
             _const("minus1", [-1], np.int64)]  # fmt: skip
    path = _save(tmp_path, nodes, [_vi("x", [1, 3, 9, 9])], [_vi("y", [1, 100])], inits, "view")
    g = load_onnx(path)
    info = analyze(g)
    assert g.layer_names == ("conv", "view")  # the shape computation is dropped
    assert info.by_name["conv"].padding == (1, 1, 1, 1)
    assert info.by_name["conv"].output_shape == (4, 5, 5)
    assert info.by_name["view"].output_shape == (100,)


def test_attention_keeps_its_scale_constant_and_weights_load(tmp_path: Path) -> None:
    from workloads.onnx_import import load_onnx_weights

    path = _attention(tmp_path)
    g = load_onnx(path)
    scale = g.layer("scale").op
    assert scale.constant == pytest.approx((np.sqrt(8.0),)) and scale.constant_shape == ()
    weights = load_onnx_weights(path)
    assert set(weights) == {"q_proj", "k_proj", "v_proj", "o_proj", "ln"}
    assert weights["q_proj"].matrices.shape == (1, 16, 16)
    assert weights["q_proj"].bias.shape == (16,) and weights["o_proj"].bias is None
    assert weights["ln"].scale.shape == (16,) and weights["ln"].shift.shape == (16,)
