"""ONNX models as ``torch.onnx.export`` writes them (opset 13-18), built with onnx.helper.

PyTorch is not a dependency, so each model reproduces the node patterns of a real export:
decomposed LayerNorm and GELU, Shape/Gather/Unsqueeze/Concat reshape targets, attention masks
computed from inputs or constants, Cast/Dropout/Identity. Numerical agreement is checked
against ``onnx.reference.ReferenceEvaluator`` (the float oracle shipped with onnx) and, for
the BERT-like layer, against an independent numpy forward pass.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from scipy.special import erf

from cimsim.cli import main
from cimsim.config import load_arch
from cimsim.functional import LayerParams, run_functional
from cimsim.functional.layers import float_layer
from workloads import zoo
from workloads.errors import WorkloadError
from workloads.ir import Elementwise, LayerNorm, Slice
from workloads.onnx_import import load_onnx, load_onnx_weights
from workloads.shapes import analyze, input_rows_needed

HIDDEN, HEADS, SEQ, FFN = 64, 4, 8, 256


def _typed_outputs(model: onnx.ModelProto, inputs, outputs) -> list[onnx.ValueInfoProto]:
    """Output value infos with shapes, as torch writes them (inferred, else evaluated)."""
    inferred = onnx.shape_inference.infer_shapes(model, data_prop=True).graph.value_info
    typed = {v.name: v for v in inferred if v.type.tensor_type.HasField("shape")}
    if all(n in typed for n in outputs):
        return [typed[n] for n in outputs]
    model = onnx.ModelProto.FromString(model.SerializeToString())
    model.graph.output.extend(helper.make_empty_tensor_value_info(n) for n in outputs)
    feeds = {n: np.zeros(s, np.float32) for n, s in inputs}
    values = ReferenceEvaluator(model).run(None, feeds)
    return [
        helper.make_tensor_value_info(n, TensorProto.FLOAT, v.shape)
        for n, v in zip(outputs, values, strict=True)
    ]


class _Model:
    """Builds a graph node by node, naming nodes and tensors as torch's exporter does."""

    def __init__(self, opset: int = 14, seed: int = 0) -> None:
        self.opset, self.nodes, self.inits = opset, [], []
        self.values: dict[str, np.ndarray] = {}
        self.rng = np.random.default_rng(seed)
        self.scope, self.count = "", 0

    def const(self, value, dtype=np.float32) -> str:
        name = f"onnx::Const_{len(self.inits)}"
        array = np.asarray(value, dtype=dtype)
        self.inits.append(numpy_helper.from_array(array, name))
        self.values[name] = array
        return name

    def weight(self, name: str, *shape: int, std: float = 0.1) -> str:
        array = self.rng.normal(0.0, std, shape).astype(np.float32)
        self.inits.append(numpy_helper.from_array(array, name))
        self.values[name] = array
        return name

    def op(self, op_type: str, inputs, outputs: int = 1, **attrs):
        self.count += 1
        name = f"{self.scope}/{op_type}_{self.count}"
        outs = [f"{name}_output_{k}" for k in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=name, **attrs))
        return outs[0] if outputs == 1 else outs

    def save(self, path: Path, inputs, outputs) -> Path:
        vis = [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs]
        graph = helper.make_graph(self.nodes, path.stem, vis, [], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)])
        model.graph.output.extend(_typed_outputs(model, inputs, outputs))
        onnx.checker.check_model(model)
        onnx.save(model, str(path))
        return path

    # --- torch export patterns ----------------------------------------------------------
    def reduce_mean(self, x: str) -> str:
        if self.opset >= 18:
            return self.op("ReduceMean", [x, self.const([-1], np.int64)])
        return self.op("ReduceMean", [x], axes=[-1])

    def layer_norm(self, x: str, prefix: str, width: int, eps: float = 1e-12) -> str:
        """torch.nn.LayerNorm before opset 17 (nodes named <scope>/LayerNorm/...)."""
        scope, self.scope = self.scope, f"{self.scope}/LayerNorm"
        mean = self.reduce_mean(x)
        d = self.op("Sub", [x, mean])
        var = self.reduce_mean(self.op("Pow", [d, self.const(2.0)]))
        std = self.op("Sqrt", [self.op("Add", [var, self.const(eps)])])
        y = self.op("Div", [d, std])
        y = self.op("Mul", [y, self.weight(f"{prefix}.weight", width, std=1.0)])
        y = self.op("Add", [y, self.weight(f"{prefix}.bias", width)])
        self.scope = scope
        return y

    def gelu_erf(self, x: str) -> str:
        """torch.nn.GELU() before opset 20."""
        e = self.op("Erf", [self.op("Div", [x, self.const(1.4142135381698608)])])
        y = self.op("Mul", [x, self.op("Add", [e, self.const(1.0)])])
        return self.op("Mul", [y, self.const(0.5)])

    def gelu_tanh(self, x: str, style: str = "torch") -> str:
        """GELU(approximate='tanh') as torch exports it, or HF's NewGELU (x ** 3)."""
        if style == "torch":
            cube = self.op("Mul", [x, self.op("Mul", [x, x])])
            inner = self.op("Mul", [self.const(0.044715), cube])
        else:
            inner = self.op("Mul", [self.op("Pow", [x, self.const(3.0)]), self.const(0.044715)])
        u = self.op("Add", [x, inner])
        t = self.op("Tanh", [self.op("Mul", [self.const(math.sqrt(2 / math.pi)), u])])
        a = self.op("Add", [self.const(1.0), t])
        if style == "torch":
            return self.op("Mul", [self.const(0.5), self.op("Mul", [x, a])])
        return self.op("Mul", [self.op("Mul", [self.const(0.5), x]), a])

    def linear(self, x: str, prefix: str, n_in: int, n_out: int) -> str:
        """nn.Linear on a 3-D input: MatMul with the transposed weight, then Add(bias, .)."""
        y = self.op("MatMul", [x, self.weight(f"{prefix}.weight", n_in, n_out)])
        return self.op("Add", [self.weight(f"{prefix}.bias", n_out), y])

    def dim(self, x: str, index: int) -> str:
        """x.size(index) as an unsqueezed 1-element tensor (Shape -> Gather -> Unsqueeze)."""
        g = self.op("Gather", [self.op("Shape", [x]), self.const(index, np.int64)], axis=0)
        return self.op("Unsqueeze", [g, self.const([0], np.int64)])

    def view(self, x: str, *tail: int, keep: int = 2) -> str:
        """x.view(x.size(0), ..., x.size(keep-1), *tail) with a computed target shape."""
        parts = [self.dim(x, i) for i in range(keep)] + [self.const([t], np.int64) for t in tail]
        return self.op("Reshape", [x, self.op("Concat", parts, axis=0)])


