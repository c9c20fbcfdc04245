"""Shape inference and work counts: what each layer reads, writes and costs in MACs.

``analyze(graph)`` walks the layers in order and returns one frozen ``LayerInfo`` per layer.
Counting conventions (those of torchvision/fvcore tables, so published figures compare):

- ``macs``: multiply-accumulates. Conv: H_out*W_out*C_out*kh*kw*C_in/groups; Linear:
  vectors*in*out; activation MatMul: batch*M*K*N; everything else 0.
- ``params``: weights + biases of Conv2d/Linear, scale and shift of LayerNorm/BatchNorm.
- ``element_ops``: digital work of non-MVM layers, one op per output element for
  activations, element-wise ops, softmax and norms ((n-1) per element for an n-way Add),
  outputs*kernel area for pooling, inputs for global pooling and ReduceMean, ``macs`` for an
  activation MatMul, 0 for pure data movement (flatten, reshape, transpose, concat, slice)
  and for MVM layers.
- "Rows" of a tensor are axis -2 (H of (C, H, W), S of (S, D)); a vector has one row. The
  mapper partitions work by output rows; ``input_rows_needed`` maps them back to input rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from workloads.errors import WorkloadError
from workloads.ir import (
    Activation,
    Add,
    BatchNorm,
    CausalMask,
    Concat,
    Conv2d,
    Div,
    Elementwise,
    Flatten,
    GlobalAvgPool,
    Graph,
    LayerNorm,
    Linear,
    MatMul,
    Mul,
    Op,
    Pool,
    ReduceMean,
    Reshape,
    Shape,
    Slice,
    Softmax,
    Sub,
    Transpose,
)

NO_KERNEL = (1, 1)
NO_PADDING = (0, 0, 0, 0)
_FEATURES_LAST = ("linear", "matmul", "layer_norm", "softmax")
_WHOLE_INPUT = ("global_avg_pool", "flatten", "reshape", "transpose")


def _broadcast(shapes: tuple[Shape, ...]) -> Shape:
    try:
        return tuple(int(v) for v in np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"shapes {shapes} do not broadcast") from None


def slice_ranges(op: Slice, shape: Shape) -> tuple[range, ...]:
    """Per axis of ``shape``, the indices ``op`` keeps (numpy/ONNX clamping of start/stop)."""
    ranges = [range(n) for n in shape]
    for axis, start, stop, step in zip(op.axes, op.starts, op.stops, op.steps, strict=True):
        a = _axis(axis, len(shape))
        ranges[a] = range(*slice(start, stop, step).indices(shape[a]))
    return tuple(ranges)


@dataclass(frozen=True)
class LayerInfo:
    """Shapes and work counts of one layer (batch-free; one inference)."""

    name: str
    op_kind: str
    inputs: tuple[str, ...]
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    macs: int
    params: int
    is_mvm: bool
    """A matrix product by weights fixed at deployment (conv2d, linear); not a MatMul of two
    activations. Which hardware unit runs it is the mapper's choice, not the workload's."""
    mvm_rows: int
    """Crossbar rows per group: kh*kw*C_in/groups for a conv, in_features for linear; else 0."""
    mvm_cols: int
    """Output channels per group (crossbar columns before bit slicing); 0 if not an MVM."""
    mvm_groups: int
    """Independent weight matrices: 1 normally, ``groups`` (C_in for depthwise); 0 if not MVM."""
    output_rows: int
    """Rows of the output: H_out for (C, H, W), S for (S, D), 1 for a vector."""
    vectors_per_row: int
    """Output vectors per row: W_out for a feature map, 1 for sequences and vectors."""
    output_vectors: int
    """output_rows * vectors_per_row: the MVMs per inference of an MVM layer."""
    element_ops: int
    input_elements: int
    output_elements: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    """(top, left, bottom, right)."""
    dilation: tuple[int, int]
    op: Op
    """The op attributes the layer was built with."""

    @property
    def mvm_weights(self) -> int:
        """Weight elements held in crossbars (mvm_rows * mvm_cols * mvm_groups), no biases."""
        return self.mvm_rows * self.mvm_cols * self.mvm_groups

    @property
    def work(self) -> str:
        """What kind of computation the layer is: "static_matmul" (a product by weights fixed
        at deployment), "dynamic_matmul" (a product of two activations, as attention's) or
        "vector" (element-wise, reductions, pooling, normalisation, layout)."""
        if self.is_mvm:
            return "static_matmul"
        return "dynamic_matmul" if self.op_kind == "matmul" else "vector"


@dataclass(frozen=True)
class GraphInfo:
    """Per-layer information of a graph, in topological order, with totals."""

    name: str
    inputs: tuple[tuple[str, Shape], ...]
    layers: tuple[LayerInfo, ...]
    outputs: tuple[str, ...]
    by_name: Mapping[str, LayerInfo] = field(init=False, repr=False, compare=False)
    consumers: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    """Tensor (graph input or layer) -> the layers that read it, in topological order."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", MappingProxyType({i.name: i for i in self.layers}))
        readers: dict[str, list[str]] = {name: [] for name, _ in self.inputs}
        for layer in self.layers:
            readers[layer.name] = []
            for tensor in dict.fromkeys(layer.inputs):
                readers.setdefault(tensor, []).append(layer.name)
        consumers = MappingProxyType({k: tuple(v) for k, v in readers.items()})
        object.__setattr__(self, "consumers", consumers)

    @property
    def total_macs(self) -> int:
        """All MACs: crossbar MVMs plus activation MatMuls."""
        return sum(i.macs for i in self.layers)

    @property
    def total_mvm_macs(self) -> int:
        """MACs of static-weight MVM layers only (the crossbar work)."""
        return sum(i.macs for i in self.layers if i.is_mvm)

    @property
    def total_params(self) -> int:
        return sum(i.params for i in self.layers)

    @property
    def total_element_ops(self) -> int:
        return sum(i.element_ops for i in self.layers)

    def shape(self, tensor: str) -> Shape:
        """Batch-free shape of a graph input or layer output."""
        if tensor in self.by_name:
            return self.by_name[tensor].output_shape
        for name, shape in self.inputs:
            if name == tensor:
                return shape
        raise WorkloadError(f"graph {self.name!r}", f"no tensor named {tensor!r}")


