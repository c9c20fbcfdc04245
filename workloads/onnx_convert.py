"""ONNX nodes -> IR layers, one node at a time (the importer's core; see ``onnx_import``).

The first axis of every activation is the batch and is dropped. A static-weight MatMul/Gemm
becomes a Linear, a Conv a Conv2d; a MatMul of two activations stays a MatMul. A constant bias
added right after a bias-less Linear/Conv is folded into it. Arithmetic with a constant keeps
the constant in ``ir.Elementwise``. Identity, Dropout and Cast of activations are skipped;
nodes computed from constants and static shapes were folded (``onnx_constants``) and fused
patterns (``onnx_patterns``) arrive as LayerNormalization and Gelu nodes. The parameter
values each layer needs in a numerical run are collected in ``weights``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import onnx

from workloads import ir
from workloads.errors import WorkloadError
from workloads.ir import Layer, Op, Shape
from workloads.onnx_constants import attrs, fold_node
from workloads.onnx_movement import MOVEMENT
from workloads.onnx_weights import (
    LayerWeights,
    batchnorm_weights,
    conv_weights,
    linear_weights,
)
from workloads.ops import NORM_EPS
from workloads.shapes import output_shape

ACTIVATIONS = {
    "Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Gelu": "gelu", "Sqrt": "sqrt",
    "Erf": "erf", "Exp": "exp", "Neg": "neg", "Reciprocal": "reciprocal", "Abs": "abs",
}  # fmt: skip
ARITH = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div", "Pow": "pow"}
PASS = ("Identity", "Dropout", "Cast")
RESHAPES = ("Reshape", "Squeeze", "Unsqueeze")
SUPPORTED_OPS = tuple(
    sorted(
        [*ACTIVATIONS, *ARITH, *PASS, *RESHAPES, "AveragePool", "BatchNormalization", "Clip",
         "Concat", "Constant", "Conv", "Flatten", "Gather", "Gemm", "GlobalAveragePool",
         "GlobalMaxPool", "LayerNormalization", "MatMul", "MaxPool", "ReduceMean", "Slice",
         "Softmax", "Split", "Transpose"]
    )
)  # fmt: skip
"""ONNX ops that import (plus any node computed only from constants and static shapes)."""


def dims(value: onnx.ValueInfoProto) -> list[int | None]:
    shape = value.type.tensor_type.shape.dim
    return [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in shape]


_METHODS = {
    "Conv": "conv", "Gemm": "matmul", "MatMul": "matmul", "Clip": "clip", "MaxPool": "pool",
    "AveragePool": "pool", "LayerNormalization": "layer_norm", "BatchNormalization": "batch_norm",
    "ReduceMean": "reduce_mean", "Softmax": "softmax",
}  # fmt: skip
"""ONNX op -> the Converter method that converts it (the other ops are handled inline)."""


class Converter:
    """Converts the nodes of one checked, shape-inferred model, in order."""

    def __init__(
        self,
        model: onnx.ModelProto,
        where: str,
        inputs: dict[str, Shape],
        opset: int,
        placeholders: Mapping[str, np.ndarray] | None = None,
        keep_weights: bool = True,
    ) -> None:
        """``placeholders``: stand-ins (right shape, no data) for initializers whose data was
        not read; ``keep_weights`` False converts for timing only (no LayerWeights)."""
        self.where, self.opset = where, opset
        self.keep_weights = keep_weights
        graph = model.graph
        stand_ins = placeholders or {}
        self.consts: dict[str, np.ndarray] = {
            i.name: stand_ins[i.name] if i.name in stand_ins else onnx.numpy_helper.to_array(i)
            for i in graph.initializer
        }
        self.onnx_shapes: dict[str, Shape] = {}
        for v in (*graph.input, *graph.value_info, *graph.output):
            d = dims(v)
            if d and None not in d:
                self.onnx_shapes[v.name] = tuple(int(x) for x in d)
        self.alias: dict[str, str] = {name: name for name in inputs}
        self.batched: dict[str, bool] = {n: len(s) > 1 for n, s in inputs.items()}
        self.shapes: dict[str, Shape] = {n: s[self.batched[n] :] for n, s in inputs.items()}
        self.layers: list[Layer] = []
        self.weights: dict[str, LayerWeights] = {}
        self.readers: dict[str, int] = {}
        self.outputs = [o.name for o in graph.output]
        self.names = set(inputs)

    def count_readers(self, nodes: Sequence[onnx.NodeProto]) -> None:
        """How many of ``nodes`` (and graph outputs) read each tensor."""
        self.readers = {}
        for name in [*(i for n in nodes for i in n.input), *self.outputs]:
            self.readers[name] = self.readers.get(name, 0) + 1

    def full_shape(self, name: str) -> Shape | None:
        """ONNX (batch-first) static shape of a tensor, or None when unknown."""
        if name in self.alias:
            t = self.alias[name]
            return (1, *self.shapes[t]) if self.batched[t] else self.shapes[t]
        return self.onnx_shapes.get(name)

    # --- helpers -----------------------------------------------------------------------
    def fail(self, node: onnx.NodeProto, message: str) -> WorkloadError:
        return WorkloadError(
            f"{self.where}: node {node.name or node.output[0]!r} ({node.op_type})", message
        )

    def act(self, node: onnx.NodeProto, name: str) -> str:
        if name not in self.alias:
            raise self.fail(node, f"input {name!r} must be an activation, not a constant")
        return self.alias[name]

    def const(self, node: onnx.NodeProto, index: int, what: str) -> np.ndarray:
        name = node.input[index] if len(node.input) > index else ""
        if name not in self.consts:
            raise self.fail(node, f"{what} ({name!r}) must be a constant")
        return self.consts[name]

    def opt_const(self, node: onnx.NodeProto, index: int, what: str) -> np.ndarray | None:
        if len(node.input) <= index or not node.input[index]:
            return None
        return self.const(node, index, what)

    def axis(self, node: onnx.NodeProto, tensor: str, onnx_axis: int) -> int:
        """An ONNX axis of ``tensor`` as an axis of its batch-free shape."""
        batched = self.batched[tensor]
        rank = len(self.shapes[tensor]) + batched
        axis = onnx_axis % rank if -rank <= onnx_axis < rank else None
        if axis is None or (batched and axis == 0):
            raise self.fail(node, f"axis {onnx_axis} is out of range or the batch axis")
        return axis - batched

    def emit(
        self,
        node: onnx.NodeProto,
        op: Op,
        inputs: Sequence[str],
        batched: bool | None = None,
        output: str | None = None,
        suffix: str = "",
    ) -> str:
        base = (node.name or f"{node.op_type.lower()}_{len(self.layers)}") + suffix
        name, k = base, 1
        while name in self.names:
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        where = f"{self.where}: node {base!r}"
        self.shapes[name] = output_shape(op, tuple(self.shapes[i] for i in inputs), where)
        self.batched[name] = self.batched[inputs[0]] if batched is None else batched
        self.layers.append(Layer(name, op, tuple(inputs)))
        self.alias[node.output[0] if output is None else output] = name
        return name

    # --- ops -----------------------------------------------------------------------------
    def convert(self, node: onnx.NodeProto) -> None:
        """Convert one node; an error of the IR it builds (a Conv2d whose groups do not divide
        its channels) is reported against the node."""
        try:
            self._convert(node)
        except WorkloadError as exc:
            if exc.where.startswith(self.where):
                raise
            raise self.fail(node, exc.message) from None

    def _convert(self, node: onnx.NodeProto) -> None:
        if fold_node(node, self.consts, self.full_shape, self.opset, self.where):
            return
        t, a = node.op_type, attrs(node)
        if t in _METHODS:
            getattr(self, _METHODS[t])(node, a)
        elif t in MOVEMENT:
            MOVEMENT[t](self, node, a)
        elif t in PASS:
            self.alias[node.output[0]] = self.act(node, node.input[0])
        elif t in ACTIVATIONS:
            approximate = a.get("approximate", "none")
            approximate = approximate.decode() if isinstance(approximate, bytes) else approximate
            op = ir.Activation(ACTIVATIONS[t], approximate=str(approximate))
            self.emit(node, op, [self.act(node, node.input[0])])
        elif t == "GlobalAveragePool":
            self.emit(node, ir.GlobalAvgPool(), [self.act(node, node.input[0])])
        elif t == "GlobalMaxPool":
            x = self.act(node, node.input[0])
            self.emit(node, ir.Pool("max", self.shapes[x][1:3]), [x])
        elif t in ARITH:
            self.arith(node)
        else:
            raise self.fail(
                node, f"unsupported ONNX op {t!r}; supported ops: {', '.join(SUPPORTED_OPS)}"
            )

    def conv(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        x = self.act(node, node.input[0])
        if node.input[1] not in self.consts:
            raise self.fail(
                node,
                f"weights {node.input[1]!r} are not constant: crossbars need "
                "static weights (export with constant initializers)",
            )
        w = self.consts[node.input[1]]
        if w.ndim != 4:
            raise self.fail(node, f"only 2-D convolutions are supported (weight shape {w.shape})")
        kernel = (int(w.shape[2]), int(w.shape[3]))
        stride = tuple(a.get("strides", (1, 1)))
        dilation = tuple(a.get("dilations", (1, 1)))
        pads = self.pads(a, x, kernel, stride, dilation)
        bias = self.opt_const(node, 2, "Conv bias")
        groups = int(a.get("group", 1))
        op = ir.Conv2d(int(w.shape[0]), kernel, stride, pads, dilation, groups, bias is not None)
        name = self.emit(node, op, [x])
        if self.keep_weights:
            self.weights[name] = conv_weights(w, bias, groups)

    def pads(
        self,
        a: dict[str, Any],
        x: str,
        kernel: tuple[int, int],
        stride: tuple[int, int],
        dilation: tuple[int, int],
    ) -> tuple[int, ...]:
        auto = a.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else str(auto)
        if auto in ("NOTSET", "VALID"):
            return tuple(a.get("pads", (0, 0, 0, 0))) if auto == "NOTSET" else (0, 0, 0, 0)
        out: list[tuple[int, int]] = []
        for size, k, s, d in zip(self.shapes[x][1:3], kernel, stride, dilation, strict=True):
            total = max(0, (math.ceil(size / s) - 1) * s + d * (k - 1) + 1 - size)
            small, big = total // 2, total - total // 2
            out.append((small, big) if auto == "SAME_UPPER" else (big, small))
        return (out[0][0], out[1][0], out[0][1], out[1][1])

    def matmul(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        if node.input[0] in self.consts:
            raise self.fail(
                node, "a constant left operand (weights x activations) is not supported"
            )
        x = self.act(node, node.input[0])
        if node.input[1] not in self.consts:
            if node.op_type == "Gemm":
                raise self.fail(node, "Gemm weights must be a constant initializer")
            self.emit(node, ir.MatMul(), [x, self.act(node, node.input[1])])
            return
        if a.get("transA", 0):
            raise self.fail(node, "Gemm with transA=1 is not supported")
        w = self.consts[node.input[1]]
        if w.ndim != 2:
            raise self.fail(node, f"constant weights must be 2-D, got shape {w.shape}")
        w = w.T if a.get("transB", 0) else w
        out = int(w.shape[1])
        bias = self.opt_const(node, 2, "Gemm bias")
        if bias is not None:
            if bias.size not in (1, out):
                raise self.fail(node, f"bias of shape {bias.shape} is not per output feature")
            bias = np.broadcast_to(bias.reshape(-1), (out,)) * float(a.get("beta", 1.0))
        name = self.emit(node, ir.Linear(out, bias is not None), [x])
        if self.keep_weights:
            self.weights[name] = linear_weights(w * float(a.get("alpha", 1.0)), bias)

    def clip(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        bounds = [a.get("min"), a.get("max")]
        for i in (1, 2):
            if len(node.input) > i and node.input[i]:
                bounds[i - 1] = float(self.const(node, i, "Clip bound"))
        low, high = (None if b is None else float(b) for b in bounds)
        op = (
            ir.Activation("relu6")
            if (low, high) == (0.0, 6.0)
            else ir.Activation("clip", low, high)
        )
        self.emit(node, op, [self.act(node, node.input[0])])

    def pool(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        x = self.act(node, node.input[0])
        kernel = tuple(a["kernel_shape"])
        if len(kernel) != 2 or tuple(a.get("dilations", (1, 1))) != (1, 1):
            raise self.fail(node, "only 2-D pooling without dilation is supported")
        stride = tuple(a.get("strides", (1, 1)))
        pads = self.pads(a, x, kernel, stride, (1, 1))
        kind = "max" if node.op_type == "MaxPool" else "avg"
        self.emit(node, ir.Pool(kind, kernel, stride, pads, bool(a.get("ceil_mode", 0))), [x])

    def softmax(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        x = self.act(node, node.input[0])
        self.emit(node, ir.Softmax(self.axis(node, x, int(a.get("axis", -1)))), [x])

    def batch_norm(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        name = self.emit(node, ir.BatchNorm(), [self.act(node, node.input[0])])
        gamma, beta, mean, var = (self.const(node, i, "BatchNorm parameter") for i in (1, 2, 3, 4))
        if self.keep_weights:
            epsilon = float(a.get("epsilon", NORM_EPS))
            self.weights[name] = batchnorm_weights(gamma, beta, mean, var, epsilon)

    def layer_norm(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        x = self.act(node, node.input[0])
        width = self.shapes[x][-1]
        if self.axis(node, x, int(a.get("axis", -1))) != len(self.shapes[x]) - 1:
            raise self.fail(node, "only normalisation over the last axis is supported")
        scale = self.opt_const(node, 1, "LayerNorm scale")
        shift = self.opt_const(node, 2, "LayerNorm bias")
        for value in (scale, shift):
            if value is not None and value.size not in (1, width):
                raise self.fail(node, f"scale/bias of shape {value.shape} is not per feature")
        eps = float(a.get("epsilon", NORM_EPS))
        name = self.emit(node, ir.LayerNorm(affine=scale is not None, eps=eps), [x])
        if not self.keep_weights:
            return
        self.weights[name] = LayerWeights(
            scale=None if scale is None else np.broadcast_to(scale.reshape(-1), (width,)),
            shift=None if shift is None else np.broadcast_to(shift.reshape(-1), (width,)),
        )

    def arith(self, node: onnx.NodeProto) -> None:
        kind = ARITH[node.op_type]
        acts = [i for i in node.input if i not in self.consts]
        if len(acts) == 2:
            ops = {"add": ir.Add, "mul": ir.Mul, "sub": ir.Sub, "div": ir.Div}
            if kind not in ops:
                raise self.fail(node, f"{node.op_type} of two activations is not supported")
            self.emit(node, ops[kind](), [self.act(node, i) for i in acts])
            return
        x = self.act(node, acts[0])
        const_first = node.input[0] != acts[0]
        c = self.consts[node.input[0 if const_first else 1]]
        if kind == "add" and self.fold_bias(x, acts[0], c):
            self.alias[node.output[0]] = x
            return
        c = c.astype(np.float64)
        rank = len(self.shapes[x]) + self.batched[x]
        if c.size == 1:
            c = c.reshape(())
        elif c.ndim > rank:
            raise self.fail(node, f"constant of shape {c.shape} has a higher rank than {x!r}")
        elif c.ndim == rank and self.batched[x]:
            if c.shape[0] != 1:
                raise self.fail(node, f"constant of shape {c.shape} varies over the batch")
            c = c[0]
        try:
            op = ir.Elementwise.of(kind, c, const_first)
        except WorkloadError as exc:
            raise self.fail(node, exc.message) from None
        self.emit(node, op, [x])

    def fold_bias(self, x: str, onnx_name: str, c: np.ndarray) -> bool:
        """Fold constant ``c`` into the bias of the bias-less Conv/Linear ``x`` just emitted."""
        last = self.layers[-1] if self.layers else None
        if (
            last is None
            or last.name != x
            or self.readers.get(onnx_name, 0) != 1
            or not isinstance(last.op, ir.Conv2d | ir.Linear)
            or last.op.bias
        ):
            return False
        channels = self.shapes[x][0] if isinstance(last.op, ir.Conv2d) else self.shapes[x][-1]
        rank = len(self.shapes[x]) + self.batched[x]
        full = (1,) * (rank - c.ndim) + c.shape
        axis = rank - (3 if isinstance(last.op, ir.Conv2d) else 1)
        per_channel = all(d == (channels if i == axis else 1) for i, d in enumerate(full))
        if c.ndim > rank or not per_channel:
            return False
        self.layers[-1] = replace(last, op=replace(last.op, bias=True))
        if self.keep_weights:
            self.weights[x] = replace(self.weights[x], bias=c.reshape(-1).astype(np.float32))
        return True

    def reduce_mean(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        x = self.act(node, node.input[0])
        axes = a.get("axes")
        if axes is None and len(node.input) > 1 and node.input[1]:
            axes = [int(v) for v in self.const(node, 1, "axes").reshape(-1)]
        if not axes:
            if a.get("noop_with_empty_axes", 0):
                self.alias[node.output[0]] = x
                return
            raise self.fail(node, "a mean over all axes (the batch too) is not supported")
        batch_free = tuple(self.axis(node, x, int(v)) for v in axes)
        self.emit(node, ir.ReduceMean(batch_free, bool(a.get("keepdims", 1))), [x])