def _bert_layer(path: Path, opset: int = 14, scale: str = "div") -> tuple[Path, _Model]:
    """One BERT encoder layer (post-LN) as HF BertLayer exports: hidden 64, 4 heads, seq 8."""
    m = _Model(opset)
    dh = HIDDEN // HEADS
    m.scope = "/attention/self"
    heads = {}
    for p in ("query", "key", "value"):
        y = m.linear("x", f"attention.self.{p}", HIDDEN, HIDDEN)
        heads[p] = m.op("Transpose", [m.view(y, HEADS, dh)], perm=[0, 2, 1, 3])
    kt = m.op("Transpose", [heads["key"]], perm=[0, 1, 3, 2])
    s = m.op("MatMul", [heads["query"], kt])
    if scale == "div":
        s = m.op("Div", [s, m.const(math.sqrt(dh))])
    else:
        s = m.op("Mul", [s, m.const(1 / math.sqrt(dh))])
    mask = m.op("Unsqueeze", ["mask", m.const([1, 2], np.int64)])
    mask = m.op("Sub", [m.const(1.0), m.op("Cast", [mask], to=TensorProto.FLOAT)])
    s = m.op("Add", [s, m.op("Mul", [mask, m.const(-10000.0)])])
    p = m.op("Dropout", [m.op("Softmax", [s], axis=-1)])
    ctx = m.op("Transpose", [m.op("MatMul", [p, heads["value"]])], perm=[0, 2, 1, 3])
    ctx = m.view(ctx, HIDDEN)
    m.scope = "/attention/output"
    h = m.op("Dropout", [m.linear(ctx, "attention.output.dense", HIDDEN, HIDDEN)])
    h = m.layer_norm(m.op("Add", [h, "x"]), "attention.output.LayerNorm", HIDDEN)
    m.scope = "/intermediate"
    f = m.gelu_erf(m.linear(h, "intermediate.dense", HIDDEN, FFN))
    m.scope = "/output"
    f = m.op("Dropout", [m.linear(f, "output.dense", FFN, HIDDEN)])
    y = m.layer_norm(m.op("Add", [f, h]), "output.LayerNorm", HIDDEN)
    m.nodes.append(helper.make_node("Identity", [y], ["y"], name="/output/Identity"))
    inputs = [("x", [1, SEQ, HIDDEN]), ("mask", [1, SEQ])]
    return m.save(path, inputs, ["y"]), m


