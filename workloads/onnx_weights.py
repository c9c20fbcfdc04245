"""The parameter values of an imported ONNX model, per IR layer (``onnx_import.load_onnx_weights``).

The IR keeps no weights; these arrays are what a numerical run needs to compute the model as
the file does. Layout (that of ``cimsim.functional.LayerParams``, whose field names these
are): ``matrices`` (groups, rows, cols) im2col weight matrices, rows ordered (c, i, j) within a
group; ``bias`` (C_out,); ``scale``/``shift`` per feature (LayerNorm) or channel (BatchNorm).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from workloads.ir import BatchNorm, Graph


@dataclass(frozen=True)
class LayerWeights:
    """Real-valued (float32) parameters of one imported layer."""

    matrices: np.ndarray | None = None
    """Static-weight layers: (groups, rows, cols) im2col weight matrices."""
    bias: np.ndarray | None = None
    """(C_out,) bias of a static-weight layer."""
    scale: np.ndarray | None = None
    """Per-feature (LayerNorm) or per-channel (BatchNorm) scale."""
    shift: np.ndarray | None = None
    """Per-feature or per-channel shift."""


def _f32(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else np.ascontiguousarray(a, dtype=np.float32)


def conv_weights(w: np.ndarray, bias: np.ndarray | None, groups: int) -> LayerWeights:
    """(C_out, C_in/g, kh, kw) ONNX conv weights as (g, C_in/g*kh*kw, C_out/g) matrices."""
    c_out = w.shape[0]
    m = w.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)
    return LayerWeights(matrices=_f32(m), bias=_f32(None if bias is None else bias.reshape(-1)))


def linear_weights(w: np.ndarray, bias: np.ndarray | None) -> LayerWeights:
    """An (in, out) weight matrix and optional (out,) bias."""
    return LayerWeights(matrices=_f32(w[None]), bias=_f32(None if bias is None else bias))


def batchnorm_weights(
    gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray, var: np.ndarray, eps: float
) -> LayerWeights:
    """Inference BatchNorm as y = x * scale + shift per channel."""
    with np.errstate(invalid="ignore"):  # a bad variance shows as NaN in a run, not here
        scale = gamma / np.sqrt(var + eps)
    return LayerWeights(scale=_f32(scale), shift=_f32(beta - mean * scale))


def fold_batchnorm_weights(
    weights: Mapping[str, LayerWeights], before: Graph, after: Graph
) -> dict[str, LayerWeights]:
    """Weights of ``after`` = ``ir.fold_batchnorm(before)``: each BatchNorm that was folded
    scales its conv's output channels and moves its shift into the bias."""
    out = dict(weights)
    kept = set(after.layer_names)
    for layer in before.layers:
        if not isinstance(layer.op, BatchNorm) or layer.name in kept:
            continue
        src, bn = layer.inputs[0], out.pop(layer.name)
        conv = out[src]
        assert conv.matrices is not None and bn.scale is not None and bn.shift is not None
        groups, _, cols = conv.matrices.shape
        matrices = conv.matrices * bn.scale.reshape(groups, 1, cols)
        bias = bn.shift if conv.bias is None else conv.bias * bn.scale + bn.shift
        out[src] = LayerWeights(matrices=_f32(matrices), bias=_f32(bias))
    return out