def rows_of(shape: Shape) -> int:
    """Rows of a tensor: axis -2, or 1 for a vector."""
    return shape[-2] if len(shape) >= 2 else 1


def _prod(values: Shape) -> int:
    return math.prod(values) if values else 1


def _window_out(size: int, before: int, after: int, k: int, s: int, d: int, ceil: bool) -> int:
    """Output length of a sliding window (PyTorch/ONNX conventions, including ceil_mode)."""
    span = size + before + after - d * (k - 1) - 1
    if span < 0:
        return 0
    if not ceil:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= size + before:
        out -= 1  # the last window must start inside the input or the leading padding
    return out


@dataclass(frozen=True)
class _Result:
    """Op-specific part of a LayerInfo."""

    shape: Shape
    macs: int = 0
    params: int = 0
    element_ops: int = 0
    mvm: tuple[int, int, int] = (0, 0, 0)
    kernel: tuple[int, int] = NO_KERNEL
    stride: tuple[int, int] = NO_KERNEL
    padding: tuple[int, int, int, int] = NO_PADDING
    dilation: tuple[int, int] = NO_KERNEL


def _need_rank(shapes: tuple[Shape, ...], rank: int, what: str) -> None:
    for s in shapes:
        if len(s) != rank:
            raise ValueError(f"expects a {what} input of rank {rank}, got shape {s}")


