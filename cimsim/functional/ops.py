"""Numpy implementations of the IR ops on batched tensors (the float reference).

Every array here has a leading batch axis: a feature map is (B, C, H, W), a sequence
(B, S, D), a vector (B, F). Axes given in the IR (concat, softmax, transpose) are batch-free
and are shifted by one. Convolutions are computed via im2col, the same unrolling the mapper
tiles into crossbars: rows of the unrolled matrix are ordered (c, i, j) within a group, i.e.
PyTorch's ``weight.reshape(C_out, -1)``.
"""

import math
from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from workloads.ops import GELU_TANH_COEFF, NORM_EPS

"""Epsilon of LayerNorm (PyTorch's and ONNX's default)."""


def pad2d(x: np.ndarray, padding: Sequence[int], value: float = 0.0) -> np.ndarray:
    """Pad the last two axes of ``x`` by (top, left, bottom, right) with ``value``."""
    top, left, bottom, right = padding
    if not any(padding):
        return x
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    return np.pad(x, widths, constant_values=value)


def windows(
    x: np.ndarray,
    kernel: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    out_hw: Sequence[int],
) -> np.ndarray:
    """Sliding windows of a padded (B, C, H, W) array: a (B, C, Ho, Wo, kh, kw) view.

    Window (p, q) covers rows p*sh + i*dh and columns q*sw + j*dw, i < kh, j < kw.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = sliding_window_view(x, span, axis=(2, 3))
    view = view[:, :, ::sh, ::sw, ::dh, ::dw]
    return view[:, :, : out_hw[0], : out_hw[1]]


def im2col(
    x: np.ndarray,
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    groups: int,
    out_hw: Sequence[int],
) -> np.ndarray:
    """Unroll (B, C, H, W) into (groups, B*Ho*Wo, C/groups*kh*kw) matrices (zero padding).

    Row n = (b*Ho + p)*Wo + q is one output pixel; its columns are the input window of the
    group's channels, ordered (c, i, j). Works on any dtype (int8 codes pad with code 0).
    """
    batch, channels = x.shape[:2]
    win = windows(pad2d(x, padding), kernel, stride, dilation, out_hw)  # (B, C, Ho, Wo, kh, kw)
    ho, wo = out_hw
    per_group = channels // groups
    win = win.reshape(batch, groups, per_group, ho, wo, kernel[0], kernel[1])
    cols = win.transpose(1, 0, 3, 4, 2, 5, 6)  # (g, B, Ho, Wo, c, i, j)
    return np.ascontiguousarray(cols).reshape(groups, batch * ho * wo, -1)


def col2im(y: np.ndarray, batch: int, out_hw: Sequence[int]) -> np.ndarray:
    """(groups, B*Ho*Wo, C_out/groups) products back to a (B, C_out, Ho, Wo) feature map."""
    groups, _, per_group = y.shape
    ho, wo = out_hw
    y = y.reshape(groups, batch, ho, wo, per_group).transpose(1, 0, 4, 2, 3)
    return np.ascontiguousarray(y).reshape(batch, groups * per_group, ho, wo)


def conv2d(
    x: np.ndarray,
    matrices: np.ndarray,
    bias: np.ndarray | None,
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    out_hw: Sequence[int],
) -> np.ndarray:
    """y = im2col(x) @ W_g + b per group; ``matrices`` (groups, C_in/g*kh*kw, C_out/g)."""
    groups = matrices.shape[0]
    cols = im2col(x, kernel, stride, padding, dilation, groups, out_hw)
    y = col2im(np.matmul(cols, matrices), x.shape[0], out_hw)
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1).astype(y.dtype)
    return y


def linear(x: np.ndarray, matrix: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """y = x @ W + b over the last axis (vectors (B, F) or sequences (B, S, F))."""
    y = x @ matrix
    return y if bias is None else y + bias.astype(y.dtype)


def pool(
    x: np.ndarray,
    kind: str,
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    out_hw: Sequence[int],
) -> np.ndarray:
    """Max or average pooling of (B, C, H, W) to (B, C, Ho, Wo).

    Padding (and windows that ceil_mode lets run past the edge) never counts: max ignores
    it, average divides by the number of real elements (ONNX's count_include_pad=0).
    """
    top, left, _, _ = padding
    need_h = (out_hw[0] - 1) * stride[0] + kernel[0]
    need_w = (out_hw[1] - 1) * stride[1] + kernel[1]
    bottom = max(need_h - top - x.shape[2], padding[2])
    right = max(need_w - left - x.shape[3], padding[3])
    padded = pad2d(x.astype(np.float32, copy=False), (top, left, bottom, right), np.nan)
    win = windows(padded, kernel, stride, (1, 1), out_hw)
    if kind == "max":
        return np.nanmax(win, axis=(-2, -1))
    return np.nanmean(win, axis=(-2, -1))


def global_avg_pool(x: np.ndarray) -> np.ndarray:
    """(B, C, H, W) -> (B, C, 1, 1) mean over H and W."""
    return x.mean(axis=(2, 3), keepdims=True)


def activation(
    x: np.ndarray, kind: str, low: float | None, high: float | None, approximate: str = "none"
) -> np.ndarray:
    """relu, relu6, clip(low, high), gelu (erf form, or tanh form with approximate="tanh"),
    silu, sigmoid, tanh, sqrt, erf, exp, neg, reciprocal or abs, element-wise."""
    if kind == "relu":
        return np.maximum(x, 0)
    if kind == "relu6":
        return np.clip(x, 0, 6)
    if kind == "clip":
        return np.clip(x, -np.inf if low is None else low, np.inf if high is None else high)
    if kind == "gelu" and approximate == "tanh":
        inner = np.sqrt(2.0 / np.pi) * (x + GELU_TANH_COEFF * x**3)
        return (0.5 * x * (1.0 + np.tanh(inner))).astype(x.dtype)
    if kind == "gelu":
        return (0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))).astype(x.dtype)
    if kind == "erf":
        return _erf(x).astype(x.dtype)
    simple = {"sqrt": np.sqrt, "exp": np.exp, "neg": np.negative, "abs": np.abs}
    if kind in simple:
        return simple[kind](x)
    if kind == "reciprocal":
        return (1.0 / x).astype(x.dtype)
    if kind == "silu":
        return x * _sigmoid(x)
    if kind == "sigmoid":
        return _sigmoid(x)
    if kind == "tanh":
        return np.tanh(x)
    raise ValueError(f"unknown activation {kind!r}")


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function element-wise: scipy's when installed (the [accuracy] extra), else
    math.erf per element (the same double-precision values, slower)."""
    try:
        from scipy.special import erf
    except ImportError:
        return np.vectorize(math.erf, otypes=[np.float64])(x)
    return erf(x)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow warnings: 0.5 * (1 + tanh(x / 2))."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def causal_mask(x: np.ndarray) -> np.ndarray:
    """Scores (B, ..., S, L) with keys after each query set to -inf (workloads CausalMask):
    query i of the last S positions keeps keys 0 .. i + L - S."""
    queries, keys = x.shape[-2:]
    later = np.triu(np.ones((queries, keys), dtype=bool), k=keys - queries + 1)
    return np.where(later, -np.inf, x)


def softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """exp(x - max) / sum exp(x - max) along the batch-free ``axis``."""
    ax = batched_axis(axis)
    e = np.exp(x - x.max(axis=ax, keepdims=True))
    return e / e.sum(axis=ax, keepdims=True)


def layer_norm(
    x: np.ndarray,
    scale: np.ndarray | None,
    shift: np.ndarray | None,
    eps: float = NORM_EPS,
) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) over the last axis, then * scale + shift if given."""
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    y = (x - mean) / np.sqrt(var + np.asarray(eps, dtype=x.dtype))
    if scale is not None:
        y = y * scale.astype(y.dtype)
    if shift is not None:
        y = y + shift.astype(y.dtype)
    return y


def batch_norm(x: np.ndarray, scale: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Inference batch norm folded to y = x * scale[c] + shift[c] on channel axis 1."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return x * scale.reshape(shape).astype(x.dtype) + shift.reshape(shape).astype(x.dtype)


_BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "pow": np.power,
}  # fmt: skip


def elementwise(
    x: np.ndarray, kind: str, constant: float | np.ndarray, constant_first: bool = False
) -> np.ndarray:
    """x (add, sub, mul, div, pow) a constant: a scalar, or an array of batch-free shape that
    broadcasts against x's batch-free shape; ``constant (op) x`` when ``constant_first``."""
    c = np.asarray(constant)
    if kind == "pow" and c.ndim == 0 and not constant_first:
        return np.power(x, float(c)).astype(x.dtype)
    c = c.astype(x.dtype)
    x, c = align((x, c[None]))
    a, b = (c, x) if constant_first else (x, c)
    return _BINARY[kind](a, b)