def _numpy_bert(w: dict[str, np.ndarray], x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The BERT layer computed directly from its weights, independently of the importer."""

    def lin(v, p):
        return v @ w[f"{p}.weight"] + w[f"{p}.bias"]

    def ln(v, p):
        mu = v.mean(-1, keepdims=True)
        var = ((v - mu) ** 2).mean(-1, keepdims=True)
        return (v - mu) / np.sqrt(var + 1e-12) * w[f"{p}.weight"] + w[f"{p}.bias"]

    b, dh = x.shape[0], HIDDEN // HEADS

    def split(v):
        return v.reshape(b, SEQ, HEADS, dh).transpose(0, 2, 1, 3)

    q, k, v = (split(lin(x, f"attention.self.{p}")) for p in ("query", "key", "value"))
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh) + (1.0 - mask[:, None, None, :]) * -10000.0
    e = np.exp(s - s.max(-1, keepdims=True))
    ctx = (e / e.sum(-1, keepdims=True)) @ v
    ctx = ctx.transpose(0, 2, 1, 3).reshape(b, SEQ, HIDDEN)
    h = ln(lin(ctx, "attention.output.dense") + x, "attention.output.LayerNorm")
    f = lin(h, "intermediate.dense")
    f = 0.5 * f * (1.0 + erf(f / np.sqrt(2.0)))
    return ln(lin(f, "output.dense") + h, "output.LayerNorm")


def _params(path: Path) -> dict[str, LayerParams]:
    return {k: LayerParams(**vars(w)) for k, w in load_onnx_weights(path).items()}


def _cimsim_float(path: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    """The imported graph's first output, layer by layer through the functional float path."""
    graph = load_onnx(path)
    info, params = analyze(graph), _params(path)
    tensors = {n: feeds[n].reshape(1, *s) for n, s in graph.inputs}
    for layer, li in zip(graph.layers, info.layers, strict=True):
        args = [tensors[i] for i in layer.inputs]
        tensors[layer.name] = float_layer(li, params.get(layer.name), args)
    return tensors[graph.outputs[0]]


def _oracle(path: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    return ReferenceEvaluator(str(path)).run(None, feeds)[0]


def _agree(path: Path, feeds: dict[str, np.ndarray], atol: float = 1e-4) -> None:
    ours, ref = _cimsim_float(path, feeds), _oracle(path, feeds)
    np.testing.assert_allclose(ours.reshape(ref.shape), ref, atol=atol, rtol=1e-4)


def _feeds(**shapes) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}


# --- the BERT-like encoder layer ------------------------------------------------------------


@pytest.fixture(scope="module")
def bert(tmp_path_factory) -> tuple[Path, _Model]:
    return _bert_layer(tmp_path_factory.mktemp("bert") / "bert_layer.onnx")


def test_bert_layer_imports_with_fused_patterns_and_counts(bert) -> None:
    path, _ = bert
    g = load_onnx(path)
    info = analyze(g)
    kinds = [li.op_kind for li in info.layers]
    assert kinds.count("linear") == 6 and kinds.count("matmul") == 2
    assert kinds.count("layer_norm") == 2 and kinds.count("softmax") == 1
    assert "reduce_mean" not in kinds and "sub" not in kinds  # both LayerNorms fused
    gelus = [li for li in info.layers if li.op_kind == "activation"]
    assert [(li.op.kind, li.op.approximate) for li in gelus] == [("gelu", "none")]
    assert [li.name for li in info.layers if li.op_kind == "layer_norm"] == [
        "/attention/output/LayerNorm", "/output/LayerNorm",
    ]  # fmt: skip
    norms = [li.op for li in info.layers if li.op_kind == "layer_norm"]
    assert all(op.eps == pytest.approx(1e-12) and op.affine for op in norms)
    assert all(li.op.bias for li in info.layers if li.op_kind == "linear")  # bias Adds folded
    elementwise = [li.op for li in info.layers if li.op_kind == "elementwise"]
    assert [(op.kind, op.constant, op.constant_first) for op in elementwise] == [
        ("div", (4.0,), False), ("sub", (1.0,), True), ("mul", (-10000.0,), False),
    ]  # fmt: skip
    assert g.inputs == (("x", (SEQ, HIDDEN)), ("mask", (SEQ,)))
    scores = next(li for li in info.layers if li.op_kind == "matmul")
    assert scores.output_shape == (HEADS, SEQ, SEQ)
    assert info.by_name[g.outputs[0]].output_shape == (SEQ, HIDDEN)
    assert info.total_mvm_macs == 4 * SEQ * HIDDEN**2 + 2 * SEQ * HIDDEN * FFN
    assert info.total_macs == info.total_mvm_macs + 2 * SEQ * SEQ * HIDDEN
    linear_params = 4 * (HIDDEN**2 + HIDDEN) + 2 * HIDDEN * FFN + FFN + HIDDEN
    assert info.total_params == linear_params + 2 * 2 * HIDDEN  # + two LayerNorms
    ln = info.by_name["/output/LayerNorm"]
    assert ln.element_ops == SEQ * HIDDEN and not ln.is_mvm
    zoo_bert = analyze(zoo.build("bert_base", seq_len=SEQ, hidden=HIDDEN, heads=HEADS, ffn=FFN))
    assert (info.total_macs, info.total_params) == (zoo_bert.total_macs, zoo_bert.total_params)


def test_bert_layer_float_path_matches_reference_evaluator_and_numpy(bert) -> None:
    path, model = bert
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, SEQ, HIDDEN)).astype(np.float32)
    mask = np.ones((1, SEQ), np.float32)
    mask[0, -3:] = 0.0  # padding positions
    expected = _numpy_bert(model.values, x.astype(np.float64), mask)
    ref = _oracle(path, {"x": x, "mask": mask})
    np.testing.assert_allclose(ref, expected, atol=1e-4)
    report = run_functional(
        load_arch("tiny"), load_onnx(path), inputs={"x": x[0][None], "mask": mask},
        weights=_params(path),
    )  # fmt: skip
    np.testing.assert_allclose(report.outputs["float"], ref, atol=1e-4)
    np.testing.assert_allclose(report.outputs["float"], expected, atol=1e-4)
    assert np.max(np.abs(report.outputs["int8"] - ref)) < 0.5  # quantized, but close


