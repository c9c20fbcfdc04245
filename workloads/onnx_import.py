"""ONNX -> Graph: load, check, infer shapes and convert nodes to IR layers (no weight values).

The first axis of every ONNX activation is taken as the batch and dropped (one inference). A
static-weight MatMul/Gemm becomes a Linear, a Conv a Conv2d; a MatMul of two activations stays
a MatMul. A constant bias added right after a bias-less Linear/Conv is folded into it, and
BatchNormalization after a Conv is folded by ``ir.fold_batchnorm``. Identity and Dropout are
skipped; nodes that only compute the target shape of a Reshape are dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

from workloads import ir
from workloads.errors import WorkloadError
from workloads.ir import Graph, Layer, Op, Shape
from workloads.shapes import analyze, output_shape

_ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Gelu": "gelu"}
_ARITH = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div", "Pow": "pow"}
_PASS = ("Identity", "Dropout")
_RESHAPES = ("Reshape", "Squeeze", "Unsqueeze")
SUPPORTED_OPS = tuple(
    sorted(
        [*_ACTIVATIONS, *_ARITH, *_PASS, *_RESHAPES, "AveragePool", "BatchNormalization", "Clip",
         "Concat", "Constant", "Conv", "Flatten", "Gemm", "GlobalAveragePool", "GlobalMaxPool",
         "LayerNormalization", "MatMul", "MaxPool", "Softmax", "Transpose"]
    )
)  # fmt: skip


def _attrs(node: onnx.NodeProto) -> dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _read(path: Path) -> onnx.ModelProto:
    where = str(path)
    if not path.is_file():
        raise WorkloadError(where, "no such ONNX file")
    try:
        model = onnx.load(str(path))
    except Exception as exc:  # protobuf DecodeError and friends
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WorkloadError(
            where, f"not a valid ONNX model (corrupt or truncated?): {first}"
        ) from None
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx.checker.ValidationError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WorkloadError(where, f"the model fails the ONNX checker: {first}") from None
    if not model.graph.node:
        raise WorkloadError(where, "the ONNX graph has no nodes")
    return model


def _dims(value: onnx.ValueInfoProto) -> list[int | None]:
    dims = value.type.tensor_type.shape.dim
    return [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in dims]


def _fix_inputs(
    model: onnx.ModelProto, where: str, given: Mapping[str, Sequence[int]]
) -> dict[str, Shape]:
    """Full (batch-first) shapes of the activation inputs; sets them on ``model``."""
    inits = {i.name for i in model.graph.initializer}
    unknown = set(given) - {v.name for v in model.graph.input}
    if unknown:
        raise WorkloadError(where, f"--input-shape names unknown input(s): {sorted(unknown)}")
    shapes: dict[str, Shape] = {}
    for value in model.graph.input:
        if value.name in inits:
            continue
        dims = _dims(value)
        if value.name in given:
            shape = tuple(int(d) for d in given[value.name])
            if len(shape) == len(dims) - 1:
                shape = (1, *shape)
            if len(shape) != len(dims) or min(shape) < 1:
                raise WorkloadError(
                    where, f"input shape {shape} for {value.name!r} does not fit rank {len(dims)}"
                )
        else:
            if not dims or any(d is None for d in dims[1:]):
                raise WorkloadError(
                    where,
                    f"input {value.name!r} has dynamic shape {dims}; give it with --input-shape "
                    f"{value.name}=1,C,H,W (input_shapes={{{value.name!r}: (...)}})",
                )
            shape = (1, *(int(d) for d in dims[1:]))
        del value.type.tensor_type.shape.dim[:]
        for d in shape:
            value.type.tensor_type.shape.dim.add().dim_value = d
        shapes[value.name] = shape
    return shapes


def _shape_only_nodes(graph: onnx.GraphProto) -> set[int]:
    """Indices of nodes whose outputs only feed the shape operand of a Reshape."""
    producer = {out: i for i, n in enumerate(graph.node) for out in n.output}
    todo = [n.input[1] for n in graph.node if n.op_type == "Reshape" and len(n.input) > 1]
    skip: set[int] = set()
    while todo:
        index = producer.get(todo.pop())
        if index is None or index in skip:
            continue
        skip.add(index)
        if graph.node[index].op_type != "Shape":
            todo.extend(graph.node[index].input)
    return skip


class _Converter:
    """Converts the nodes of one checked, shape-inferred model, in order."""

    def __init__(self, model: onnx.ModelProto, where: str, inputs: dict[str, Shape]) -> None:
        self.where = where
        graph = model.graph
        self.consts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        self.onnx_shapes: dict[str, Shape] = {}
        for v in (*graph.value_info, *graph.output):
            dims = _dims(v)
            if dims and None not in dims:
                self.onnx_shapes[v.name] = tuple(int(d) for d in dims)
        self.alias: dict[str, str] = {name: name for name in inputs}
        self.batched: dict[str, bool] = {n: len(s) > 1 for n, s in inputs.items()}
        self.shapes: dict[str, Shape] = {n: s[self.batched[n] :] for n, s in inputs.items()}
        self.layers: list[Layer] = []
        self.readers: dict[str, int] = {}
        for name in [*(i for n in graph.node for i in n.input), *(o.name for o in graph.output)]:
            self.readers[name] = self.readers.get(name, 0) + 1
        self.names = set(inputs)

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
            raise self.fail(node, f"{what} ({name!r}) must be a constant initializer")
        return self.consts[name]

    def axis(self, node: onnx.NodeProto, tensor: str, onnx_axis: int) -> int:
        """An ONNX axis of ``tensor`` as an axis of its batch-free shape."""
        batched = self.batched[tensor]
        rank = len(self.shapes[tensor]) + batched
        axis = onnx_axis % rank if -rank <= onnx_axis < rank else None
        if axis is None or (batched and axis == 0):
            raise self.fail(node, f"axis {onnx_axis} is out of range or the batch axis")
        return axis - batched

    def emit(
        self, node: onnx.NodeProto, op: Op, inputs: Sequence[str], batched: bool | None = None
    ) -> str:
        base = node.name or f"{node.op_type.lower()}_{len(self.layers)}"
        name, k = base, 1
        while name in self.names:
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        where = f"{self.where}: node {base!r}"
        self.shapes[name] = output_shape(op, tuple(self.shapes[i] for i in inputs), where)
        self.batched[name] = self.batched[inputs[0]] if batched is None else batched
        self.layers.append(Layer(name, op, tuple(inputs)))
        self.alias[node.output[0]] = name
        return name

    # --- ops -----------------------------------------------------------------------------
    def convert(self, node: onnx.NodeProto) -> None:
        t, a = node.op_type, _attrs(node)
        if t == "Constant":
            if "value" not in a:
                raise self.fail(node, "only Constant nodes with a tensor 'value' are supported")
            self.consts[node.output[0]] = numpy_helper.to_array(a["value"])
        elif t in _PASS:
            self.alias[node.output[0]] = self.act(node, node.input[0])
        elif t == "Conv":
            self.conv(node, a)
        elif t in ("Gemm", "MatMul"):
            self.matmul(node, a)
        elif t in _ACTIVATIONS:
            self.emit(node, ir.Activation(_ACTIVATIONS[t]), [self.act(node, node.input[0])])
        elif t == "Clip":
            self.clip(node, a)
        elif t in ("MaxPool", "AveragePool"):
            self.pool(node, a)
        elif t == "GlobalAveragePool":
            self.emit(node, ir.GlobalAvgPool(), [self.act(node, node.input[0])])
        elif t == "GlobalMaxPool":
            x = self.act(node, node.input[0])
            self.emit(node, ir.Pool("max", self.shapes[x][1:3]), [x])
        elif t in _ARITH:
            self.arith(node)
        elif t == "Concat":
            xs = [self.act(node, i) for i in node.input]
            self.emit(node, ir.Concat(self.axis(node, xs[0], int(a["axis"]))), xs)
        elif t == "Flatten":
            if int(a.get("axis", 1)) not in (0, 1):
                raise self.fail(node, "only Flatten with axis 0 or 1 is supported")
            self.emit(node, ir.Flatten(), [self.act(node, node.input[0])])
        elif t in _RESHAPES:
            self.reshape(node)
        elif t == "Transpose":
            self.transpose(node, a)
        elif t == "BatchNormalization":
            self.emit(node, ir.BatchNorm(), [self.act(node, node.input[0])])
        elif t == "Softmax":
            x = self.act(node, node.input[0])
            self.emit(node, ir.Softmax(self.axis(node, x, int(a.get("axis", -1)))), [x])
        elif t == "LayerNormalization":
            x = self.act(node, node.input[0])
            if self.axis(node, x, int(a.get("axis", -1))) != len(self.shapes[x]) - 1:
                raise self.fail(node, "only normalisation over the last axis is supported")
            self.emit(node, ir.LayerNorm(affine=True), [x])
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
        pads = self.pads(node, a, x, kernel, stride, dilation)
        has_bias = len(node.input) > 2 and node.input[2] != ""
        op = ir.Conv2d(
            int(w.shape[0]), kernel, stride, pads, dilation, int(a.get("group", 1)), has_bias
        )
        self.emit(node, op, [x])

    def pads(
        self,
        node: onnx.NodeProto,
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
        out = int(w.shape[0] if a.get("transB", 0) else w.shape[1])
        has_bias = len(node.input) > 2 and node.input[2] != ""
        self.emit(node, ir.Linear(out, has_bias), [x])

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
        pads = self.pads(node, a, x, kernel, stride, (1, 1))
        kind = "max" if node.op_type == "MaxPool" else "avg"
        self.emit(node, ir.Pool(kind, kernel, stride, pads, bool(a.get("ceil_mode", 0))), [x])

    def arith(self, node: onnx.NodeProto) -> None:
        kind = _ARITH[node.op_type]
        acts = [i for i in node.input if i not in self.consts]
        if not acts:  # constant folding, e.g. a scale computed from constants
            ufunc = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}
            fn = ufunc.get(kind, np.power)
            self.consts[node.output[0]] = fn(*(self.consts[i] for i in node.input))
            return
        if len(acts) == 2 and kind in ("add", "mul"):
            op = ir.Add() if kind == "add" else ir.Mul()
            self.emit(node, op, [self.act(node, i) for i in acts])
            return
        if len(acts) != 1:
            raise self.fail(node, f"{node.op_type} of two activations is not supported")
        x = self.act(node, acts[0])
        last = self.layers[-1] if self.layers else None
        if (
            kind == "add"
            and last is not None
            and last.name == x
            and self.readers[acts[0]] == 1
            and isinstance(last.op, ir.Conv2d | ir.Linear)
            and not last.op.bias
        ):
            self.layers[-1] = replace(last, op=replace(last.op, bias=True))  # fold a bias add
            self.alias[node.output[0]] = x
            return
        self.emit(node, ir.Elementwise(kind), [x])

    def reshape(self, node: onnx.NodeProto) -> None:
        x = self.act(node, node.input[0])
        target = self.onnx_shapes.get(node.output[0])
        if target is None and node.op_type == "Reshape" and node.input[1] in self.consts:
            full = (1, *self.shapes[x]) if self.batched[x] else self.shapes[x]
            spec = [int(v) for v in self.const(node, 1, "shape")]
            spec = [full[i] if v == 0 and i < len(full) else v for i, v in enumerate(spec)]
            if -1 in spec:
                known = math.prod(v for v in spec if v != -1)
                spec[spec.index(-1)] = math.prod(full) // max(known, 1)
            target = tuple(spec)
        if target is None:
            raise self.fail(node, "output shape could not be inferred")
        batched = len(target) > 1 and target[0] == 1
        self.emit(node, ir.Reshape(target[1:] if batched else target), [x], batched)

    def transpose(self, node: onnx.NodeProto, a: dict[str, Any]) -> None:
        x = self.act(node, node.input[0])
        rank = len(self.shapes[x]) + self.batched[x]
        perm = [int(p) for p in a.get("perm", range(rank - 1, -1, -1))]
        if self.batched[x]:
            if perm[0] != 0:
                raise self.fail(node, f"perm {perm} moves the batch axis")
            perm = [p - 1 for p in perm[1:]]
        self.emit(node, ir.Transpose(tuple(perm)), [x])


def load_onnx(path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None) -> Graph:
    """Load an ONNX file as a Graph whose shapes and counts ``shapes.analyze`` can compute.

    ``input_shapes`` fixes dynamic input dimensions, by input name, either with the batch
    axis (``(1, 3, 224, 224)``) or without (``(3, 224, 224)``). Raises WorkloadError naming the
    file for unreadable, corrupt or dynamic-shaped models, and the node for unsupported ops.
    """
    path = Path(path)
    where = str(path)
    model = _read(path)
    inputs = _fix_inputs(model, where, input_shapes or {})
    try:
        model = shape_inference.infer_shapes(model, data_prop=True)
    except Exception as exc:
        raise WorkloadError(where, f"ONNX shape inference failed: {exc}".splitlines()[0]) from None
    conv = _Converter(model, where, inputs)
    skip = _shape_only_nodes(model.graph)
    for i, node in enumerate(model.graph.node):
        if i not in skip:
            conv.convert(node)
    outputs = []
    for out in model.graph.output:
        if out.name not in conv.alias:
            raise WorkloadError(where, f"graph output {out.name!r} is not an activation")
        outputs.append(conv.alias[out.name])
    name = model.graph.name or path.stem
    graph = ir.fold_batchnorm(
        Graph(name, tuple((n, conv.shapes[n]) for n in inputs), tuple(conv.layers), outputs)
    )
    analyze(graph)  # every shape checks out
    return graph
