"""One layer of a functional run: the float op, and the INT8 static-weight layer.

A static-weight layer (conv2d, linear) is unrolled into ``groups`` matrices of
(vectors, rows) and multiplied by its (rows, cols) weight matrices. In the INT8 path

    acc[g] = q_x[g] @ q_w[g]                  (int64, exactly or through the crossbars)
    y      = acc * (s_x * s_w[c]) + bias      (dequantized, float)

with q_x the per-tensor INT8 input codes (scale s_x) and q_w the per-output-channel INT8
weights (scales s_w). Everything else is digital and runs on real (dequantized) values.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cimsim.functional import ops
from cimsim.functional.params import LayerParams
from hwmodels.crossbar.mvm import layer_mvm
from hwmodels.crossbar.mvm_params import MvmConfig
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
    LayerNorm,
    Linear,
    MatMul,
    Mul,
    Pool,
    ReduceMean,
    Reshape,
    Slice,
    Softmax,
    Sub,
    Transpose,
)
from workloads.quantize import QuantizedWeights, quantize_weights
from workloads.shapes import LayerInfo


@dataclass(frozen=True)
class QuantizedLayer:
    """INT8 weights of one static-weight layer, one QuantizedWeights per group."""

    weights: tuple[QuantizedWeights, ...]
    """Per group: (rows, cols) int8 codes in -127..127 and (cols,) scales."""
    bias: np.ndarray | None
    """(C_out,) real-valued bias, added after dequantization."""


def quantize_layer(params: LayerParams) -> QuantizedLayer:
    """Symmetric per-output-channel INT8 weights of every group (workloads.quantize)."""
    assert params.matrices is not None
    weights = tuple(quantize_weights(m) for m in params.matrices)
    return QuantizedLayer(weights=weights, bias=params.bias)


def unroll(x: np.ndarray, li: LayerInfo) -> np.ndarray:
    """The (groups, vectors, rows) matrices a static-weight layer multiplies (im2col)."""
    if isinstance(li.op, Conv2d):
        out_hw = li.output_shape[1:]
        return ops.im2col(x, li.kernel, li.stride, li.padding, li.dilation, li.mvm_groups, out_hw)
    return x.reshape(1, -1, x.shape[-1])


def fold(y: np.ndarray, li: LayerInfo, batch: int) -> np.ndarray:
    """(groups, vectors, cols) products back to the batched output tensor."""
    if isinstance(li.op, Conv2d):
        return ops.col2im(y, batch, li.output_shape[1:])
    return y.reshape(batch, *li.output_shape)


def exact_accumulators(codes: np.ndarray, layer: QuantizedLayer) -> np.ndarray:
    """acc[g] = q_x[g] @ q_w[g] as int64, exactly.

    Computed as a float64 (BLAS) product: every partial sum is an integer of magnitude at
    most rows * 128 * 127 < 2**53, so float64 represents it exactly and the result equals
    the int64 matmul bit for bit (and is far faster).
    """
    out = [
        np.rint(codes[g].astype(np.float64) @ w.values.astype(np.float64)).astype(np.int64)
        for g, w in enumerate(layer.weights)
    ]
    return np.stack(out)


def crossbar_accumulators(
    codes: np.ndarray,
    layer: QuantizedLayer,
    config: MvmConfig,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """acc[g] through ``layer_mvm``: each group tiled into crossbars of ``config``.

    Groups are separate weight matrices; the mapper may pack several small ones
    block-diagonally into one crossbar, where each still sees only its own rows, so every
    group is computed on its own. Non-idealities are drawn group by group from ``rng``.
    """
    out = [
        layer_mvm(np.ascontiguousarray(codes[g]), w.values, config, rng)
        for g, w in enumerate(layer.weights)
    ]
    return np.stack(out)


def dequantize(acc: np.ndarray, input_scale: float, layer: QuantizedLayer) -> np.ndarray:
    """y[g] = acc[g] * (s_x * s_w[g]) + bias[g] (float64)."""
    groups = len(layer.weights)
    scales = np.stack([input_scale * w.scale for w in layer.weights])  # (groups, cols)
    y = acc.astype(np.float64) * scales[:, None, :]
    if layer.bias is not None:
        y = y + np.asarray(layer.bias, dtype=np.float64).reshape(groups, 1, -1)
    return y


def float_layer(
    li: LayerInfo, params: LayerParams | None, inputs: Sequence[np.ndarray]
) -> np.ndarray:
    """Output of any layer on real-valued (batched) inputs, in the inputs' float dtype."""
    op, x = li.op, inputs[0]
    if li.is_mvm:
        assert params is not None and params.matrices is not None
        matrices = params.matrices.astype(x.dtype, copy=False)
        y = fold(np.matmul(unroll(x, li), matrices), li, x.shape[0])
        if params.bias is not None:
            shape = (1, -1, 1, 1) if isinstance(op, Conv2d) else (-1,)
            y = y + params.bias.reshape(shape).astype(y.dtype)
        return y
    return digital_layer(li, params, inputs)


def digital_layer(
    li: LayerInfo, params: LayerParams | None, inputs: Sequence[np.ndarray]
) -> np.ndarray:
    """Output of a digital (non-crossbar) layer on real-valued inputs."""
    op, x = li.op, inputs[0]
    match op:
        case Pool():
            return ops.pool(x, op.kind, op.kernel, op.stride, op.padding, li.output_shape[1:])
        case GlobalAvgPool():
            return ops.global_avg_pool(x)
        case Activation():
            return ops.activation(x, op.kind, op.low, op.high, op.approximate)
        case Add():
            return ops.add(inputs)
        case Mul() | Sub() | Div():
            return ops.binary(op.op_kind, inputs[0], inputs[1])
        case Elementwise():
            constant = op.constant_array()  # the IR's constant; unknown: the identity
            if constant is None:
                constant = 0.0 if op.kind in ("add", "sub") else 1.0
            return ops.elementwise(x, op.kind, constant, op.constant_first)
        case ReduceMean():
            return ops.reduce_mean(x, op.axes, op.keepdims)
        case Slice():
            assert op.steps is not None
            return ops.slice_axes(x, op.axes, op.starts, op.stops, op.steps)
        case CausalMask():
            return ops.causal_mask(x)
        case Softmax():
            return ops.softmax(x, op.axis)
        case LayerNorm():
            scale = None if params is None else params.scale
            shift = None if params is None else params.shift
            return ops.layer_norm(x, scale, shift, op.eps)
        case BatchNorm():
            assert params is not None and params.scale is not None and params.shift is not None
            return ops.batch_norm(x, params.scale, params.shift)
        case MatMul():
            return ops.matmul(inputs[0], inputs[1])
        case Concat():
            return ops.concat(inputs, op.axis)
        case Flatten():
            return ops.flatten(x)
        case Reshape():
            return ops.reshape(x, op.shape)
        case Transpose():
            return ops.transpose(x, op.perm)
        case Conv2d() | Linear():
            raise AssertionError("static-weight layers are not digital")
    raise AssertionError(f"unhandled op {op!r}")  # pragma: no cover - IR checks op types