def test_bert_layer_runs_end_to_end_through_the_cli(bert, tmp_path: Path) -> None:
    path, _ = bert
    out = tmp_path / "run"
    argv = ["run", "--workload", str(path), "--arch", "tiny", "--out", str(out), "--quiet",
            "--functional", "--functional-batch", "2"]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["macs_per_inference"] == analyze(load_onnx(path)).total_macs


@pytest.mark.parametrize(("opset", "scale"), [(13, "mul"), (17, "div"), (18, "mul")])
def test_bert_layer_other_opsets_and_scaling(tmp_path: Path, opset: int, scale: str) -> None:
    path, _ = _bert_layer(tmp_path / "b.onnx", opset, scale)
    g = load_onnx(path)
    kinds = [layer.op.op_kind for layer in g.layers]
    assert kinds.count("layer_norm") == 2 and "reduce_mean" not in kinds
    rng = np.random.default_rng(3)
    feeds = {"x": rng.standard_normal((1, SEQ, HIDDEN)).astype(np.float32),
             "mask": (rng.random((1, SEQ)) > 0.3).astype(np.float32)}  # fmt: skip
    _agree(path, feeds)


# --- attention variants -----------------------------------------------------------------------


def test_attention_with_constant_causal_mask_and_constant_shapes(tmp_path: Path) -> None:
    """GPT-style: constant reshape targets, Mul(1/sqrt d), a causal mask built from
    ConstantOfShape/Shape chains that fold to one constant, kept in the Elementwise op."""
    m, dim, heads = _Model(15), 32, 2
    dh = dim // heads
    qkv = m.linear("x", "c_attn", dim, 3 * dim)
    q, k, v = m.op("Split", [qkv, m.const([dim] * 3, np.int64)], outputs=3, axis=2)
    split = m.const([1, SEQ, heads, dh], np.int64)
    q, k, v = (m.op("Transpose", [m.op("Reshape", [t, split])], perm=[0, 2, 1, 3])
               for t in (q, k, v))  # fmt: skip
    s = m.op("MatMul", [q, m.op("Transpose", [k], perm=[0, 1, 3, 2])])
    s = m.op("Mul", [s, m.const(1 / math.sqrt(dh))])
    ones = m.op("ConstantOfShape", [m.op("Shape", [s])],
                value=numpy_helper.from_array(np.ones(1, np.float32)))  # fmt: skip
    tril = m.op("Trilu", [ones], upper=0)
    bias = m.op("Mul", [m.op("Sub", [m.const(1.0), tril]), m.const(-1e4)])
    p = m.op("Softmax", [m.op("Add", [s, bias])], axis=-1)
    ctx = m.op("Transpose", [m.op("MatMul", [p, v])], perm=[0, 2, 1, 3])
    ctx = m.op("Reshape", [ctx, m.const([1, SEQ, dim], np.int64)])
    y = m.linear(ctx, "c_proj", dim, dim)
    path = m.save(tmp_path / "gpt_attn.onnx", [("x", [1, SEQ, dim])], [y])
    g = load_onnx(path)
    info = analyze(g)
    masks = [layer.op for layer in g.layers if isinstance(layer.op, Elementwise)]
    assert [op.kind for op in masks] == ["mul", "add"]
    assert masks[0].constant == pytest.approx((0.25,))
    assert masks[1].constant_shape == (heads, SEQ, SEQ)  # the batch axis dropped
    causal = masks[1].constant_array()[0]
    assert causal[0, 1] == -1e4 and causal[1, 0] == 0.0
    assert [li.output_shape for li in info.layers if li.op_kind == "slice"] == [(SEQ, dim)] * 3
    assert info.total_mvm_macs == SEQ * dim * 3 * dim + SEQ * dim * dim
    _agree(path, _feeds(x=(1, SEQ, dim)))