def _axis(axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise ValueError(f"axis {axis} out of range for rank {rank}")
    return axis % rank


def _spatial(op: Conv2d | Pool, shape: Shape) -> tuple[int, int]:
    pt, pl, pb, pr = op.padding
    dil = op.dilation if isinstance(op, Conv2d) else (1, 1)
    ceil_mode = op.ceil_mode if isinstance(op, Pool) else False
    h = _window_out(shape[1], pt, pb, op.kernel[0], op.stride[0], dil[0], ceil_mode)
    w = _window_out(shape[2], pl, pr, op.kernel[1], op.stride[1], dil[1], ceil_mode)
    if h < 1 or w < 1:
        raise ValueError(f"kernel {op.kernel} does not fit input {shape} with padding {op.padding}")
    return h, w


def _infer(op: Op, shapes: tuple[Shape, ...]) -> _Result:
    """Output shape and counts of ``op`` on inputs of ``shapes``; ValueError if they clash."""
    x = shapes[0]
    n = _prod(x)
    match op:
        case Conv2d():
            _need_rank(shapes, 3, "(C, H, W)")
            c_in = x[0]
            if c_in % op.groups:
                raise ValueError(f"input channels {c_in} not divisible by groups {op.groups}")
            h, w = _spatial(op, x)
            rows = op.kernel[0] * op.kernel[1] * c_in // op.groups
            cols = op.out_channels // op.groups
            weights = rows * cols * op.groups
            return _Result(
                (op.out_channels, h, w), macs=h * w * weights,
                params=weights + (op.out_channels if op.bias else 0),
                mvm=(rows, cols, op.groups), kernel=op.kernel, stride=op.stride,
                padding=op.padding, dilation=op.dilation,
            )  # fmt: skip
        case Linear():
            f_in, vectors = x[-1], _prod(x[:-1])
            return _Result(
                (*x[:-1], op.out_features), macs=vectors * f_in * op.out_features,
                params=f_in * op.out_features + (op.out_features if op.bias else 0),
                mvm=(f_in, op.out_features, 1),
            )  # fmt: skip
        case Pool():
            _need_rank(shapes, 3, "(C, H, W)")
            h, w = _spatial(op, x)
            out = (x[0], h, w)
            area = op.kernel[0] * op.kernel[1]
            return _Result(out, element_ops=_prod(out) * area, kernel=op.kernel,
                           stride=op.stride, padding=op.padding)  # fmt: skip
        case GlobalAvgPool():
            _need_rank(shapes, 3, "(C, H, W)")
            return _Result((x[0], 1, 1), element_ops=n, kernel=(x[1], x[2]))
        case Add() | Mul() | Sub() | Div():
            out = _broadcast(shapes)
            return _Result(out, element_ops=_prod(out) * (len(shapes) - 1))
        case Activation():
            return _Result(x, element_ops=n)
        case Elementwise():
            out = _broadcast((x, op.constant_shape))
            return _Result(out, element_ops=_prod(out))
        case ReduceMean():
            axes = {_axis(a, len(x)) for a in op.axes}
            if op.keepdims:
                out = tuple(1 if i in axes else d for i, d in enumerate(x))
            else:
                out = tuple(d for i, d in enumerate(x) if i not in axes)
            if not out:
                out = (1,)  # a full reduction without keepdims leaves one value
            return _Result(out, element_ops=n)
        case Slice():
            out = tuple(len(r) for r in slice_ranges(op, x))
            if min(out) < 1:
                raise ValueError(f"slice {op} of {x} is empty")
            return _Result(out)
        case CausalMask():
            if len(x) < 2 or x[-2] > x[-1]:
                raise ValueError(f"expects (..., S, L) attention scores with S <= L, got {x}")
            return _Result(x, element_ops=n)
        case Softmax():
            _axis(op.axis, len(x))
            return _Result(x, element_ops=n)
        case LayerNorm():
            return _Result(x, element_ops=n, params=2 * x[-1] if op.affine else 0)
        case BatchNorm():
            return _Result(x, element_ops=n, params=2 * x[0])
        case Concat():
            axis = _axis(op.axis, len(x))
            for s in shapes:
                if len(s) != len(x) or s[:axis] + s[axis + 1 :] != x[:axis] + x[axis + 1 :]:
                    raise ValueError(f"cannot concatenate shapes {shapes} along axis {op.axis}")
            return _Result((*x[:axis], sum(s[axis] for s in shapes), *x[axis + 1 :]))
        case Flatten():
            return _Result((n,))
        case Reshape():
            known = _prod(tuple(s for s in op.shape if s != -1))
            if -1 in op.shape:
                if n % known:
                    raise ValueError(f"cannot reshape {x} ({n} elements) to {op.shape}")
                out = tuple(n // known if s == -1 else s for s in op.shape)
            else:
                out = op.shape
            if _prod(out) != n:
                raise ValueError(f"cannot reshape {x} ({n} elements) to {op.shape}")
            return _Result(out)
        case Transpose():
            if len(op.perm) != len(x):
                raise ValueError(f"perm {op.perm} does not match rank of {x}")
            return _Result(tuple(x[p] for p in op.perm))
        case MatMul():
            a, b = shapes
            if len(a) < 2 or len(b) < 2 or a[-1] != b[-2]:
                raise ValueError(f"cannot multiply {a} by {b}: need (..., M, K) x (..., K, N)")
            batch = _broadcast((a[:-2], b[:-2]))
            macs = _prod(batch) * a[-2] * a[-1] * b[-1]
            return _Result((*batch, a[-2], b[-1]), macs=macs, element_ops=macs)
    raise ValueError(f"unknown op {op!r}")  # pragma: no cover - Layer checks op types


def _vectors_per_row(op_kind: str, shape: Shape) -> int:
    if len(shape) <= 2 or op_kind in _FEATURES_LAST:
        return _prod(shape[:-2])
    return _prod(shape[1:-2]) * shape[-1]


def output_shape(op: Op, input_shapes: tuple[Shape, ...], where: str = "layer") -> Shape:
    """Batch-free output shape of ``op`` on ``input_shapes``; WorkloadError at ``where``."""
    try:
        return _infer(op, tuple(tuple(s) for s in input_shapes)).shape
    except ValueError as exc:
        raise WorkloadError(f"{where} ({op.op_kind})", str(exc)) from None


MAX_TENSOR_ELEMENTS = 2**31
"""Most elements of one tensor (per inference): 640 times VGG-16's largest activation."""
MAX_LAYER_PARAMS = 2**28
"""Most weights of one layer: 2.6 times VGG-16's fc1."""


def _check_size(where: str, noun: str, count: int, limit: int) -> None:
    """Refuse a network too large to map or simulate, before anything is allocated for it."""
    if count > limit:
        raise WorkloadError(where, f"too large: {count:,} {noun} (at most {limit:,})")


def analyze(graph: Graph) -> GraphInfo:
    """Infer every layer's shapes and counts; WorkloadError names the first layer that clashes
    or whose tensor or weights exceed MAX_TENSOR_ELEMENTS or MAX_LAYER_PARAMS."""
    shapes: dict[str, Shape] = dict(graph.inputs)
    for name, shape in graph.inputs:
        _check_size(f"input {name!r}", "elements", _prod(shape), MAX_TENSOR_ELEMENTS)
    infos: list[LayerInfo] = []
    for layer in graph.layers:
        in_shapes = tuple(shapes[i] for i in layer.inputs)
        kind = layer.op.op_kind
        try:
            res = _infer(layer.op, in_shapes)
        except ValueError as exc:
            raise WorkloadError(f"layer {layer.name!r} ({kind})", str(exc)) from None
        out = res.shape
        where = f"layer {layer.name!r} ({kind})"
        _check_size(where, "output elements", _prod(out), MAX_TENSOR_ELEMENTS)
        _check_size(where, "weights", res.params, MAX_LAYER_PARAMS)
        shapes[layer.name] = out
        rows, vpr = rows_of(out), _vectors_per_row(kind, out)
        mvm_rows, mvm_cols, groups = res.mvm
        infos.append(
            LayerInfo(
                name=layer.name, op_kind=kind, inputs=layer.inputs, input_shapes=in_shapes,
                output_shape=out, macs=res.macs, params=res.params, is_mvm=mvm_rows > 0,
                mvm_rows=mvm_rows, mvm_cols=mvm_cols, mvm_groups=groups, output_rows=rows,
                vectors_per_row=vpr, output_vectors=rows * vpr, element_ops=res.element_ops,
                input_elements=sum(_prod(s) for s in in_shapes), output_elements=_prod(out),
                kernel=res.kernel, stride=res.stride, padding=res.padding,
                dilation=res.dilation, op=layer.op,
            )
        )  # fmt: skip
    return GraphInfo(graph.name, graph.inputs, tuple(infos), graph.outputs)


def _reads_whole_input(info: LayerInfo, in_shape: Shape, input_index: int) -> bool:
    kind = info.op_kind
    if kind in _WHOLE_INPUT or (kind == "matmul" and input_index == 1):
        return True
    if kind == "linear":
        return len(in_shape) == 1
    if isinstance(info.op, Softmax):
        return _axis(info.op.axis, len(in_shape)) != len(in_shape) - 1
    if isinstance(info.op, ReduceMean):  # row to row only when rows stay where they are
        axes = {_axis(a, len(in_shape)) for a in info.op.axes}
        return not info.op.keepdims or (len(in_shape) >= 2 and len(in_shape) - 2 in axes)
    return False


def input_rows_needed(
    info: LayerInfo, out_row_start: int, out_row_stop: int, input_index: int = 0
) -> tuple[int, int]:
    """Half-open range of rows of input ``input_index`` that output rows [start, stop) read.

    Sliding windows (conv, pool) map through stride, padding and dilation; a slice maps through
    its start and step on the row axis; element-wise ops, norms, softmax over the last axis, a
    ReduceMean that keeps the row axis, linear on sequences and the left operand of a MatMul map
    row to row; global pooling, flatten, reshape, transpose, the right operand of a MatMul, a
    ReduceMean over rows (or without keepdims) and a linear on a vector read the whole input.
    The range is clipped to the input's rows; an input that contributes nothing (a concat part
    outside the range) gives an empty range (k, k).
    """
    where = f"layer {info.name!r}"
    if not 0 <= out_row_start < out_row_stop <= info.output_rows:
        raise WorkloadError(
            where, f"output rows [{out_row_start}, {out_row_stop}) outside 0..{info.output_rows}"
        )
    if not 0 <= input_index < len(info.inputs):
        raise WorkloadError(where, f"input index {input_index} out of range")
    in_shape = info.input_shapes[input_index]
    height = rows_of(in_shape)
    kind = info.op_kind
    if kind in ("conv2d", "pool"):
        top = info.padding[0]
        lo = out_row_start * info.stride[0] - top
        hi = (out_row_stop - 1) * info.stride[0] - top + info.dilation[0] * (info.kernel[0] - 1) + 1
    elif _reads_whole_input(info, in_shape, input_index):
        lo, hi = 0, height
    elif (
        isinstance(info.op, Concat)
        and len(in_shape) >= 2
        and _axis(info.op.axis, len(in_shape)) == len(in_shape) - 2
    ):
        offset = sum(rows_of(s) for s in info.input_shapes[:input_index])
        lo, hi = out_row_start - offset, out_row_stop - offset
    elif isinstance(info.op, Slice) and len(in_shape) >= 2:
        rows = slice_ranges(info.op, in_shape)[-2]
        if rows.step < 0:
            lo, hi = 0, height
        else:
            lo, hi = rows[out_row_start], rows[out_row_stop - 1] + 1
    elif height == 1:  # vectors and row-broadcast operands
        lo, hi = 0, 1
    else:  # row to row: element-wise, norms, linear on sequences, MatMul left operand, concat
        lo, hi = out_row_start, out_row_stop
    lo = max(0, min(lo, height))
    return lo, max(lo, min(hi, height))