def align(arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Insert axes after the batch axis so batch-free shapes broadcast as in the IR."""
    rank = max(a.ndim for a in arrays)
    return [a.reshape(a.shape[:1] + (1,) * (rank - a.ndim) + a.shape[1:]) for a in arrays]


def add(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Element-wise sum of two or more tensors (broadcast over batch-free shapes)."""
    parts = align(arrays)
    out = parts[0]
    for part in parts[1:]:
        out = out + part
    return out


def binary(kind: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise ``a (kind) b`` for kind sub, mul, div or pow (broadcast over batch-free
    shapes)."""
    a, b = align((a, b))
    return _BINARY[kind](a, b)


def reduce_mean(x: np.ndarray, axes: Sequence[int], keepdims: bool) -> np.ndarray:
    """Mean over the batch-free ``axes``; a full reduction without keepdims leaves (B, 1)."""
    y = x.mean(axis=tuple(batched_axis(a % (x.ndim - 1)) for a in axes), keepdims=keepdims)
    return y.reshape(x.shape[0], 1) if y.ndim == 1 else y


def slice_axes(
    x: np.ndarray,
    axes: Sequence[int],
    starts: Sequence[int],
    stops: Sequence[int],
    steps: Sequence[int],
) -> np.ndarray:
    """x[start:stop:step] along each batch-free axis (numpy clamping, as ONNX Slice)."""
    index = [slice(None)] * x.ndim
    for axis, start, stop, step in zip(axes, starts, stops, steps, strict=True):
        index[batched_axis(axis % (x.ndim - 1))] = slice(start, stop, step)
    return np.ascontiguousarray(x[tuple(index)])


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Product of two activations (B, ..., M, K) x (B, ..., K, N)."""
    a, b = align((a, b))
    return np.matmul(a, b)


def concat(arrays: Sequence[np.ndarray], axis: int) -> np.ndarray:
    """Concatenate along the batch-free ``axis``."""
    return np.concatenate(list(arrays), axis=batched_axis(axis))


def flatten(x: np.ndarray) -> np.ndarray:
    """(B, ...) -> (B, prod(...))."""
    return x.reshape(x.shape[0], -1)


def reshape(x: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Reshape every sample to the batch-free ``shape`` (one -1 allowed)."""
    return x.reshape(x.shape[0], *shape)


def transpose(x: np.ndarray, perm: Sequence[int]) -> np.ndarray:
    """Permute the batch-free axes by ``perm``."""
    return np.ascontiguousarray(x.transpose(0, *(p + 1 for p in perm)))


def batched_axis(axis: int) -> int:
    """A batch-free axis as an axis of the batched array (negative axes are unchanged)."""
    return axis + 1 if axis >= 0 else axis