# --- single patterns --------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [13, 18])
def test_decomposed_layer_norm_is_one_layer_norm(tmp_path: Path, opset: int) -> None:
    m = _Model(opset)
    y = m.layer_norm("x", "ln", 16, eps=1e-5)
    path = m.save(tmp_path / "ln.onnx", [("x", [1, 4, 16])], [y])
    g = load_onnx(path)
    assert len(g.layers) == 1 and isinstance(g.layers[0].op, LayerNorm)
    assert g.layers[0].op.eps == pytest.approx(1e-5)
    li = analyze(g).layers[0]
    assert li.params == 32 and li.element_ops == 64
    _agree(path, _feeds(x=(1, 4, 16)))


def test_layer_norm_without_affine_and_a_lone_reduce_mean(tmp_path: Path) -> None:
    m = _Model(14)
    mean = m.reduce_mean("x")
    d = m.op("Sub", ["x", mean])
    var = m.reduce_mean(m.op("Pow", [d, m.const(2.0)]))
    n = m.op("Div", [d, m.op("Sqrt", [m.op("Add", [var, m.const(1e-6)])])])
    pooled = m.op("ReduceMean", [n], axes=[1], keepdims=0)  # a mean over the sequence
    path = m.save(tmp_path / "ln_plain.onnx", [("x", [1, 6, 8])], [pooled])
    g = load_onnx(path)
    info = analyze(g)
    assert [li.op_kind for li in info.layers] == ["layer_norm", "reduce_mean"]
    assert not g.layers[0].op.affine and info.layers[0].params == 0
    assert info.layers[1].output_shape == (8,) and info.layers[1].element_ops == 48
    _agree(path, _feeds(x=(1, 6, 8)))


def test_a_layer_norm_lookalike_stays_op_by_op(tmp_path: Path) -> None:
    """The centred tensor also feeds the output: not a LayerNorm, so nothing is fused."""
    m = _Model(14)
    d = m.op("Sub", ["x", m.reduce_mean("x")])
    var = m.reduce_mean(m.op("Pow", [d, m.const(2.0)]))
    n = m.op("Div", [d, m.op("Sqrt", [m.op("Add", [var, m.const(1e-5)])])])
    y = m.op("Add", [n, d])
    path = m.save(tmp_path / "lookalike.onnx", [("x", [1, 4, 8])], [y])
    info = analyze(load_onnx(path))
    assert [li.op_kind for li in info.layers] == [
        "reduce_mean", "sub", "elementwise", "reduce_mean", "elementwise", "activation", "div",
        "add",
    ]  # fmt: skip
    assert info.layers[5].op.kind == "sqrt"
    _agree(path, _feeds(x=(1, 4, 8)))


@pytest.mark.parametrize(
    ("style", "approximate"), [("erf", "none"), ("torch", "tanh"), ("hf", "tanh")]
)
def test_gelu_patterns_fuse_to_one_activation(tmp_path: Path, style: str, approximate) -> None:
    m = _Model(14)
    h = m.linear("x", "fc", 16, 32)
    y = m.gelu_erf(h) if style == "erf" else m.gelu_tanh(h, style)
    path = m.save(tmp_path / "gelu.onnx", [("x", [1, 4, 16])], [y])
    info = analyze(load_onnx(path))
    assert [li.op_kind for li in info.layers] == ["linear", "activation"]
    act = info.layers[1].op
    assert (act.kind, act.approximate) == ("gelu", approximate)
    assert info.layers[1].element_ops == 4 * 32
    _agree(path, _feeds(x=(1, 4, 16)))


def test_lone_erf_sqrt_and_activation_arithmetic(tmp_path: Path) -> None:
    m = _Model(14)
    e = m.op("Erf", ["x"])
    s = m.op("Sqrt", [m.op("Abs", ["y"])])
    y = m.op("Div", [m.op("Sub", [e, s]), m.op("Add", [m.op("Exp", ["y"]), m.const(1.0)])])
    z = m.op("Div", [m.const(2.0), y])
    path = m.save(tmp_path / "arith.onnx", [("x", [1, 3, 5]), ("y", [1, 1, 5])], [z])
    info = analyze(load_onnx(path))
    assert [li.op_kind for li in info.layers] == [
        "activation", "activation", "activation", "sub", "activation", "elementwise", "div",
        "elementwise",
    ]  # fmt: skip
    assert info.layers[-1].op.constant_first and info.layers[-1].output_shape == (3, 5)
    _agree(path, _feeds(x=(1, 3, 5), y=(1, 1, 5)))


def test_slice_split_gather_flatten_squeeze_cast_identity(tmp_path: Path) -> None:
    m = _Model(13)
    a, b = m.op("Split", ["x", m.const([2, 4], np.int64)], outputs=2, axis=1)
    rows = m.op("Slice", [b, m.const([1], np.int64), m.const([2**62], np.int64),
                          m.const([1], np.int64), m.const([2], np.int64)])  # fmt: skip
    cls = m.op("Gather", [m.op("Identity", [a]), m.const(0, np.int64)], axis=1)  # x[:, 0]
    u = m.op("Unsqueeze", [m.op("Cast", [cls], to=TensorProto.FLOAT), m.const([1], np.int64)])
    rows = m.op("Unsqueeze", [rows, m.const([2], np.int64)])  # (1, 2, 1, 8)
    rows = m.op("Squeeze", [rows, m.const([2], np.int64)])
    c = m.op("Concat", [u, rows], axis=1)  # (1, 3, 8)
    f = m.op("Flatten", [m.op("Unsqueeze", [c, m.const([2], np.int64)])], axis=2)  # (3, 8)
    y = m.op("Mul", [f, m.const(np.arange(8.0))])
    path = m.save(tmp_path / "moves.onnx", [("x", [1, 6, 8])], [y])
    g = load_onnx(path)
    info = analyze(g)
    slices = [li for li in info.layers if isinstance(li.op, Slice)]
    assert [li.output_shape for li in slices] == [(2, 8), (4, 8), (2, 8), (1, 8)]
    assert slices[2].op.steps == (2,)
    assert info.by_name[g.outputs[0]].output_shape == (3, 8)
    assert all(li.element_ops == 0 for li in slices)
    _agree(path, _feeds(x=(1, 6, 8)))


def test_residual_cnn_block_matches_reference_evaluator(tmp_path: Path) -> None:
    """conv-bn-relu-conv-bn + x, relu, global pool, flatten, gemm (BatchNorm folded).

    Opset 15: onnx.reference's BatchNormalization-9 (opsets 9-13) blends the running
    statistics with the batch's through the default momentum, unlike inference."""
    m = _Model(15)
    c = 8

    def conv_bn(x: str, p: str) -> str:
        y = m.op("Conv", [x, m.weight(f"{p}.w", c, c, 3, 3, std=0.2)], pads=[1, 1, 1, 1])
        bn = [m.weight(f"{p}.bn.g", c, std=1.0), m.weight(f"{p}.bn.b", c),
              m.weight(f"{p}.bn.mean", c), m.const(np.full(c, 1.5))]  # fmt: skip
        return m.op("BatchNormalization", [y, *bn], epsilon=1e-5)

    h = m.op("Relu", [conv_bn("x", "c1")])
    h = m.op("Relu", [m.op("Add", [conv_bn(h, "c2"), "x"])])
    f = m.op("Flatten", [m.op("GlobalAveragePool", [h])])
    y = m.op("Gemm", [f, m.weight("fc.w", 10, c), m.weight("fc.b", 10)], transB=1, alpha=0.5)
    path = m.save(tmp_path / "resblock.onnx", [("x", [1, c, 6, 6])], [y])
    graph = load_onnx(path)
    assert [layer.op.op_kind for layer in graph.layers].count("batch_norm") == 0
    x = _feeds(x=(1, c, 6, 6))["x"]
    report = run_functional(load_arch("tiny"), graph, inputs=x, weights=_params(path))
    np.testing.assert_allclose(report.outputs["float"], _oracle(path, {"x": x}), atol=1e-4)


# --- IR details and errors --------------------------------------------------------------------


def test_elementwise_constants_are_frozen_hashable_and_broadcast() -> None:
    op = Elementwise.of("add", np.arange(6.0).reshape(2, 3))
    assert op.constant == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0) and op.constant_shape == (2, 3)
    assert hash(op) == hash(Elementwise.of("add", np.arange(6.0).reshape(2, 3)))
    assert Elementwise("mul", 0.125).constant == (0.125,)
    assert Elementwise("mul").constant is None  # zoo networks: value unknown
    with pytest.raises(WorkloadError, match="does not have shape"):
        Elementwise("add", (1.0, 2.0), (3,))
    with pytest.raises(WorkloadError):
        Elementwise("max", 1.0)


def test_rows_needed_by_slices_and_means(tmp_path: Path) -> None:
    m = _Model(14)
    rows = m.op("Slice", ["x", m.const([2], np.int64), m.const([8], np.int64),
                          m.const([1], np.int64), m.const([2], np.int64)])  # fmt: skip
    mean = m.op("ReduceMean", [rows], axes=[-1])
    over_rows = m.op("ReduceMean", [mean], axes=[1])
    path = m.save(tmp_path / "rows.onnx", [("x", [1, 10, 4])], [over_rows])
    info = analyze(load_onnx(path))
    sl, mean_li, rows_li = info.layers
    assert sl.output_shape == (3, 4) and input_rows_needed(sl, 1, 3) == (4, 7)
    assert input_rows_needed(mean_li, 1, 2) == (1, 2)  # row to row
    assert input_rows_needed(rows_li, 0, 1) == (0, 3)  # a mean over rows reads them all


def test_unsupported_ops_still_name_node_type_and_supported_ops(tmp_path: Path) -> None:
    m = _Model(14)
    y = m.op("Where", [m.op("Greater", ["x", m.const(0.0)]), "x", m.const(0.0)])
    path = m.save(tmp_path / "where.onnx", [("x", [1, 4, 4])], [y])
    with pytest.raises(WorkloadError, match="unsupported ONNX op 'Greater'") as info:
        load_onnx(path)
    assert "/Greater_1' (Greater)" in info.value.where
    for op in ("ReduceMean", "Slice", "Split", "LayerNormalization", "Erf"):
        assert op in info.value.message
    m = _Model(14)
    emb = m.op("Gather", [m.weight("wte", 50, 8), m.op("Cast", ["x"], to=TensorProto.INT64)])
    path = m.save(tmp_path / "embedding.onnx", [("x", [1, 4])], [emb])
    with pytest.raises(WorkloadError, match="embedding"):
        load_onnx(path)
